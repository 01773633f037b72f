"""The facilitator dashboard's first tab for a generated cohort of 100 and 10,000 learners.

    .venv/bin/python -m bench.dashboard [--learners 100 10000] [--repeat 3]

For each size, a seeded cohort of the real course (``course/course.yml``: seven paths, two of them
peer reviewed) is written straight into a fresh SQLite store through the storage API (as
``tests/facilitator/conftest.py`` seeds its cohort): learners in circles of eight, submissions
that thin out path by path (a few with blanks), activity events, review rounds with reviews done
and open, and helpfulness ratings. Then, in this process, it times:

* the baseline: the bare ``store.submissions()`` query of every path;
* the Facilitator API's cohort snapshot (``Facilitator.cohort()``);
* the first tab (Progress, every path): its figures, plots and HTML from the snapshot;
* the whole thing as the dashboard does it: ``Dashboard(...)`` up to its first tab drawn (the
  other tabs are drawn when they are first shown).

Each step is the median of ``--repeat`` runs (the first includes matplotlib's import, reported
apart as "cold"), in wall-clock seconds and, beside them, this process's CPU seconds with the
machine's load (on a shared machine the wall clock also counts others' turns on the cores).
Targets (wall clock): first tab ≤ 2 s for 100 learners and ≤ 4 s for 10,000.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.activity import ActivityEvent, new_event
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.models import Course
from peerkit.core.review import NewRating, NewReview
from peerkit.core.rubric import ReviewContent
from peerkit.core.store import NewSubmission
from peerkit.storage.sql import SqlStore

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
TARGETS = {100: 2.0, 10_000: 4.0}
BASELINE = "baseline: store.submissions() of every path"
TOTAL = "Dashboard() to its first tab"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORDS = ["peer", "learning", "colleague", "question", "answer", "practice", "share", "idea", "coach", "team"]
CIRCLE = 8


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def make_cohort(store: SqlStore, course: Course, learners: int, *, seed: int = 16) -> dict[str, int]:
    """Write a cohort of *learners* into *store*; return what was written, by kind."""
    rng = random.Random(seed)
    names = [f"learner{i:05d}" for i in range(learners)]
    counts = {"learners": learners, "submissions": 0, "reviews": 0, "ratings": 0, "events": 0}
    for i, name in enumerate(names):  # circles: who reviews whom inside a group
        if i % 3 == 0:
            store.add_learner(name, circle=f"circle {i // (CIRCLE * 3) + 1}")
    events: list[ActivityEvent] = []
    reach = 1.0
    for p, path in enumerate(course.paths):
        reach *= 0.93  # each path loses a few learners
        when = T0 + timedelta(days=3 * p)
        subs = []
        for n, name in enumerate(names):
            roll = rng.random()
            if roll > reach + 0.05:
                continue  # never opened this path
            events.append(new_event(name, "opened", path.id, at=when + timedelta(minutes=n % 600)))
            if roll > reach:
                continue  # opened, no more
            events.append(new_event(name, "answered", path.id, "a1", at=when + timedelta(minutes=5 + n % 600)))
            if roll > reach * 0.9:
                continue  # answered, not submitted
            blank = rng.random() < 0.05
            answers = {
                f"a{k}": Answer.make(
                    "text", "" if blank and k == 2 else _text(rng, rng.randint(5, 60)), updated=when.isoformat()
                )
                for k in (1, 2)
            }
            sheet = AnswerSheet(path=path.id, answers=answers)
            subs.append(
                NewSubmission(
                    name,
                    path.id,
                    when + timedelta(hours=1, minutes=n % 600),
                    sheet,
                    channel_key=f"{p:02x}{n:062x}",
                    status="incomplete" if blank else "complete",
                    blank=1 if blank else 0,
                )
            )
        store.record_submissions(subs)
        counts["submissions"] += len(subs)
        if path.review is None:
            continue
        per = path.review.per_submission
        store.open_round(
            path.id, rubric_id=course.rubric_for(path.id).id, per_submission=per, anonymity="double-blind",
            self_assessment=False, seed=seed, now=when + timedelta(days=1),
        )  # fmt: skip
        authors = [s.learner for s in subs]
        pairs = [
            (authors[(i + k) % len(authors)], author, f"{p:02x}{i:024x}{k:06x}")
            for i, author in enumerate(authors)
            for k in range(1, per + 1)
        ]
        store.add_assignments(path.id, pairs, now=when + timedelta(days=1))
        rubric = course.rubric_for(path.id)
        done = [pair for pair in pairs if rng.random() < 0.7]
        reviews = [
            NewReview(
                reviewer,
                token,
                ReviewContent(
                    scores={c.id: rng.choice(c.levels).points for c in rubric.criteria},
                    comments={pr.id: _text(rng, rng.randint(10, 40)) for pr in rubric.prompts},
                ),
                when + timedelta(days=2, minutes=i % 900),
            )
            for i, (reviewer, _author, token) in enumerate(done)
        ]
        store.record_reviews(path.id, reviews)
        ratings = [
            NewRating(author, token, rng.randint(1, 5), flagged=rng.random() < 0.02, flag_reason="Unkind")
            for _reviewer, author, token in done
            if rng.random() < 0.5
        ]
        store.record_ratings(path.id, ratings)
        counts["reviews"] += len(reviews)
        counts["ratings"] += len(ratings)
    store.record_activity(events)
    counts["events"] = len(events)
    return counts


#: The median CPU seconds of each step (this process only), by label: on a shared machine the wall
#: clock also counts the time other processes held the cores.
CPU: dict[str, float] = {}


def timed(func: Callable[[], T], repeat: int, label: str = "") -> tuple[T, float, float]:
    """*func*'s result, its first run's seconds (cold) and the median of *repeat* runs after it
    (their median CPU seconds go to :data:`CPU` under *label*)."""
    start = time.perf_counter()
    result = func()
    cold = time.perf_counter() - start
    runs, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[label] = statistics.median(cpu)
    return result, cold, statistics.median(runs)


def bench(learners: int, repeat: int, tmp: Path) -> dict[str, float]:
    from peerkit.dashboard import views
    from peerkit.dashboard.app import Dashboard
    from peerkit.facilitator.api import Facilitator

    course = load_course(REPO / "course" / "course.yml")
    store = SqlStore.open(f"sqlite:///{tmp / f'cohort-{learners}.db'}")
    start = time.perf_counter()
    counts = make_cohort(store, course, learners)
    print(f"\n{learners:,} learners: seeded in {time.perf_counter() - start:.1f} s: {json.dumps(counts)}")
    desk = Facilitator(course=course, workspace=Workspace.at(tmp / f"work-{learners}"), store=store)
    path_ids = [p.id for p in course.paths]

    def baseline() -> int:
        return sum(len(store.submissions(pid)) for pid in path_ids)

    def first_tab() -> str:
        return views.progress_html(desk.cohort(), None)

    def dashboard() -> Dashboard:
        board = Dashboard(facilitator=desk, by="bench")
        board.close_all()
        return board

    rows: dict[str, float] = {}

    def step(label: str, func: Callable[[], T]) -> tuple[T, float]:
        result, cold, rows[label] = timed(func, repeat, label)
        return result, cold

    step(BASELINE, baseline)
    cohort, _ = step("Facilitator.cohort() snapshot", desk.cohort)
    _, cold = step("first tab from the snapshot (figures, plots, HTML)", lambda: views.progress_html(cohort, None))
    rows["(cold: the first draw, matplotlib imported)"] = cold
    step("snapshot + first tab", first_tab)
    step(TOTAL, dashboard)
    store.close()
    base = rows[BASELINE]
    print(f"{'step':<56} {'seconds':>8} {'× baseline':>11} {'CPU s':>7}")
    for label, seconds in rows.items():
        cpu = f"{CPU[label]:7.3f}" if label in CPU else ""
        print(f"{label:<56} {seconds:8.3f} {seconds / base:10.1f}× {cpu}")
    target = TARGETS.get(learners)
    total = rows[TOTAL]
    if target is not None:
        verdict = "PASS" if total <= target else "FAIL"
        print(
            f"first tab for {learners:,} learners: {total:.2f} s (target ≤ {target:g} s) {verdict}"
            f" (CPU {CPU[TOTAL]:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="peerkit-bench-dashboard-") as tmp:
        for learners in args.learners:
            rows = bench(learners, args.repeat, Path(tmp))
            target = TARGETS.get(learners)
            failed |= target is not None and rows[TOTAL] > target
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
