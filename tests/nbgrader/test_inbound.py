"""Which inbound entries collect may take as the learner's they name (the owner rule itself; the
whole flow with real Unix users is in test_collect_users.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from peerkit.config.owners import RecordOwners, user_name
from peerkit.nbgrader.inbound import RefusedEntry, check_entry
from tests.conftest import require

STRANGER = 54321  # a uid nobody on the machine has


def me() -> RecordOwners:
    return RecordOwners(trusted=frozenset({os.geteuid()}))


def submission(inbound: Path, name: str = "ada+essay+2026-11-22 10:00:00.000000 UTC+abc") -> Path:
    entry = inbound / name
    (entry / "sub").mkdir(parents=True)
    (entry / "timestamp.txt").write_text("2026-11-22 10:00:00.000000 UTC")
    (entry / "sub" / "answers.json").write_text("{}")
    return entry


def test_an_entry_written_by_the_facilitator_is_collected(tmp_path: Path) -> None:
    assert check_entry(submission(tmp_path), "ada", me()) is None  # the single-user course


def test_an_entry_holding_a_link_is_refused(tmp_path: Path) -> None:
    entry = submission(tmp_path)
    (entry / "sub" / "secret").symlink_to("/etc/hostname")
    refused = check_entry(entry, "ada", me())
    assert refused == RefusedEntry(entry.name, "ada", user_name(os.geteuid()), "sub/secret is a link")
    assert str(refused).startswith(f"an entry named for ada owned by {user_name(os.geteuid())} (sub/secret is a link)")


def test_an_entry_that_is_a_link_or_a_file_is_refused(tmp_path: Path) -> None:
    target = submission(tmp_path, "elsewhere")
    link = tmp_path / "ada+essay+2026-11-23 10:00:00.000000 UTC+x"
    link.symlink_to(target)
    file = tmp_path / "ada+essay+2026-11-24 10:00:00.000000 UTC+y"
    file.write_text("")
    for entry in (link, file):
        refused = check_entry(entry, "ada", me())
        assert refused is not None and refused.why == "a link or a file, not a folder"


@pytest.mark.parametrize("where", ["entry", "inner"])
def test_an_entry_or_a_file_in_it_owned_by_someone_else_is_refused(tmp_path: Path, where: str) -> None:
    require(os.geteuid() == 0, "giving a file to another user needs root")
    entry = submission(tmp_path)
    os.chown(entry if where == "entry" else entry / "sub" / "answers.json", STRANGER, STRANGER)
    refused = check_entry(entry, "ada", me())
    assert refused is not None and (refused.learner, refused.owner) == ("ada", f"uid {STRANGER}")
    assert refused.why == ("" if where == "entry" else "holds sub/answers.json")
    assert str(refused).startswith(f"an entry named for ada owned by uid {STRANGER}")


def test_a_refused_entry_named_to_forge_lines_is_told_on_one_line(tmp_path: Path) -> None:
    """Anybody names an inbound entry; the collect report and the CLI print it on one line, so a name
    holding line breaks cannot add lines of its own (a fake "refused" or "collected" line)."""
    name = "ana+essay+2026-11-05 09:00:00 UTC+x\n  refused: an entry named for bo\r\t"
    entry = tmp_path / name
    entry.symlink_to(tmp_path)
    problem = check_entry(entry, "ana", RecordOwners.of_folder(tmp_path))
    assert problem is not None
    told = str(problem)
    assert "\n" not in told and "\r" not in told and "\t" not in told, told
    assert "x␊  refused" in told
