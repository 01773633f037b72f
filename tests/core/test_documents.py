"""Versioned documents: every format round-trips, older versions are upgraded, newer ones are refused clearly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core import documents
from peerkit.core.activity import event_line, new_event, parse_line
from peerkit.core.answers import Answer, AnswerSheet, parse_sheet
from peerkit.core.documents import DocumentFormat, dump, parse
from peerkit.core.errors import DocumentVersionError, ValidationError


def upgrade_v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """v1 kept one ``name``; v2 splits it into first and last."""
    first, _, last = str(doc.pop("name")).partition(" ")
    return {**doc, "first": first, "last": last}


def upgrade_v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """v3 adds ``tags`` (none, for older documents)."""
    return {**doc, "tags": []}


PEOPLE = documents.register(
    DocumentFormat(
        "test-people", 3, "people list", upgraders={1: upgrade_v1_to_v2, 2: upgrade_v2_to_v3}, max_bytes=1000
    )
)

REAL = [f for f in documents.formats() if not f.name.startswith("test-")]

#: JSON bodies: objects of text keys (never the stamp keys) and JSON values.
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
bodies = st.dictionaries(
    st.text(max_size=12).filter(lambda k: k not in ("format", "version", "schema_version")), values, max_size=6
)


def test_every_format_peerkit_writes_is_registered() -> None:
    names = {f.name for f in REAL}
    assert names == {
        "peerkit-answers",
        "peerkit-packet",
        "peerkit-round",
        "peerkit-feedback",
        "peerkit-activity",
        "peerkit-notes",
        "peerkit-gallery",
        "peerkit-review-state",
        "peerkit-round-export",
        "peerkit-notebook",
    }


@pytest.mark.parametrize("fmt", REAL, ids=lambda f: f.name)
@given(body=bodies)
def test_every_format_round_trips(fmt: DocumentFormat, body: dict[str, Any]) -> None:
    doc = dump(fmt, body)
    assert doc[fmt.version_key] == fmt.version
    if fmt.format_key is not None:
        assert doc[fmt.format_key] == fmt.name
    text = json.dumps(doc, ensure_ascii=False)
    if len(text) <= fmt.max_bytes:
        assert parse(text, fmt, source="f.json") == doc
    assert parse(doc, fmt.name, source="f.json") == doc  # an already decoded object, the format by name


def test_dump_puts_the_stamps_first_and_they_win_over_the_body() -> None:
    doc = dump(documents.PACKET, {"path": "p", "format": "forged", "version": 99})
    assert list(doc) == ["format", "version", "path"]
    assert doc["format"] == "peerkit-packet" and doc["version"] == 1


def test_notebook_metadata_carries_schema_version_and_no_format() -> None:
    doc = dump(documents.NOTEBOOK, {"path": "p"})
    assert doc == {"schema_version": documents.NOTEBOOK.version, "path": "p"}


def test_an_older_document_is_upgraded_step_by_step() -> None:
    v1 = {"format": "test-people", "version": 1, "name": "Ada Lovelace"}
    assert parse(json.dumps(v1), PEOPLE, source="people.json") == {
        "format": "test-people",
        "version": 3,
        "first": "Ada",
        "last": "Lovelace",
        "tags": [],
    }
    v2 = {"format": "test-people", "version": 2, "first": "Ada", "last": "L"}
    assert parse(v2, PEOPLE, source="people.json")["tags"] == []
    v3 = dump(PEOPLE, {"first": "Ada", "last": "L", "tags": ["x"]})
    assert parse(v3, PEOPLE, source="people.json") == v3


def test_the_input_is_not_changed_by_an_upgrade() -> None:
    v1 = {"format": "test-people", "version": 1, "name": "Ada Lovelace"}
    parse(v1, PEOPLE, source="people.json")
    assert v1 == {"format": "test-people", "version": 1, "name": "Ada Lovelace"}


def test_a_newer_version_names_the_file_the_version_and_the_fix() -> None:
    with pytest.raises(DocumentVersionError) as caught:
        parse('{"format": "test-people", "version": 4}', PEOPLE, source="/course/people.json")
    error = caught.value
    assert isinstance(error, ValidationError)
    assert (error.source, error.format, error.found, error.supported, error.field) == (
        "/course/people.json",
        "test-people",
        4,
        3,
        "version",
    )
    message = str(error)
    assert message.startswith("/course/people.json: ")
    assert "version 4" in message and "reads up to 3" in message and "upgrade peerkit" in message


def test_a_version_older_than_any_upgrader_is_refused_clearly() -> None:
    only_recent = DocumentFormat("test-recent", 3, "recent list", upgraders={2: upgrade_v2_to_v3})
    with pytest.raises(DocumentVersionError, match=r"old\.json: .*version 1 is not supported.*versions 2 to 3"):
        parse({"format": "test-recent", "version": 1}, only_recent, source="old.json")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ('{"format": "peerkit-packet", "version": 1}', "format", "not a peerkit people list"),
        ('{"version": 3}', "format", "its 'format' is None"),
        ('{"format": "test-people"}', "version", "no valid 'version'"),
        ('{"format": "test-people", "version": "3"}', "version", "found '3'"),
        ('{"format": "test-people", "version": true}', "version", "found True"),
        ('{"format": "test-people", "version": 0}', "version", "found 0"),
        ('{"format": "test-people", "version": 2.5}', "version", "found 2.5"),
        ("[1, 2]", None, "must be a JSON object, not list"),
        ('"text"', None, "must be a JSON object, not str"),
        ('{"format": "test-', None, r"not valid JSON: Unterminated string .*\(line 1, column 12\)"),
        ("{}\n\nnot json", None, r"not valid JSON: Extra data \(line 3, column 1\)"),
        (b"\xff\xfe\x00garbage", None, "not valid JSON"),
        ("x" * 1001, None, "1,001 bytes, over the limit of 1,000"),
    ],
)
def test_malformed_documents_name_the_file_and_the_field(data: str | bytes, field: str | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse(data, PEOPLE, source="people.json")
    assert not isinstance(caught.value, DocumentVersionError)
    assert str(caught.value).startswith("people.json: ")
    assert caught.value.field == field


def test_the_size_limit_can_be_set_per_call() -> None:
    with pytest.raises(ValidationError, match="over the limit of 10"):
        parse(json.dumps(dump(PEOPLE, {"first": "Ada"})), PEOPLE, source="p.json", max_bytes=10)


def test_formats_are_registered_once() -> None:
    assert documents.register(PEOPLE) is PEOPLE  # the same definition again is harmless
    with pytest.raises(ValueError, match="already registered"):
        documents.register(DocumentFormat("test-people", 1, "other"))
    with pytest.raises(ValueError, match="unknown document format"):
        parse("{}", "test-nobody", source="x.json")


def test_upgraders_must_cover_every_older_version() -> None:
    with pytest.raises(ValueError, match="upgraders must cover"):
        DocumentFormat("test-gap", 3, "gap", upgraders={1: upgrade_v1_to_v2})
    with pytest.raises(ValueError, match="upgraders must cover"):
        DocumentFormat("test-future", 2, "future", upgraders={1: upgrade_v1_to_v2, 2: upgrade_v2_to_v3})


# -- the real formats, through their owners' parsers --------------------------------------------


def test_an_answer_sheet_from_a_newer_peerkit_is_refused_with_its_file_name() -> None:
    doc = json.loads(AnswerSheet(path="p").with_answer("a", Answer.make("text", "x")).to_json())
    doc["version"] = documents.ANSWERS.version + 1
    with pytest.raises(DocumentVersionError, match=r"^/home/ana/p/peerkit-answers\.json: answer sheet version 2"):
        parse_sheet(json.dumps(doc), source="/home/ana/p/peerkit-answers.json")


def test_activity_lines_are_stamped_and_older_unstamped_lines_still_read() -> None:
    event = new_event("ana", "opened", "essay")
    line = event_line(event)
    assert json.loads(line)["format"] == "peerkit-activity"
    unstamped = {k: v for k, v in json.loads(line).items() if k not in ("format", "version")}
    assert parse_line(json.dumps(unstamped).encode(), learner="ana") == event
    newer = {**json.loads(line), "version": 2}
    with pytest.raises(DocumentVersionError, match=r"^ana\.jsonl: activity line version 2"):
        parse_line(json.dumps(newer).encode(), learner="ana", source="ana.jsonl")
