"""The peers kind: what was shown is recorded as ids, the response is the learner's words."""

from __future__ import annotations

import pytest

from peerkit.core import kinds
from peerkit.core.answers import Answer
from peerkit.core.errors import ValidationError

VALUE = {"seen": ["gallery:0123456789ab", "gallery:ba9876543210", "starter:1"], "text": "Ana would try it."}


def test_a_response_records_what_was_shown_and_counts_only_its_words() -> None:
    kind = kinds.get("peers")
    assert kinds.by_method()["peers"] is kind
    assert Answer.make("peers", VALUE, answer_id="r").value == VALUE
    assert kind.written(VALUE) == "Ana would try it." == kind.reflection(VALUE) == kind.facilitator_text(VALUE)
    assert kind.is_answered(VALUE) and not kind.is_answered({"seen": ["starter:1"], "text": ""})
    assert kind.text_length(VALUE) == len("Ana would try it.")


def test_a_peer_reads_the_response_escaped_with_what_it_answers_in_plain_words() -> None:
    kind = kinds.get("peers")
    shown = kind.peer_html({**VALUE, "text": "<script>alert(1)</script>"})
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "2 examples shared by learners and 1 example from the course" in shown
    assert "the group&#x27;s summary notes" in kind.peer_html({"seen": ["notes:groups"], "text": "x"})
    assert "In response to" not in kind.peer_html({"text": "x"})
    assert "<em>(no answer)</em>" in kind.peer_html(["not", "a", "record"])


def test_redaction_reaches_the_words_and_leaves_a_peer_only_where_the_examples_came_from() -> None:
    """Which examples a page shows is drawn from the public gallery in an order seeded by the learner's
    id: with the digests in a packet, a reviewer could recompute each classmate's draw and find the author."""
    kind = kinds.get("peers")
    redacted = kind.redact(VALUE, lambda t: t.replace("Ana", "[name removed]").replace("1", "?"))
    assert redacted == {"seen": ["gallery:", "gallery:", "starter:"], "text": "[name removed] would try it."}
    assert "0123456789ab" not in str(redacted) and VALUE["seen"][0] == "gallery:0123456789ab"  # own copy kept
    assert "2 examples shared by learners and 1 example from the course" in kind.peer_html(redacted)
    assert kind.redact({"seen": ["notes:groups"], "text": "x"}, str) == {"seen": ["notes:groups"], "text": "x"}


@pytest.mark.parametrize(("value", "field"), [({"seen": "x"}, "r.seen"), ({"text": None}, "r.text"), ([], "r")])
def test_strange_values_are_refused_naming_the_field(value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answer.make("peers", value, answer_id="r")
    assert caught.value.field == field
