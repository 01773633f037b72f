"""The check kind: its values are validated strictly (each error names its field), it judges responses
in the course's own indices, shuffles the same way per learner, and never reaches a peer's packet."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core import kinds
from peerkit.core.answers import Answer, AnswerSheet, is_answered, parse_sheet
from peerkit.core.errors import ValidationError
from peerkit.core.kinds.check import CheckQuestion, outcome, question
from peerkit.core.packets import build_packet, removed_from
from peerkit.core.redaction import Redactor

CHOICE = {"type": "choice", "response": 1, "attempts": 2, "right": True, "first_right": False}
ORDER = {"type": "order", "response": [2, 0, 1, 3], "attempts": 1, "right": False, "first_right": False}
MATCH = {"type": "match", "response": [1, 0, 2], "attempts": 1, "right": False, "first_right": False}


def roles() -> CheckQuestion:
    return question(
        "check-roles",
        "Who teaches in a peer group?",
        choices=["Only the facilitator", "Everyone, at times", "Nobody"],
        answer=1,
        why="Each participant is at times learner and at times teacher.",
        hints={0: "The facilitator guides; peers teach each other too.", 2: "Someone always teaches."},
    )


def test_the_kind_is_registered_with_its_page_method_and_widget() -> None:
    kind = kinds.get("check")
    assert kinds.by_method()["check"] is kind
    assert kind.widget == "peerkit.widgets.check:CheckWidget"
    assert kind.peer_reviewed is False
    assert all(k.peer_reviewed for k in kinds.all_kinds() if k.name != "check")


@pytest.mark.parametrize("value", [CHOICE, ORDER, MATCH])
def test_valid_values_survive_the_answer_sheet(value: dict[str, Any]) -> None:
    answer = Answer.make("check", value, answer_id="check-a", updated="2026-11-22T10:00:00Z")
    sheet = AnswerSheet(path="p").with_answer("check-a", answer)
    again = parse_sheet(sheet.to_json(), expected_path="p").get("check-a")
    assert again == answer and again.value == value
    assert is_answered(again)


def test_a_check_not_tried_yet_is_not_answered() -> None:
    untried = {"type": "choice", "response": None, "attempts": 0, "right": False, "first_right": False}
    assert not is_answered(Answer.make("check", untried, answer_id="c"))
    assert kinds.get("check").written(CHOICE) == ""  # the choices are the course's words, not the learner's


@pytest.mark.parametrize(
    ("value", "field", "says"),
    [
        ("B", "c", "expected an object"),
        ({**CHOICE, "score": 3}, "c", "unexpected field(s) 'score'"),
        ({k: v for k, v in CHOICE.items() if k != "attempts"}, "c.attempts", "missing"),
        ({**CHOICE, "type": "essay"}, "c.type", "expected one of choice, order, match"),
        ({**CHOICE, "response": "1"}, "c.response", "expected a position"),
        ({**CHOICE, "response": True}, "c.response", "expected a position"),
        ({**CHOICE, "response": 50}, "c.response", "expected a position"),
        ({**CHOICE, "response": None}, "c.response", "every choice made"),
        ({**CHOICE, "attempts": -1}, "c.attempts", "a count of tries"),
        ({**CHOICE, "attempts": 1.5}, "c.attempts", "a count of tries"),
        ({**CHOICE, "right": "yes"}, "c.right", "true or false"),
        ({**CHOICE, "first_right": 1}, "c.first_right", "true or false"),
        ({**CHOICE, "attempts": 0}, "c.right", "before the first try"),
        ({**ORDER, "response": [0, 0, 1]}, "c.response", "each position from 0 to 2 once"),
        ({**ORDER, "response": [0, None]}, "c.response[1]", "expected a position"),
        ({**ORDER, "response": {"0": 1}}, "c.response", "expected a list"),
        ({**ORDER, "response": []}, "c.response", "every choice made"),
        ({**MATCH, "response": [1, "x"]}, "c.response[1]", "expected a position"),
        ({**MATCH, "response": [1, None]}, "c.response", "every choice made"),
        ({**MATCH, "response": list(range(51))}, "c.response", "more than 50"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(value: object, field: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answer.make("check", value, answer_id="c")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:") and says in str(caught.value)


def test_a_match_not_checked_yet_may_hold_blanks() -> None:
    draft = {"type": "match", "response": [1, None], "attempts": 0, "right": False, "first_right": False}
    assert Answer.make("check", draft, answer_id="c").value == draft


def test_outcome_in_plain_words_for_the_facilitator() -> None:
    kind = kinds.get("check")
    assert kind.facilitator_text(CHOICE) == "right after 2 tries"
    assert kind.facilitator_text({**CHOICE, "attempts": 1, "first_right": True}) == "right at the first try"
    assert kind.facilitator_text(ORDER) == "not right yet after 1 try"
    assert outcome(None) == "not tried yet" and outcome({"attempts": "many"}) == "not tried yet"
    assert kind.score(CHOICE) is None
    assert "<" not in kind.peer_html({"attempts": 1, "right": "<script>"}).replace("<p>", "").replace("</p>", "")


def test_questions_judge_in_the_course_order() -> None:
    spec = roles()
    assert spec.judge(1) and not spec.judge(0) and not spec.judge(None)
    loop = question("check-loop", "Order them.", order=["a", "b", "c", "d"], why="Because.")
    assert loop.judge([0, 1, 2, 3]) and not loop.judge([1, 0, 2, 3])
    assert loop.in_place([1, 0, 2, 3]) == 2
    terms = question("check-terms", "Match them.", match=[("t1", "m1"), ("t2", "m2")], why="Because.")
    assert terms.meanings == ("m1", "m2") and terms.judge([0, 1]) and terms.in_place([1, 1]) == 1


@given(learner=st.text(max_size=20), size=st.integers(min_value=2, max_value=12))
def test_the_shuffle_is_the_same_per_learner_and_never_already_in_order(learner: str, size: int) -> None:
    spec = question("check-loop", "Order them.", order=[f"step {i}" for i in range(size)], why="Because.")
    shown = spec.shuffled(learner)
    assert shown == spec.shuffled(learner)
    assert sorted(shown) == list(range(size)) and shown != list(range(size))


def test_the_shuffle_differs_between_learners() -> None:
    spec = question("check-loop", "Order them.", order=[f"step {i}" for i in range(6)], why="Because.")
    assert len({tuple(spec.shuffled(f"learner{i}")) for i in range(20)}) > 5


@pytest.mark.parametrize(
    ("options", "field", "says"),
    [
        ({"choices": ["a", "b"], "answer": 2}, "c.answer", "0 to 1"),
        ({"choices": ["a", "b"], "answer": True}, "c.answer", "position"),
        ({"choices": ["a", "b"]}, "c.answer", "position"),
        ({"choices": ["a"], "answer": 0}, "c.choices", "2 to 50"),
        ({"choices": ["a", "a"], "answer": 0}, "c.choices", "same entry twice"),
        ({"choices": ["a", "b"], "answer": 0, "hints": {5: "x"}}, "c.hints", "not a choice's position"),
        ({"choices": ["a", "b"], "answer": 0, "hints": {1: ""}}, "c.hints[1]", "must be some text"),
        ({"choices": ["a", "b"], "answer": 0, "why": " "}, "c.why", "must be some text"),
        ({"choices": ["a", "b"], "order": ["a", "b"], "answer": 0}, "c", "exactly one of"),
        ({}, "c", "exactly one of"),
        ({"order": ["a", "b"], "answer": 0}, "c", "belong to a check with choices="),
        ({"order": "ab"}, "c.order", "2 to 50"),
        ({"match": [("t", "m"), ("t", "n")]}, "c.match", "same entry twice"),
        ({"match": [("t", "m", "x"), ("u", "n")]}, "c.match", "(term, meaning) pairs"),
        (
            {"choices": ["a", "b"], "answer": 0, "hint": {0: "x"}},
            "c.hint",
            "no argument hint=; fix: did you mean hints=",
        ),
        ({"order": ["a", "b"], "colour": "red"}, "c.colour", "fix: use answer=, choices="),
    ],
)
def test_a_badly_written_check_names_the_argument_to_fix(options: dict[str, Any], field: str, says: str) -> None:
    options = {"why": "Because.", **options}
    with pytest.raises(ValidationError) as caught:
        question("c", "Question?", **options)
    assert caught.value.field == field and says in str(caught.value)


def test_packets_leave_checks_out() -> None:
    sheet = (
        AnswerSheet(path="p")
        .with_answer("story", Answer.make("text", "I learnt it from Ana.", answer_id="story"))
        .with_answer("check-roles", Answer.make("check", CHOICE, answer_id="check-roles"))
    )
    for kind in ("peer", "self"):
        packet = build_packet(
            token="tok",
            path_id="p",
            path_title="P",
            kind=kind,  # type: ignore[arg-type]
            sheet=sheet,
            questions={"story": ("Your story", "Tell it."), "check-roles": ("Roles", "Who teaches?")},
            author="ren",
        )
        assert [a["id"] for a in packet["answers"]] == ["story"]
        assert all(a["kind"] != "check" for a in packet["answers"])
    assert removed_from(sheet, Redactor(["Ana"])) == 1
