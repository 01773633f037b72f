"""The project kinds: a part names its part, counts the learner's words, is shown to peers escaped and
redacted in its words only; the capstone's whole likewise."""

from __future__ import annotations

import pytest

from peerkit.core import kinds
from peerkit.core.answers import Answer
from peerkit.core.errors import ValidationError

PART = {"part": "setting", "title": "The setting and the people", "text": "Ana runs a branch.", "based_on": "intro"}
WHOLE = {"text": "The setting.\n\nThe need.", "parts": ["setting", "need"], "missing": ["loop"]}


def test_a_part_is_the_learners_words_and_names_its_part() -> None:
    kind = kinds.get("project")
    assert kinds.by_method()["project"] is kind
    assert kind.validate(PART, "p") == PART
    assert kind.written(PART) == "Ana runs a branch." == kind.reflection(PART)
    assert kind.is_answered(PART) and not kind.is_answered({"part": "setting", "text": "  "})
    assert kind.facilitator_text(PART) == "The setting and the people\nAna runs a branch."
    assert kind.text_length(PART) == len("Ana runs a branch.")
    assert kind.score(PART) is None and kind.gallery_entry(PART) is None


@pytest.mark.parametrize(
    ("value", "field"),
    [({"text": "no part"}, "p.part"), ({"part": " ", "text": "x"}, "p.part"), ({"part": "a", "extra": 1}, "p")],
)
def test_a_part_without_its_part_or_with_strange_fields_is_refused(value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answer.make("project", value, answer_id="p")
    assert caught.value.field == field


def test_peers_see_a_part_escaped_and_without_names_in_its_words_only() -> None:
    kind = kinds.get("project")
    hostile = {**PART, "title": "<b>Setting</b>", "text": "<script>x()</script>\n\nAna's idea"}
    shown = kind.peer_html(hostile)
    assert "<script>" not in shown and "&lt;script&gt;x()&lt;/script&gt;" in shown
    assert "&lt;b&gt;Setting&lt;/b&gt;" in shown and "Project part" in shown
    assert "<em>(no answer)</em>" in kind.peer_html("not a record")  # packets are files: anything may come
    scrub = {"Ana": "[name removed]", "setting": "[name removed]", "intro": "[name removed]"}

    def redact(text: str) -> str:
        for name, by in scrub.items():
            text = text.replace(name, by)
        return text

    redacted = kind.redact(PART, redact)
    # the title and text are words and lose names; the part's and path's ids are not a person's words
    assert redacted == {**PART, "title": "The [name removed] and the people", "text": "[name removed] runs a branch."}


def test_the_whole_project_is_words_with_the_parts_it_was_assembled_from() -> None:
    kind = kinds.get("project_summary")
    assert kinds.by_method()["project_summary"] is kind
    assert kind.validate(WHOLE, "w") == WHOLE
    assert kind.written(WHOLE) == WHOLE["text"] and kind.is_answered(WHOLE)
    assert not kind.is_answered({"parts": ["setting"]})
    assert kind.redact(WHOLE, str.upper) == {**WHOLE, "text": WHOLE["text"].upper()}
    shown = kind.peer_html({"text": "<img src=x onerror=alert(1)>"})
    assert "<img" not in shown and "&lt;img" in shown
    with pytest.raises(ValidationError) as caught:
        Answer.make("project_summary", {"text": "x", "missing": [3]}, answer_id="w")
    assert caught.value.field == "w.missing[0]"
