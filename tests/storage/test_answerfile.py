"""Answer files in an assignment folder: load, save, merge two tabs, set aside unreadable files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import FILENAME, Answer, parse_sheet
from peerkit.core.errors import DocumentVersionError
from peerkit.storage.answerfile import AnswerFile


def test_missing_file_gives_an_empty_sheet(tmp_path: Path) -> None:
    sheet = AnswerFile(tmp_path, "p").load()
    assert sheet.path == "p" and not sheet.answers and sheet.revision == 0


def test_save_then_load(tmp_path: Path) -> None:
    file = AnswerFile(tmp_path, "p")
    saved, backup = file.save("q", Answer.make("text", "first words"), seen=None)
    assert backup is None
    assert saved.revision == 1
    assert AnswerFile(tmp_path, "p").load() == saved
    assert parse_sheet((tmp_path / FILENAME).read_text()).get("q").value == "first words"  # type: ignore[union-attr]


def test_two_tabs_keep_each_others_answers(tmp_path: Path) -> None:
    tab_a, tab_b = AnswerFile(tmp_path, "p"), AnswerFile(tmp_path, "p")
    tab_a.load(), tab_b.load()
    tab_a.save("one", Answer.make("text", "from tab A"), seen=None)
    after_b, _ = tab_b.save("two", Answer.make("text", "from tab B"), seen=None)
    assert {k: a.value for k, a in after_b.answers.items()} == {"one": "from tab A", "two": "from tab B"}
    assert after_b.revision == 2


def test_unreadable_file_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / FILENAME).write_text("{ this is not json")
    file = AnswerFile(tmp_path, "p")
    assert not file.load().answers
    assert file.quarantined is not None and file.quarantined.read_text() == "{ this is not json"
    file.save("q", Answer.make("text", "new start"), seen=None)
    assert {k: a.value for k, a in parse_sheet((tmp_path / FILENAME).read_text()).answers.items()} == {"q": "new start"}


def test_sheet_of_another_path_is_set_aside_on_save(tmp_path: Path) -> None:
    other = {"format": "peerkit-answers", "version": 1, "path": "other", "revision": 1, "answers": {}}
    (tmp_path / FILENAME).write_text(json.dumps(other))
    file = AnswerFile(tmp_path, "p")
    sheet, _ = file.save("q", Answer.make("text", "mine"), seen=None)
    assert sheet.path == "p" and sheet.revision == 1
    assert any(p.name.startswith("peerkit-answers.unreadable-") for p in tmp_path.iterdir())


def test_same_answer_in_two_tabs_keeps_both_versions(tmp_path: Path) -> None:
    file = AnswerFile(tmp_path, "p")
    file.save("q", Answer.make("text", "tab B's paragraph"), seen=None)
    sheet, backup = file.save("q", Answer.make("text", "tab A's paragraph"), seen=None)  # A never saw B's
    assert sheet.get("q").value == "tab A's paragraph"  # type: ignore[union-attr]
    assert backup is not None and backup.answer.value == "tab B's paragraph"
    assert parse_sheet((tmp_path / FILENAME).read_text()).backups[0].answer.value == "tab B's paragraph"


def test_stamp_changes_when_another_writer_saves(tmp_path: Path) -> None:
    file = AnswerFile(tmp_path, "p")
    assert file.stamp() is None
    file.save("q", Answer.make("text", "one"), seen=None)
    first = file.stamp()
    AnswerFile(tmp_path, "p").save("q", Answer.make("text", "one and two"), seen=None)
    assert file.stamp() != first


def test_stamp_changes_even_when_time_and_size_do_not(tmp_path: Path) -> None:
    file = AnswerFile(tmp_path, "p")
    file.save("q", Answer.make("text", "take 0", updated="2026-11-22T10:00:00Z"), seen=None)
    first = file.stamp()
    assert first is not None
    AnswerFile(tmp_path, "p").save("q", Answer.make("text", "take 1", updated="2026-11-22T10:00:01Z"), seen=None)
    os.utime(file.file, ns=(first[1], first[1]))  # a coarse clock: same time, and the same size
    assert file.stamp() != first


def test_a_write_during_a_load_is_never_missed_by_a_watcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = AnswerFile(tmp_path, "p")
    file.save("q", Answer.make("text", "take 0"), seen=None)
    read = file._read

    def another_tab_saves_meanwhile() -> Any:
        sheet = read()
        AnswerFile(tmp_path, "p").save("q", Answer.make("text", "take 1"), seen=None)
        return sheet

    monkeypatch.setattr(file, "_read", another_tab_saves_meanwhile)
    assert file.load().get("q").value == "take 0"  # type: ignore[union-attr]
    assert file.last_stamp != file.stamp()  # so a watcher comparing the two reloads and gets take 1


def test_the_stamp_left_by_a_save_is_the_file_it_wrote(tmp_path: Path) -> None:
    file = AnswerFile(tmp_path, "p")
    file.save("q", Answer.make("text", "mine"), seen=None)
    assert file.last_stamp == file.stamp()
    AnswerFile(tmp_path, "p").save("q", Answer.make("text", "another tab's"), seen=None)
    assert file.last_stamp != file.stamp()


def test_a_sheet_from_a_newer_peerkit_is_refused_and_left_in_place(tmp_path: Path) -> None:
    newer = {"format": "peerkit-answers", "version": 99, "path": "p", "revision": 1, "answers": {}}
    (tmp_path / FILENAME).write_text(json.dumps(newer))
    file = AnswerFile(tmp_path, "p")
    with pytest.raises(DocumentVersionError, match="version 99") as caught:
        file.load()
    assert caught.value.source == str(tmp_path / FILENAME)
    with pytest.raises(DocumentVersionError):
        file.save("q", Answer.make("text", "would overwrite it"), seen=None)
    assert json.loads((tmp_path / FILENAME).read_text()) == newer  # neither set aside nor overwritten
    assert file.quarantined is None
