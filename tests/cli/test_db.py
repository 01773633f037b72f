"""``peerkit db current`` and ``peerkit db upgrade`` on a real SQLite store at an older revision, at
this peerkit's newest, and at a revision only a newer peerkit knows."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from peerkit.cli import cli
from peerkit.storage.engine import make_engine, migrate, schema_status
from peerkit.storage.revision import newest
from tests.conftest import write_review_course

OLD = "0004"
FUTURE = "9999"


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder with no course and no PEERKIT_* settings: only the options count."""
    monkeypatch.chdir(tmp_path)
    for name in ("PEERKIT_DB", "PEERKIT_WORKDIR", "PEERKIT_COURSE"):
        monkeypatch.delenv(name, raising=False)


def store_at(file: Path, revision: str) -> str:
    """An SQLite store migrated to *revision* (a revision no migration has: stamped on top of head)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{file}"
    engine = make_engine(url)
    try:
        migrate(engine, revision if revision != FUTURE else "head")
        if revision == FUTURE:
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": FUTURE})
    finally:
        engine.dispose()
    return url


def revision_of(url: str) -> tuple[str, ...]:
    engine = make_engine(url)
    try:
        return schema_status(engine).current
    finally:
        engine.dispose()


def db(*args: str) -> Result:
    return CliRunner().invoke(cli, ["db", *args])


def test_current_says_behind_lists_what_upgrade_would_apply_and_exits_3(tmp_path: Path) -> None:
    url = store_at(tmp_path / "peerkit.db", OLD)
    result = db("current", "--db", url)
    assert result.exit_code == 3, result.output
    assert f"store:             {url}" in result.output
    assert f"store's revision:  {OLD}" in result.output
    assert f"peerkit's newest:  {newest()} (" in result.output
    assert "verdict:           behind this peerkit: back up the store, then run `peerkit db upgrade`" in result.output
    assert "would apply 0005 (" in result.output and f"would apply {newest()} (" in result.output
    assert revision_of(url) == (OLD,)  # looking changes nothing


def test_upgrade_moves_the_store_to_the_newest_revision_step_by_step_and_is_idempotent(tmp_path: Path) -> None:
    url = store_at(tmp_path / "peerkit.db", OLD)
    result = db("upgrade", "--db", url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [f"store: {url}", f"upgrading from {OLD} to {newest()}"]
    applied = [line.split()[1] for line in lines if line.startswith("  applied ")]
    assert applied[0] == "0005" and applied[-1] == newest() and applied == sorted(applied)
    assert lines[-1] == f"store upgraded from {OLD} to {newest()} ({len(applied)} migrations)"
    assert revision_of(url) == (newest(),)

    again = db("upgrade", "--db", url)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [f"store: {url}", f"the store is up to date at {newest()}: nothing to do"]

    current = db("current", "--db", url)
    assert current.exit_code == 0, current.output
    assert "verdict:           up to date" in current.output and "would apply" not in current.output


def test_a_store_newer_than_this_peerkit_is_refused_with_both_revisions(tmp_path: Path) -> None:
    url = store_at(tmp_path / "peerkit.db", FUTURE)
    current = db("current", "--db", url)
    assert current.exit_code == 4, current.output
    assert f"store's revision:  {FUTURE}" in current.output
    assert "newer than this peerkit" in current.output
    assert "restore the backup taken before the upgrade" in current.output

    upgrade = db("upgrade", "--db", url)
    assert upgrade.exit_code == 1
    assert f"Error: the store at {url} has schema revision {FUTURE}, newer than this peerkit's newest ({newest()})" in (
        upgrade.output
    )
    assert "Traceback" not in upgrade.output and upgrade.exception is not None
    assert isinstance(upgrade.exception, SystemExit)
    assert revision_of(url) == (FUTURE,)  # left as it was

    # every other command refuses it the same way, instead of alembic's traceback
    course = write_review_course(tmp_path / "src")
    other = CliRunner().invoke(cli, ["submissions", "--course", str(course), "--db", url])
    assert other.exit_code == 1 and isinstance(other.exception, SystemExit)
    assert f"schema revision {FUTURE}, newer than this peerkit's newest ({newest()})" in other.output


def test_the_store_of_the_work_folder_is_found_and_a_missing_one_is_never_created(tmp_path: Path) -> None:
    store_at(tmp_path / "w" / "peerkit.db", OLD)
    found = db("current", "--workdir", str(tmp_path / "w"))
    assert found.exit_code == 3 and f"store's revision:  {OLD}" in found.output

    for command in ("current", "upgrade"):
        missing = db(command, "--workdir", str(tmp_path / "elsewhere"))
        assert missing.exit_code == 1
        assert f"there is no peerkit store at {tmp_path / 'elsewhere' / 'peerkit.db'}" in missing.output
    assert not (tmp_path / "elsewhere").exists()


def test_an_unreachable_store_exits_1_without_its_password() -> None:
    result = db("current", "--db", "postgresql://peerkit:s3cret@127.0.0.1:9/peerkit")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: cannot read the store at postgresql+psycopg://peerkit:***@127.0.0.1:9/")
    assert "s3cret" not in result.output


def test_help_names_the_exit_codes() -> None:
    shown = db("current", "--help").output
    for code, meaning in (
        ("0", "up to date"),
        ("3", "behind"),
        ("4", "newer than this peerkit"),
        ("1", "the store could not be read"),
    ):
        assert f"  {code}  {meaning}" in shown


def test_peerkit_db_alone_names_the_store_outside_any_course_folder(tmp_path: Path) -> None:
    """A Kubernetes Job or an init container has the store's URL in PEERKIT_DB and no course folder."""
    url = store_at(tmp_path / "shared.db", OLD)
    upgraded = CliRunner().invoke(cli, ["db", "upgrade"], env={"PEERKIT_DB": url})
    assert upgraded.exit_code == 0, upgraded.output
    assert CliRunner().invoke(cli, ["db", "current"], env={"PEERKIT_DB": url}).exit_code == 0
