"""The one rule for "is this submission complete?": required answers given, some blank, none at all."""

from __future__ import annotations

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.completeness import completeness, status_label


def sheet(**texts: str) -> AnswerSheet:
    result = AnswerSheet(path="p")
    for key, text in texts.items():
        result = result.with_answer(key, Answer.make("text", text))
    return result


def test_every_required_answer_given_is_complete() -> None:
    state = completeness(sheet(a="one", b="two", extra="kept"), ["a", "b"])
    assert state.status == "complete" and state.complete and state.blank == ()
    assert state.summary() == "2 of 2 answers complete"


def test_blank_required_answers_are_counted_in_notebook_order() -> None:
    state = completeness(sheet(a="one", c="   "), ["a", "b", "c", "d"])
    assert state.status == "incomplete" and not state.complete
    assert state.blank == ("b", "c", "d") and state.done == 1
    assert state.summary() == "1 of 4 answers complete"


def test_no_file_or_only_blank_answers_is_no_answers() -> None:
    assert completeness(None, ["a", "b"]).status == "no-answers"
    assert completeness(sheet(a=" "), ["a", "b"]).status == "no-answers"
    assert completeness(None, None).status == "no-answers"
    assert completeness(sheet(), ["a"]).summary() == "no answers"


def test_unknown_requirements_count_any_answer() -> None:
    assert completeness(sheet(a="x"), None).status == "complete"
    assert completeness(sheet(a=""), None).status == "no-answers"
    assert completeness(None, []).status == "complete"  # a path that asks nothing


def test_status_labels() -> None:
    assert [status_label("complete"), status_label("incomplete", 3), status_label("no-answers")] == [
        "complete",
        "3 blank",
        "no answers",
    ]
