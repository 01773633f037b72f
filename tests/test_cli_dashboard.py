"""The dashboard, notes, gallery and export commands: wiring and output (behaviour is tested at the
API level, in tests/facilitator)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.facilitator.conftest import seed


@pytest.fixture
def desk(tmp_path: Path) -> list[str]:
    """Options for a work folder whose store holds the seeded cohort."""
    course_file = write_review_course(tmp_path / "src")
    (tmp_path / "w").mkdir()
    store = SqlStore.open(Workspace.at(tmp_path / "w").store_url)
    seed(store, load_course(course_file))
    store.close()
    return ["--course", str(course_file), "--workdir", str(tmp_path / "w")]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_figures_as_tables(desk: list[str]) -> None:
    progress = run("dashboard", "progress", "essay", *desk)
    assert "activity: 0 new events from 0 learners" in progress  # nothing recorded by pages in this work folder
    assert "to nudge (reviews others wait for): bo, dee" in progress
    assert "essay: 5 opened, 3 answered, 1 submitted with blanks, 3 submitted, 2 reviewed, 0 feedback read" in progress
    assert "Gini of words 0.60" in run("dashboard", "equity", "essay", *desk)
    assert "the whole course: Gini" in run("dashboard", "equity", *desk)
    health = run("dashboard", "health", "essay", *desk)
    assert "reviewers disagree: 1 (provisional" in health and "  cy: " in health


def test_unknown_and_unreviewed_paths_are_one_clean_error(desk: list[str]) -> None:
    result = CliRunner().invoke(cli, ["dashboard", "health", "nope", *desk])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "no learning path 'nope'" in result.output


def test_notes_draft_edit_release_show(desk: list[str], tmp_path: Path) -> None:
    assert "## Summary notes: An essay" in run("notes", "draft", "essay", *desk)
    text = tmp_path / "notes.md"
    text.write_text("## Our notes\n\n- Meet on Friday.\n")
    assert "notes saved (edited)" in run("notes", "edit", "essay", "--file", str(text), "--by", "fac", *desk)
    assert "your edited text is kept" in run("notes", "draft", "essay", *desk)
    released = run("notes", "release", "essay", "--by", "fac", *desk)
    assert (
        "notes released" in released
        and (tmp_path / "w" / "exchange" / "review-course" / "peerkit-public" / "notes-essay.json").is_file()
    )
    shown = CliRunner().invoke(cli, ["notes", "show", "essay", "--workdir", str(tmp_path / "w")])
    assert "[released]" in shown.output and "- Meet on Friday." in shown.output


def test_gallery_list_approve_hide(desk: list[str]) -> None:
    assert run("gallery", "list", *desk).splitlines()[0].split() == ["id", "state", "path", "learner", "title"]
    result = CliRunner().invoke(cli, ["gallery", "approve", "nope", *desk])
    assert result.exit_code == 1 and "no single example" in result.output


def streams(*args: str) -> tuple[str, str]:
    """(stdout, stderr) of a command that succeeds: the file goes to stdout, progress to stderr."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_exports(desk: list[str], tmp_path: Path) -> None:
    grades, progress = streams("export", "grades", "--lms", "moodle", *desk)
    assert next(csv.reader(io.StringIO(grades))) == ["Username", "An essay"]
    assert progress.splitlines()[-1].startswith("exporting grades 2/2")  # one path read, the file written
    out = tmp_path / "reviews.csv"
    written, progress = streams("export", "reviews", "essay", "-o", str(out), *desk)
    assert written == "" and progress.splitlines()[-1] == f"wrote {out}"
    assert "exporting reviews 2/2" in progress
    assert out.read_text().startswith("path,packet,reviewer,author")
    text, progress = streams("export", "round", "essay", "--names", *desk)
    doc = json.loads(text)
    assert doc["names"] is True and {r["reviewer"] for r in doc["reviews"]} == {"ana", "cy", "dee"}
    assert "exporting the round 2/2" in progress


def test_commands_pass_their_options_to_the_api(desk: list[str], tmp_path: Path) -> None:
    calls: dict[str, Any] = {}

    def fake_release(store: object, course: object, exchange: Any, path_id: str, *, by: str, redactor: object) -> str:
        calls["release"] = (exchange.exchange_root, path_id, by)  # the course's files exchange
        return str(exchange.exchange_root)

    def fake_draft(
        store: object, course: object, path_id: str, *, seed: int, keep_edits: bool, redactor: object
    ) -> object:
        calls["draft"] = (path_id, seed, keep_edits)
        return mock.Mock(draft="d", text="d")

    def fake_decide(
        store: object, course: object, exchange: Path, item: str, status: str, *, by: str, redactor: object
    ) -> object:
        calls["decide"] = (item, status, by)
        return mock.Mock(id=item, title="t", state=status)

    with (
        mock.patch("peerkit.facilitator.notes.release_notes", fake_release),
        mock.patch("peerkit.facilitator.notes.draft_notes", fake_draft),
        mock.patch("peerkit.facilitator.gallery.decide", fake_decide),
    ):
        run("notes", "release", "essay", "--by", "ann", *desk)
        run("notes", "draft", "essay", "--seed", "9", "--replace", *desk)
        run("gallery", "hide", "abcd12", "--by", "ann", *desk)
    assert calls == {
        "release": (tmp_path / "w" / "exchange", "essay", "ann"),
        "draft": ("essay", 9, False),
        "decide": ("abcd12", "hidden", "ann"),
    }
