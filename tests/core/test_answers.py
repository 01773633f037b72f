"""The answer sheet: validation, JSON round trip, merging two writers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.answers import (
    FORMAT,
    MAX_ANSWERS,
    MAX_TEXT_CHARS,
    Answer,
    AnswerSheet,
    check_answer_id,
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


def test_merge_keeps_both_writers_answers_and_the_newer_of_a_shared_one() -> None:
    base = (
        AnswerSheet(path="p", revision=5)
        .with_answer("theirs", Answer.make("text", "written in tab B", updated="2026-11-22T10:00:05Z"))
        .with_answer("shared", Answer.make("text", "B's newer text", updated="2026-11-22T10:00:09Z"))
    )
    mine = (
        AnswerSheet(path="p", revision=4)
        .with_answer("mine", Answer.make("text", "written in tab A", updated="2026-11-22T10:00:07Z"))
        .with_answer("shared", Answer.make("text", "A's older text", updated="2026-11-22T10:00:01Z"))
    )
    merged = mine.merged_over(base)
    assert merged.get("theirs").value == "written in tab B"  # type: ignore[union-attr]
    assert merged.get("mine").value == "written in tab A"  # type: ignore[union-attr]
    assert merged.get("shared").value == "B's newer text"  # type: ignore[union-attr]
    assert merged.revision == 5


texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300)
records = st.fixed_dictionaries(
    {},
    optional={
        "selected": st.lists(st.text(max_size=30).filter(lambda s: "\x00" not in s), max_size=5),
        "other": st.text(max_size=50).filter(lambda s: "\x00" not in s),
    },
)


@given(
    answers=st.dictionaries(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True),
        st.one_of(
            st.tuples(st.just("text"), texts),
            st.tuples(st.just("scale"), st.one_of(st.none(), st.integers(0, 100))),
            st.tuples(st.just("checklist"), records),
        ),
        max_size=12,
    ),
    revision=st.integers(0, 10**6),
)
def test_any_valid_sheet_survives_the_json_round_trip(answers: dict[str, tuple[str, object]], revision: int) -> None:
    sheet = AnswerSheet(path="some-path", revision=revision)
    for key, (kind, value) in answers.items():
        sheet = sheet.with_answer(key, Answer.make(kind, value, updated="2026-11-22T10:00:00Z"))
    assert parse_sheet(sheet.to_json().encode("utf-8")) == sheet
