"""A work folder whose store holds the seeded cohort of tests/facilitator/conftest.py (no nbgrader:
fast), for the commands' refusals: what they say, their exit code, and that nothing was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from peerkit.cli import cli
from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.facilitator.conftest import seed


@dataclass(frozen=True)
class Desk:
    """The seeded course: its course.yml, work folder and store."""

    course_file: Path
    workdir: Path

    @property
    def options(self) -> list[str]:
        return ["--course", str(self.course_file), "--workdir", str(self.workdir)]

    @property
    def store_file(self) -> Path:
        return self.workdir / "peerkit.db"

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, *self.options])

    def snapshot(self) -> tuple[object, ...]:
        """What the store holds that a refused command could have touched: learners, anchors, grades."""
        store = SqlStore.open(Workspace.at(self.workdir).store_url)
        try:
            return (store.learners(), store.anchors("essay"), store.grades("essay"))
        finally:
            store.close()


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """The review course (one path, "essay"; rubric: clear 0/1/2, grounded 0/2) with the seeded cohort:
    ana, bo, cy and dee submitted, eli and fay are learners who did not; the round is open."""
    course_file = write_review_course(tmp_path / "src")
    (tmp_path / "w").mkdir()
    store = SqlStore.open(Workspace.at(tmp_path / "w").store_url)
    seed(store, load_course(course_file))
    store.close()
    return Desk(course_file=course_file, workdir=tmp_path / "w")
