"""Opening a store: processes that open a new SQLite store at the same moment (two facilitators'
commands, the steward and a command) all get it, at the newest schema; none fails on the other's tables.
A migration killed part-way (``peerkit db upgrade``, SIGKILL) leaves the store where it stood: ``peerkit
db current`` says so and a rerun finishes it."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from peerkit.storage.engine import make_engine, migrate, schema_status
from peerkit.storage.revision import newest
from tests.conftest import write_review_course
from tests.facilitator.crashes import Cohort, integrity, killed_at, killed_on, restore, rows, run, snapshot, timed

REPO = Path(__file__).resolve().parents[2]

OPEN = """
import sys
from peerkit.core.errors import StorageError
from peerkit.storage.sql import SqlStore
try:
    SqlStore.open(sys.argv[1]).close()
except StorageError as exc:
    print(exc)
    sys.exit(1)
"""


def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path: Path) -> None:
    for attempt in range(4):
        url = f"sqlite:///{tmp_path / f'store-{attempt}.db'}"
        openers = [
            subprocess.Popen([sys.executable, "-c", OPEN, url], cwd=REPO, stdout=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        said = [p.communicate(timeout=60)[0] for p in openers]
        assert [p.returncode for p in openers] == [0, 0, 0], said  # not "table learner already exists"
        engine = create_engine(url)
        assert schema_status(engine).verdict == "up to date"
        engine.dispose()


# -- `peerkit db upgrade` killed part-way (SIGKILL, a real process) --------------------------------

OLD = "0004"


def old_cohort(root: Path, learners: int) -> Cohort:
    """A course whose store stands at revision :data:`OLD` and holds *learners* submissions with an
    answer each (enough that the copy of the submission table in 0006 takes a moment)."""
    course_file = write_review_course(root / "src")
    cohort = Cohort(root, course_file, root / "work", root / "peerkit.db")
    engine = make_engine(f"sqlite:///{cohort.db}")
    migrate(engine, OLD)
    engine.dispose()
    connection = sqlite3.connect(cohort.db)
    with connection:
        at = "2026-11-22 10:00:00"
        connection.executemany(
            "INSERT INTO learner (id, name, created_at) VALUES (?, ?, ?)",
            [(i, f"learner{i:06d}", at) for i in range(1, learners + 1)],
        )
        connection.executemany(
            "INSERT INTO submission (learner_id, path_id, submitted_at, ingested_at, current, source, checksum, sheet)"
            " VALUES (?, 'essay', ?, ?, 1, 'inbound', ?, ?)",
            [(i, at, at, f"{i:064x}", '{"path": "essay"}' + " " * 300) for i in range(1, learners + 1)],
        )
        connection.executemany(
            "INSERT INTO answer (submission_id, answer_id, kind, value, updated) VALUES (?, 'story', 'text', ?, ?)",
            [(i, '"a story"', at) for i in range(1, learners + 1)],
        )
    connection.close()
    return cohort


def kept(cohort: Cohort) -> list[tuple[Any, ...]]:
    """What an upgrade must keep, and its revision."""
    return [
        *rows(cohort.db, "SELECT count(*), count(DISTINCT learner_id) FROM submission"),
        *rows(cohort.db, "SELECT count(*) FROM answer"),
        *rows(cohort.db, "SELECT version_num FROM alembic_version"),
    ]


def stands(cohort: Cohort) -> tuple[int, str]:
    """`peerkit db current` after a kill: its exit code (0 up to date, 3 behind) and what it said."""
    said = run(cohort, "db", "current", check=False)
    assert "Traceback" not in said.stdout + said.stderr
    assert said.returncode in (0, 3), said.stdout + said.stderr
    return said.returncode, said.stdout


def test_a_db_upgrade_killed_after_its_first_migration_is_finished_by_a_rerun(tmp_path: Path) -> None:
    cohort = old_cohort(tmp_path / "c", 20_000)
    printed = killed_on(cohort, "  applied 0005", "db", "upgrade", stdout=True)
    assert "upgrading from 0004" in printed
    assert integrity(cohort.db) == "ok"
    code, said = stands(cohort)
    assert code == 3 and "store's revision:  0004" in said  # all or nothing: 0005 is not half in
    done = run(cohort, "db", "upgrade", check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # not "table delivered_document already exists"
    assert stands(cohort)[0] == 0
    assert kept(cohort) == [(20_000, 20_000), (20_000,), (newest(),)]


def test_a_db_upgrade_killed_anywhere_ends_as_a_run_never_killed(tmp_path: Path) -> None:
    cohort = old_cohort(tmp_path / "c", 20_000)
    before = snapshot(cohort)
    took = timed(cohort, "db", "upgrade")
    expected = kept(cohort)
    rng = random.Random(20261205)
    for _ in range(2):
        restore(cohort, before)
        killed_at(cohort, rng.uniform(0.3, 1.0) * took, "db", "upgrade")
        assert integrity(cohort.db) == "ok"
        stands(cohort)
        run(cohort, "db", "upgrade")
        assert stands(cohort)[0] == 0
        assert kept(cohort) == expected
