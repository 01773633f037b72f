"""The response kind: what I changed, what I kept and why, one answer revised, as peers and the facilitator read it."""

from __future__ import annotations

import pytest

from peerkit.core import kinds
from peerkit.core.answers import Answer
from peerkit.core.errors import ValidationError

VALUE = {
    "changed": "I added when it happened, as both reviewers asked.",
    "kept": "The short lesson stays: it is meant to be remembered.",
    "revised": {"question": "Your story", "text": "On my first Monday a colleague showed me the desk."},
}


def test_a_response_holds_the_learner_s_words_and_is_answered_by_any_part() -> None:
    kind = kinds.get("response")
    assert kind.widget == "peerkit.widgets.response:ResponseForm" and kind.method is None
    assert Answer.make("response", VALUE, answer_id="respond").value == VALUE
    assert kind.written(VALUE).splitlines() == [VALUE["changed"], VALUE["kept"], VALUE["revised"]["text"]]
    assert kind.reflection(VALUE) == f"{VALUE['changed']}\n{VALUE['kept']}"
    assert kind.is_answered({"kept": "Nothing, and here is why."})
    assert kind.is_answered({"revised": {"question": "Q", "text": "A revision."}})
    assert not kind.is_answered({"changed": " ", "revised": {"question": "Your story", "text": ""}})
    assert kind.text_length(VALUE) == len(kind.written(VALUE))


def test_the_facilitator_reads_each_part_labelled() -> None:
    assert kinds.get("response").facilitator_text(VALUE) == (
        "What I changed: I added when it happened, as both reviewers asked.\n"
        "What I decided not to change, and why: The short lesson stays: it is meant to be remembered.\n"
        "Revised answer (Your story): On my first Monday a colleague showed me the desk."
    )


def test_a_peer_reads_it_escaped_and_anything_from_a_file_is_shown_safely() -> None:
    kind = kinds.get("response")
    hostile = "<img src=x onerror=alert(1)>"
    shown = kind.peer_html({"changed": hostile, "revised": {"question": hostile, "text": hostile}})
    assert "<img" not in shown and shown.count("&lt;img") == 3
    assert "What I decided not to change, and why" in shown and "<em>(no answer)</em>" in shown
    assert "My revised answer to" in kind.peer_html(["not", "a", "record"])


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"changed": 3}, "respond.changed"),
        ({"revised": "text"}, "respond.revised"),
        ({"revised": {"question": "x" * 201}}, "respond.revised.question"),
        ({"revised": {"text": "t", "why": "extra"}}, "respond.revised"),
        ({"mood": "fine"}, "respond"),
        ("just text", "respond"),
    ],
)
def test_strange_values_are_refused_naming_the_field(value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answer.make("response", value, answer_id="respond")
    assert caught.value.field == field
