"""The answer-kind registry: every kind is registered, validates its values, is shown escaped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from peerkit.core import kinds
from peerkit.core.answers import Answer, AnswerSheet, is_answered, parse_sheet
from peerkit.core.errors import ConfigError, ValidationError
from peerkit.core.kinds import AnswerKind
from peerkit.core.kinds.values import JSON, short

#: One valid, answered value per kind (what the kind's widget would save).
VALID: dict[str, Any] = {
    "text": "Learning with a colleague.",
    "scale": 4,
    "checklist": {"selected": ["To solve a problem"], "other": "To be less alone"},
    "profile": {"know": ["storytimes"], "bring": [], "want": ["coaching"], "notes": "Small rural branch."},
    "plan": {"step": "Ask Ana", "date": "2026-12-14", "checkin": "in a week", "support": "my manager"},
    "example": {"title": "Shared translations", "story": "Two libraries split the cost.", "tags": ["libraries"]},
    "review": {"packet": "tok", "scores": {"clarity": 2}, "comments": {"works": "The opening."}},
    "rating": {"review": "tok", "helpful": 4, "note": "Useful", "flag": False, "reason": ""},
    "check": {"type": "choice", "response": 1, "attempts": 2, "right": True, "first_right": False},
    "project": {"part": "setting", "title": "The setting", "text": "A branch library.", "based_on": "intro"},
    "project_summary": {"text": "The whole plan.", "parts": ["setting"], "missing": ["need"]},
    "peers": {"seen": ["gallery:0123456789ab", "starter:1"], "text": "I would try the shared translations."},
    "response": {"changed": "I added a date.", "kept": "The title.", "revised": {"question": "Story", "text": "New."}},
}


def test_every_kind_is_registered_once_with_a_widget() -> None:
    names = [kind.name for kind in kinds.all_kinds()]
    assert names == [
        *("text", "scale", "checklist", "profile", "plan", "example", "review", "rating"),
        *("check", "project", "project_summary", "peers", "response"),
    ]
    assert all(kind.widget and ":" in kind.widget for kind in kinds.all_kinds())
    assert {m: k.name for m, k in kinds.by_method().items()} == {
        "reflection": "text",
        "scale": "scale",
        "checklist": "checklist",
        "profile": "profile",
        "plan": "plan",
        "example": "example",
        "check": "check",
        "project": "project",
        "project_summary": "project_summary",
        "peers": "peers",
    }


@pytest.mark.parametrize("name", list(VALID))
def test_a_valid_value_of_each_kind_survives_the_answer_sheet(name: str) -> None:
    answer = Answer.make(name, VALID[name], answer_id="a1", updated="2026-11-22T10:00:00Z")
    sheet = AnswerSheet(path="p").with_answer("a1", answer)
    again = parse_sheet(sheet.to_json(), expected_path="p").get("a1")
    assert again == answer and again.value == VALID[name]
    assert is_answered(again)


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("text", 12, "moment"),
        ("scale", 101, "moment"),
        ("scale", True, "moment"),
        ("checklist", {"selected": "x"}, "moment.selected"),
        ("checklist", {"selected": ["ok", 3]}, "moment.selected[1]"),
        ("profile", {"notes": None}, "moment.notes"),
        ("plan", {"date": "next tuesday"}, "moment.date"),
        ("plan", {"step": "x", "owner": "me"}, "moment"),
        ("example", {"tags": ["x" * 201]}, "moment.tags[0]"),
        ("review", {"scores": {"clarity": "high"}}, "moment.scores.clarity"),
        ("rating", {"helpful": 6}, "moment.helpful"),
        ("rating", {"flag": "yes"}, "moment.flag"),
        (
            "check",
            {"type": "choice", "response": 1, "attempts": 0, "right": True, "first_right": False},
            "moment.right",
        ),
        ("project", {"text": "no part"}, "moment.part"),
        ("project", {"part": "setting", "text": 3}, "moment.text"),
        ("project_summary", {"parts": "setting"}, "moment.parts"),
        ("peers", {"seen": [1], "text": ""}, "moment.seen[0]"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(name: str, value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Answer.make(name, value, answer_id="moment")
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:")


def test_an_unknown_kind_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match=r"unknown answer kind 'poem' \(known kinds: .*checklist.*text") as caught:
        kinds.get("poem")
    assert caught.value.field == "poem"
    with pytest.raises(ValidationError, match=r"^q1: unknown answer kind 'poem'") as caught:
        Answer.make("poem", "roses", answer_id="q1")
    assert caught.value.field == "q1"
    assert kinds.find("poem") is None


HOSTILE = '<script>alert("x")</script>'


@pytest.mark.parametrize("name", list(VALID))
def test_what_a_peer_sees_is_escaped(name: str) -> None:
    kind = kinds.get(name)

    def hostile(value: JSON) -> JSON:
        if isinstance(value, str):
            return HOSTILE
        if isinstance(value, list):
            return [hostile(v) for v in value]
        if isinstance(value, dict):
            return {k: hostile(v) for k, v in value.items()}
        return value

    shown = kind.peer_html(hostile(VALID[name]))  # packets are files: the view gets unchecked values too
    assert "<script>" not in shown
    if name not in ("scale", "check"):  # a scale holds no text, a check none of the learner's
        assert "&lt;script&gt;" in shown


def test_redaction_reaches_every_text_field_by_default() -> None:
    kind = kinds.get("example")
    redacted = kind.redact(
        {"title": "By Ana", "story": "Ana and Bo", "tags": ["ana"]}, lambda t: t.replace("Ana", "[x]")
    )
    assert redacted == {"title": "By [x]", "story": "[x] and Bo", "tags": ["ana"]}


def test_what_each_kind_counts_as_the_learners_words() -> None:
    assert [kinds.get(n).written(VALID[n]) for n in ("scale", "checklist", "profile")] == [
        "",
        "To be less alone",
        "Small rural branch.",
    ]
    assert kinds.get("plan").next_step(VALID["plan"]) == "Ask Ana"
    assert kinds.get("text").reflection(VALID["text"]) == VALID["text"]
    assert kinds.get("example").gallery_entry(VALID["example"]) == kinds.GalleryEntry(
        "Shared translations", "Two libraries split the cost.", ("libraries",)
    )
    assert all(kind.score(VALID[kind.name]) is None for kind in kinds.all_kinds())


def test_a_plan_date_moves_and_other_values_stay_the_same_object() -> None:
    plan = kinds.get("plan")
    assert plan.shift_dates(VALID["plan"], 3)["date"] == "2026-12-17"
    empty = {"step": "x", "date": ""}
    assert plan.shift_dates(empty, 3) is empty
    assert kinds.get("text").shift_dates("x", 3) == "x"


class _Twice(AnswerKind):
    name = "text"

    def validate(self, value: JSON, where: str) -> JSON:
        return short(value, where)


@pytest.fixture
def restore_registry() -> Iterator[None]:
    before = kinds.all_kinds()
    yield
    for kind in kinds.all_kinds():
        kinds.unregister(kind.name)
    for kind in before:
        kinds.register(kind)


def test_a_name_or_page_method_cannot_be_taken_twice(restore_registry: None) -> None:
    with pytest.raises(ConfigError, match="'text' is registered already"):
        kinds.register(_Twice())
    other = type("Other", (_Twice,), {"name": "other", "method": "scale"})()
    with pytest.raises(ConfigError, match="page method 'scale' belongs to another kind"):
        kinds.register(other)
    kinds.register(kinds.get("text"))  # the same object again is harmless
    assert len(kinds.all_kinds()) == len(VALID)


def test_a_kind_without_a_widget_says_so() -> None:
    with pytest.raises(ConfigError, match="has no widget"):
        _Twice().widget_class()
