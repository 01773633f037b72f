"""Real processes, real kills: a cohort big enough that a facilitator's command takes a while, the
``peerkit`` command run as a child process, killed with SIGKILL part-way, and what it left checked.

:func:`make_cohort` builds the one-path review course ("essay", reviewed in rounds) with the real
nbgrader, makes one real submission and copies it into the exchange's inbound folder as *learners*
learners (each with their own answers and submission secret), as ``bench/round.py`` does.
:func:`killed_at` starts a command, kills it after a given share of its measured duration and says
whether it was killed or had finished; :func:`state` is everything a run leaves in the store, read
back in a form two runs can be compared by.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.demo import course_build, setup_learner
from peerkit.nbgrader.build import build_course, write_course_root_config
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, submit
from tests.conftest import write_review_course

PATH = "essay"
PEERKIT = [sys.executable, "-m", "peerkit"]


@dataclass(frozen=True)
class Cohort:
    root: Path
    course_file: Path
    workdir: Path
    db: Path

    def args(self) -> list[str]:
        return ["--course", str(self.course_file), "--workdir", str(self.workdir), "--db", f"sqlite:///{self.db}"]

    def inbound(self) -> Path:
        return self.workdir / "exchange" / "review-course" / "inbound"


def make_cohort(root: Path, learners: int) -> Cohort:
    """The review course built under *root* and *learners* submissions of "essay" in its inbound folder."""
    course_file = write_review_course(root / "src")
    course = load_course(course_file)
    workspace = Workspace.at(root / "work")
    build = course_build(course, workspace, course_file.parent / "nbgrader_config.py")
    build_course(build)
    write_course_root_config(build)
    course_dir = setup_learner(course, workspace, "template")
    config = load_config([workspace.learner_home("template") / ".jupyter"])
    submit(config, fetch(config, PATH, assignment_dir=course_dir, learner="template"), learner="template")
    inbound = workspace.exchange / course.id / "inbound"
    (template,) = inbound.glob(f"template+{PATH}+*")
    stamp = template.name.split("+")[2]
    for i in range(learners):
        name = f"learner{i:04d}"
        target = inbound / f"{name}+{PATH}+{stamp}+r{i:04d}"
        shutil.copytree(template, target)
        sheet = AnswerSheet(path=PATH, revision=3)
        for answer_id in ("story", "lesson"):
            value = f"{name} learned from a colleague at the front desk and shared it with the team."
            sheet = sheet.with_answer(answer_id, Answer.make("text", value, updated="2026-11-22T10:00:00Z"))
        (target / FILENAME).write_bytes(sheet.to_json().encode())
        (target / "submission_secret.txt").write_text(f"{i:064x}")
    shutil.rmtree(template)
    return Cohort(root, course_file, workspace.root, root / "peerkit.db")


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["PYTHONUNBUFFERED"] = "1"  # each line reaches the test as it is printed (killed_on)
    return env


def run(cohort: Cohort, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``peerkit COMMAND ...`` on *cohort*, to its end."""
    done = subprocess.run(
        [*PEERKIT, *command, *cohort.args()], capture_output=True, text=True, env=environment(), timeout=120
    )
    if check:
        assert done.returncode == 0, f"peerkit {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def start(cohort: Cohort, *command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*PEERKIT, *command, *cohort.args()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )


def killed_at(cohort: Cohort, seconds: float, *command: str) -> bool:
    """Start ``peerkit COMMAND``, SIGKILL it after *seconds*; True if it was still running then."""
    process = start(cohort, *command)
    time.sleep(seconds)
    still_running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return still_running


def timed(cohort: Cohort, *command: str) -> float:
    started = time.monotonic()
    run(cohort, *command)
    return time.monotonic() - started


def rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(db, timeout=30)
    try:
        return sorted(connection.execute(query).fetchall(), key=repr)
    finally:
        connection.close()


def integrity(db: Path) -> str:
    connection = sqlite3.connect(db, timeout=30)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def snapshot(cohort: Cohort) -> Path:
    """A copy of *cohort*'s folder beside it, to :func:`restore` it from (in place: its paths stay true)."""
    kept = cohort.root.with_name(cohort.root.name + ".kept")
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(cohort.root, kept, symlinks=True)
    return kept


def restore(cohort: Cohort, kept: Path) -> None:
    shutil.rmtree(cohort.root)
    shutil.copytree(kept, cohort.root, symlinks=True)


def killed_on(cohort: Cohort, line: str, *command: str, stdout: bool = False) -> str:
    """Start ``peerkit COMMAND``, SIGKILL it as soon as it prints a line starting with *line* on
    stderr (its progress; on stdout if *stdout*); return what it had printed. Fails if it ends
    without printing it."""
    process = start(cohort, *command)
    stream = process.stdout if stdout else process.stderr
    assert stream is not None
    seen = []
    for got in stream:
        seen.append(got)
        if got.startswith(line):
            process.send_signal(signal.SIGKILL)
            break
    process.kill()
    process.communicate(timeout=30)
    assert seen and seen[-1].startswith(line), f"peerkit {' '.join(command)} never printed {line!r}:\n{''.join(seen)}"
    return "".join(seen)
