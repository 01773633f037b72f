"""Opening a store: processes that open a new SQLite store at the same moment (two facilitators'
commands, the steward and a command) all get it, at the newest schema; none fails on the other's tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

from peerkit.storage.engine import schema_status

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
