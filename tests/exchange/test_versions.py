"""Documents from a newer peerkit on the exchange: learners' pages log them and carry on, the facilitator is stopped."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from peerkit.core import documents
from peerkit.core.activity import event_line, new_event
from peerkit.core.errors import DocumentVersionError
from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT, feedback_file
from peerkit.exchange.files.activity import read_activity
from peerkit.exchange.files.channels import read_feedback
from peerkit.exchange.files.public import read_public


def test_a_newer_public_document_is_logged_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / GALLERY_FILE).write_text(json.dumps({"format": GALLERY_FORMAT, "version": 7, "items": []}))
    with caplog.at_level(logging.WARNING):
        assert read_public(tmp_path, GALLERY_FILE, GALLERY_FORMAT) is None
    assert str(tmp_path / GALLERY_FILE) in caplog.text and "version 7" in caplog.text


def test_a_current_public_document_is_read(tmp_path: Path) -> None:
    doc = documents.dump(documents.GALLERY, {"items": []})
    (tmp_path / GALLERY_FILE).write_text(json.dumps(doc))
    assert read_public(tmp_path, GALLERY_FILE, GALLERY_FORMAT) == doc


def test_newer_feedback_is_logged_and_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / feedback_file("essay")).write_text(json.dumps({"format": "peerkit-feedback", "version": 5}))
    with caplog.at_level(logging.WARNING):
        assert read_feedback(tmp_path, "essay") is None
    assert feedback_file("essay") in caplog.text and "version 5" in caplog.text


def test_an_activity_line_from_a_newer_peerkit_stops_the_facilitators_ingest(tmp_path: Path) -> None:
    line = json.loads(event_line(new_event("ana", "opened", "essay")))
    (tmp_path / "ana.jsonl").write_text(json.dumps({**line, "version": 2}) + "\n")
    with pytest.raises(DocumentVersionError, match=r"ana\.jsonl: activity line version 2") as caught:
        read_activity(tmp_path)
    assert caught.value.source == str(tmp_path / "ana.jsonl")


def test_unstamped_activity_lines_of_an_older_peerkit_are_still_ingested(tmp_path: Path) -> None:
    stamped = json.loads(event_line(new_event("ana", "opened", "essay")))
    line = {k: v for k, v in stamped.items() if k not in ("format", "version")}
    (tmp_path / "ana.jsonl").write_text(json.dumps(line) + "\n")
    found = read_activity(tmp_path)
    assert (len(found.events), found.files, found.skipped) == (1, 1, 0)
