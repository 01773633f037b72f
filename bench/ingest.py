"""Ingest 1,000 collected submissions into the store, SQLite and PostgreSQL, beside nbgrader's collect.

    .venv/bin/python -m bench.ingest [--learners 1000]

Builds the real course in a temporary workspace, makes one real submission through nbgrader and
copies it into the exchange's inbound folder as N learners (each with its own answers: six
activities, about 150 words of text each), then times, in this order and in this process:
nbgrader's collect of the path (the baseline), peerkit's ingest into a fresh SQLite file, and
into a fresh database on a throwaway PostgreSQL server; then a second ingest of each, which finds
nothing new. Target: ingest ≤ 10 s for each backend.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.demo import course_build, setup_learner
from peerkit.nbgrader.build import build_course
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.ingest import ingest
from peerkit.nbgrader.learner import fetch, submit
from peerkit.storage.sql import SqlStore
from tests.postgres_server import throwaway_postgres

T = TypeVar("T")
TARGET = 10.0
PATH = "what-is-peer-learning"
REPO = Path(__file__).resolve().parent.parent
WORDS = ["peer", "learning", "colleague", "library", "question", "answer", "practice", "share", "idea", "coach"]


def answers_for(rng: random.Random, learner: str) -> bytes:
    sheet = AnswerSheet(path=PATH, revision=rng.randint(5, 400))
    for i in range(6):
        text = " ".join(rng.choice(WORDS) for _ in range(150)) + f" ({learner})"
        sheet = sheet.with_answer(f"answer-{i}", Answer.make("text", text, updated="2026-11-22T10:00:00Z"))
    return sheet.to_json().encode()


def make_inbound(workspace: Workspace, learners: int) -> None:
    course = load_course(REPO / "course" / "course.yml")
    build = course_build(course, workspace, REPO / "course" / "nbgrader_config.py")
    build_course(build, paths=[PATH])
    course_dir = setup_learner(course, workspace, "template")
    learner_config = load_config([workspace.learner_home("template") / ".jupyter"])
    folder = fetch(learner_config, PATH, assignment_dir=course_dir, learner="template")
    submit(learner_config, folder, learner="template")
    inbound = workspace.exchange / course.id / "inbound"
    (template,) = inbound.iterdir()
    stamp = template.name.split("+")[2]
    rng = random.Random(20261122)
    for i in range(learners):
        name = f"learner{i:05d}"
        target = inbound / f"{name}+{PATH}+{stamp}+r{i:05d}"
        shutil.copytree(template, target)
        (target / FILENAME).write_bytes(answers_for(rng, name))
    shutil.rmtree(template)


def timed(label: str, func: Callable[[], T], rows: list[tuple[str, float, str]], note: str = "") -> T:
    start = time.perf_counter()
    result = func()
    rows.append((label, time.perf_counter() - start, note))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="peerkit-bench-ingest-") as tmp:
        workspace = Workspace.at(Path(tmp) / "work")
        make_inbound(workspace, args.learners)
        config = load_config([workspace.course_root])
        found = timed("nbgrader collect (baseline)", lambda: collect(config, PATH), rows)
        if len(found) != args.learners:
            raise SystemExit(f"nbgrader collected {len(found)} of {args.learners} submissions")
        root = workspace.course_root
        sqlite = SqlStore.open(f"sqlite:///{Path(tmp) / 'peerkit.db'}")
        report = timed("ingest → SQLite", lambda: ingest(sqlite, root, PATH), rows, "target ≤ 10 s")
        again = timed("ingest again → SQLite (nothing new)", lambda: ingest(sqlite, root, PATH), rows)
        print(f"SQLite: {report.summary()}; second run: {again.summary()}")
        with throwaway_postgres() as server:
            postgres = SqlStore.open(server.create_database("bench"))
            report = timed("ingest → PostgreSQL", lambda: ingest(postgres, root, PATH), rows, "target ≤ 10 s")
            again = timed("ingest again → PostgreSQL", lambda: ingest(postgres, root, PATH), rows)
            print(f"PostgreSQL: {report.summary()}; second run: {again.summary()}")
            postgres.close()
        sqlite.close()
    print(f"\nIngest of {args.learners} collected submissions (seconds, one run each)")
    print(f"{'step':<40} {'seconds':>8}  {'per submission':>14}")
    for label, seconds, _ in rows:
        print(f"{label:<40} {seconds:8.2f}  {1000 * seconds / args.learners:11.2f} ms")
    for label, seconds, note in rows:
        if note:
            print(f"{label}: {seconds:.2f} s ({note}) {'PASS' if seconds <= TARGET else 'FAIL'}")
    print(json.dumps({label: round(seconds, 3) for label, seconds, _ in rows}))


if __name__ == "__main__":
    main()
