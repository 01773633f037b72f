"""The answer sheet: validation, JSON round trip, merging two writers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.answers import (
    FORMAT,
    MAX_ANSWERS,
    MAX_BACKUPS,
    MAX_TEXT_CHARS,
    Answer,
    AnswerSheet,
    check_answer_id,
    is_answered,
    parse_sheet,
)
from peerkit.core.errors import ValidationError


def sheet_json(**overrides: object) -> str:
    doc: dict[str, object] = {
        "format": FORMAT,
        "version": 1,
        "path": "p1",
        "revision": 3,
        "answers": {"a": {"kind": "text", "value": "hello", "updated": "2026-11-22T10:00:00Z"}},
    }
    doc.update(overrides)
    return json.dumps(doc)


def test_round_trip_keeps_every_field() -> None:
    sheet = AnswerSheet(path="p1", revision=2).with_answer(
        "moment", Answer.make("text", "Café <b>ünïcode</b> \n new line", updated="2026-11-22T10:00:00Z")
    )
    again = parse_sheet(sheet.to_json(), expected_path="p1")
    assert again == sheet


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (sheet_json(format="other"), "not a peerkit answer sheet"),
        (sheet_json(version=99), "version 99 is not supported"),
        (sheet_json(path=""), "no path id"),
        (sheet_json(revision=-1), "revision"),
        (sheet_json(answers=[]), "answers must be an object"),
        (sheet_json(answers={"../x": {"kind": "text", "value": "", "updated": "2026-01-01T00:00:00Z"}}), "answer id"),
        (
            sheet_json(answers={"a": {"kind": "poem", "value": "", "updated": "2026-01-01T00:00:00Z"}}),
            "unknown answer kind",
        ),
        (sheet_json(answers={"a": {"kind": "text", "value": 12, "updated": "2026-01-01T00:00:00Z"}}), "expected text"),
        (sheet_json(answers={"a": {"kind": "text", "value": "x"}}), "missing 'updated'"),
        (sheet_json(answers={"a": {"kind": "text", "value": "x", "updated": "yesterday"}}), "not an ISO 8601 time"),
        (sheet_json(answers={"a": {"kind": "text", "value": "x", "updated": "2026-01-01T00:00:00"}}), "no time zone"),
        (sheet_json(answers={"a": {"kind": "text", "value": "a\u0000b", "updated": "2026-01-01T00:00:00Z"}}), "NUL"),
        (
            sheet_json(answers={"a": {"kind": "scale", "value": True, "updated": "2026-01-01T00:00:00Z"}}),
            "whole number",
        ),
    ],
)
def test_malformed_sheets_are_rejected_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_sheet(text)


def test_wrong_path_is_rejected() -> None:
    with pytest.raises(ValidationError, match="is for path 'p1', not 'p2'"):
        parse_sheet(sheet_json(), expected_path="p2")


def test_five_megabytes_of_text_is_refused_clearly() -> None:
    huge = "x" * 5_000_000
    with pytest.raises(ValidationError, match="bytes, over the limit"):
        parse_sheet(sheet_json(answers={"a": {"kind": "text", "value": huge, "updated": "2026-01-01T00:00:00Z"}}))
    with pytest.raises(ValidationError, match=f"over the limit of {MAX_TEXT_CHARS:,}"):
        Answer.make("text", "y" * (MAX_TEXT_CHARS + 1))


def test_answer_count_is_bounded() -> None:
    sheet = AnswerSheet(path="p")
    for i in range(MAX_ANSWERS):
        sheet = sheet.with_answer(f"a{i}", Answer.make("text", "x"))
    with pytest.raises(ValidationError, match="at most"):
        sheet.with_answer("one-more", Answer.make("text", "x"))


@pytest.mark.parametrize("bad", ["", "-x", "a b", "a/b", "a.b", "x" * 65, "é"])
def test_answer_ids_follow_nbgrader_grade_id_rules(bad: str) -> None:
    with pytest.raises(ValidationError):
        check_answer_id(bad)


def test_a_change_over_a_version_the_writer_never_saw_keeps_that_version() -> None:
    tab_b = Answer.make("text", "B wrote this", updated="2026-11-22T10:00:05Z")
    untouched = Answer.make("text", "untouched")
    sheet = AnswerSheet(path="p").with_answer("x", tab_b).with_answer("y", untouched)
    tab_a = Answer.make("text", "A wrote this", updated="2026-11-22T10:00:07Z")
    merged, backup = sheet.with_change("x", tab_a, seen=None)  # tab A never saw B's version
    assert merged.get("x") == tab_a and merged.get("y") == untouched
    assert backup is not None and backup.answer == tab_b and merged.backups == (backup,)
    again = parse_sheet(merged.to_json())
    assert again.backups[0].answer.value == "B wrote this"


def test_a_change_over_the_version_the_writer_saw_keeps_no_backup() -> None:
    first = Answer.make("text", "draft", updated="2026-11-22T10:00:05Z")
    sheet = AnswerSheet(path="p").with_answer("x", first)
    merged, backup = sheet.with_change("x", Answer.make("text", "draft 2"), seen=first.updated)
    assert backup is None and not merged.backups


def test_backups_are_bounded() -> None:
    sheet = AnswerSheet(path="p")
    for i in range(MAX_BACKUPS + 5):
        sheet = sheet.with_answer("x", Answer.make("text", f"other tab {i}", updated="2026-11-22T10:00:00Z"))
        sheet, _ = sheet.with_change("x", Answer.make("text", f"this tab {i}"), seen=None)
    assert len(sheet.backups) == MAX_BACKUPS
    assert sheet.backups[-1].answer.value == f"other tab {MAX_BACKUPS + 4}"


@pytest.mark.parametrize(
    ("kind", "value", "answered"),
    [
        ("text", "  ", False),
        ("text", "a thought", True),
        ("scale", None, False),
        ("scale", 3, True),
        ("checklist", {"selected": [], "other": ""}, False),
        ("checklist", {"selected": [], "other": "mine"}, True),
        ("profile", {"know": [], "bring": [], "want": [], "notes": ""}, False),
        ("profile", {"know": ["maps"], "bring": [], "want": [], "notes": ""}, True),
        ("plan", {"step": "", "date": "2026-12-01", "checkin": "", "support": ""}, False),
        ("plan", {"step": "call Ana", "date": "", "checkin": "", "support": ""}, True),
        ("example", {"title": "", "story": "", "tags": ["x"]}, False),
        ("example", {"title": "Shared translations", "story": "", "tags": []}, True),
    ],
)
def test_what_counts_as_answered(kind: str, value: object, answered: bool) -> None:
    assert is_answered(Answer.make(kind, value)) is answered
    assert is_answered(None) is False


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("checklist", {"selected": "not a list"}, "expected a list"),
        ("checklist", {"picked": []}, "unexpected field"),
        ("profile", {"know": ["x" * 201]}, "over the limit of 200"),
        ("plan", {"date": "next tuesday"}, "YYYY-MM-DD"),
        ("example", ["not", "a", "record"], "expected an object"),
        ("scale", 101, "whole number"),
    ],
)
def test_every_kind_checks_its_value(kind: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Answer.make(kind, value)


texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300)
short = st.text(max_size=40).filter(lambda s: "\x00" not in s)
tags = st.lists(short, max_size=5)
records = st.one_of(
    st.tuples(st.just("checklist"), st.fixed_dictionaries({}, optional={"selected": tags, "other": short})),
    st.tuples(
        st.just("profile"),
        st.fixed_dictionaries({}, optional={"know": tags, "bring": tags, "want": tags, "notes": texts}),
    ),
    st.tuples(
        st.just("plan"),
        st.fixed_dictionaries(
            {},
            optional={
                "step": texts,
                "date": st.dates().map(lambda d: d.isoformat()),
                "checkin": short,
                "support": texts,
            },
        ),
    ),
    st.tuples(st.just("example"), st.fixed_dictionaries({}, optional={"title": short, "story": texts, "tags": tags})),
)


@given(
    answers=st.dictionaries(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True),
        st.one_of(
            st.tuples(st.just("text"), texts),
            st.tuples(st.just("scale"), st.one_of(st.none(), st.integers(0, 100))),
            records,
        ),
        max_size=12,
    ),
    revision=st.integers(0, 10**6),
    overwritten=st.lists(texts, max_size=3),
)
def test_any_valid_sheet_survives_the_json_round_trip(
    answers: dict[str, tuple[str, object]], revision: int, overwritten: list[str]
) -> None:
    sheet = AnswerSheet(path="some-path", revision=revision)
    for key, (kind, value) in answers.items():
        sheet = sheet.with_answer(key, Answer.make(kind, value, updated="2026-11-22T10:00:00Z"))
    for i, text in enumerate(overwritten):  # another tab's versions, kept as backups
        sheet = sheet.with_answer("tab", Answer.make("text", text, updated=f"2026-11-22T09:00:0{i}Z"))
        sheet, _ = sheet.with_change("tab", Answer.make("text", f"mine {i}", updated="2026-11-22T10:00:00Z"), seen=None)
    assert parse_sheet(sheet.to_json().encode("utf-8")) == sheet
