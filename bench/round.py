"""The facilitator's whole round at 200, 1,000 and 10,000 learners, beside nbgrader's own collect.

    .venv/bin/python -m bench.round [--learners 200 1000 10000] [--db sqlite postgresql | URL]
                                    [--gradebook-up-to 200]

For each cohort size, builds the real course (its peer-reviewed path ``peer-learning-groups``) in a
temporary workspace, makes one real submission through nbgrader and copies it into the exchange's
inbound folder as N learners, each with their own answers and their own nbgrader submission secret
(what ``nbgrader submit`` leaves there). Then, through the Facilitator API and in this order, times:
nbgrader's own collect of that inbound folder into a separate course root (the baseline), peerkit's
collect, ingest, open round (allocation, then publishing every reviewer's packets), collect
reviews (every learner's reviews of their packets and their self-assessment, written into the
inbound folder as the review app submits them: not timed), grade, and release feedback: each
learner's feedback document in the review app, then (up to ``--gradebook-up-to`` learners: they
cost about a third of a second per learner) nbgrader's gradebook and its feedback HTML. Every step
shows its progress on stderr. ``--db`` picks the stores: a fresh SQLite file, a fresh database on
a throwaway PostgreSQL server (``postgresql``), or a given SQLAlchemy URL.

Prints one table per store: each step's seconds per size, its ratio to nbgrader's collect of the
same size (×nbg), and its growth from each size to the next (×10 is linear from 1k to 10k).
Target: every step up to the learners' feedback, at 10,000 learners, in ≤ 60 s on each store.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from traitlets.config import Config

from peerkit.cli.common import ProgressBar
from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.core.models import Course
from peerkit.demo import course_build, setup_learner
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.build import build_course
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, submit
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app
from peerkit.nbgrader.tasks import task_questions
from peerkit.storage.sql import SqlStore

T = TypeVar("T")
TARGET = 60.0
PATH = "peer-learning-groups"
REPO = Path(__file__).resolve().parent.parent
WORDS = ["peer", "learning", "colleague", "library", "question", "answer", "practice", "share", "idea", "coach"]
STEPS = (
    "nbgrader collect (baseline)",
    "collect",
    "ingest",
    "open round: allocate",
    "open round: publish packets",
    "collect reviews",
    "grade",
    "release: feedback documents",
    "release: nbgrader gradebook",
    "release: nbgrader feedback HTML",
)


def text(rng: random.Random, words: int, tail: str = "") -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + tail


@dataclass
class Cohort:
    """A built course whose exchange holds *learners* submissions of :data:`PATH`."""

    workspace: Workspace
    course: Course
    learners: int
    review_template: Path  # a real review submission, copied for every learner once packets are out
    stamp: str


def make_cohort(root: Path, learners: int) -> Cohort:
    """The real course built under *root*, and *learners* submissions in its inbound folder: one
    real ``nbgrader submit``, copied per learner with their own answers and submission secret."""
    workspace = Workspace.at(root / "work")
    course = load_course(REPO / "course" / "course.yml")
    path = course.path(PATH)
    build = course_build(course, workspace, REPO / "course" / "nbgrader_config.py")
    build_course(build, paths=[PATH])  # the path and its review assignment
    course_dir = setup_learner(course, workspace, "template")
    config = load_config([workspace.learner_home("template") / ".jupyter"])
    submit(config, fetch(config, PATH, assignment_dir=course_dir, learner="template"), learner="template")
    submit(config, fetch(config, path.review_id, assignment_dir=course_dir, learner="template"), learner="template")
    inbound = workspace.exchange / course.id / "inbound"
    (template,) = inbound.glob(f"template+{PATH}+*")
    (review_template,) = inbound.glob(f"template+{path.review_id}+*")
    kept = root / "review-template"
    shutil.move(review_template, kept)
    stamp = template.name.split("+")[2]
    questions = list(task_questions(path.notebook))
    rng = random.Random(20261122)
    for i in range(learners):
        name = f"learner{i:05d}"
        target = inbound / f"{name}+{PATH}+{stamp}+r{i:05d}"
        shutil.copytree(template, target)
        sheet = AnswerSheet(path=PATH, revision=rng.randint(5, 400))
        for number, answer_id in enumerate(questions):  # the last answer signed, as some learners do
            value = text(rng, 60, f" ({name})" if number == len(questions) - 1 else "")
            sheet = sheet.with_answer(answer_id, Answer.make("text", value, updated="2026-11-22T10:00:00Z"))
        (target / FILENAME).write_bytes(sheet.to_json().encode())
        (target / "submission_secret.txt").write_text(secrets.token_hex(64))
    shutil.rmtree(template)
    return Cohort(workspace, course, learners, kept, stamp)


def write_reviews(desk: Facilitator, cohort: Cohort) -> int:
    """Every learner's reviews of the packets they were given and their self-assessment, submitted
    into the inbound folder as the review app does (a copy of a real review submission with the
    learner's answers file). Returns how many reviews were written."""
    path = cohort.course.path(PATH)
    rubric = cohort.course.rubric_for(PATH)
    inbound = cohort.workspace.exchange / cohort.course.id / "inbound"
    given: dict[str, list[str]] = defaultdict(list)
    for assignment in desk.store.assignments(PATH):
        given[assignment.reviewer].append(assignment.token)
    rng = random.Random(7)
    written = 0
    for i, (learner, tokens) in enumerate(sorted(given.items())):
        sheet = AnswerSheet(path=path.review_id)
        for answer_id, token in [*((f"r-{t}", t) for t in tokens), ("self", None)]:
            value = {
                "scores": {c.id: rng.choice(c.levels).points for c in rubric.criteria},
                "comments": {p.id: text(rng, rubric.comment_min_words + 5) for p in rubric.prompts if p.required},
            }
            if token is not None:
                value["packet"] = token
            sheet = sheet.with_answer(answer_id, Answer.make("review", value, updated="2026-11-23T10:00:00Z"))
            written += 1
        target = inbound / f"{learner}+{path.review_id}+{cohort.stamp}+v{i:05d}"
        shutil.copytree(cohort.review_template, target)
        (target / FILENAME).write_bytes(sheet.to_json().encode())
    return written


def baseline_parts(config: Config, root: Path, gradebook: Path) -> Any:
    """nbgrader's own collect (its filesystem exchange, unchanged) of :data:`PATH` into a course root
    of its own, so that peerkit's collect after it finds nothing collected yet, with a copy of the
    course's *gradebook* (made before the clock starts: creating one runs nbgrader's migrations)."""
    separate = Config(config)
    separate.merge(Config({"CourseDirectory": {"root": str(root), "db_url": f"sqlite:///{root / 'gradebook.db'}"}}))
    root.mkdir(parents=True, exist_ok=True)
    if gradebook.is_file():
        shutil.copy(gradebook, root / "gradebook.db")
    return make_parts(separate, assignment_id=PATH).step("Collect", update=True)


def baseline_collect(step: Any, root: Path) -> int:
    run_app(step, f"collect {PATH}")
    return sum(1 for _ in (root / "submitted").glob(f"*/{PATH}"))


class Moment(NamedTuple):
    """Wall-clock and this process's CPU seconds: on a shared machine the two differ."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Moment:
        return cls(time.perf_counter(), time.process_time())

    def __sub__(self, other: object) -> Moment:
        assert isinstance(other, Moment)
        return Moment(self.wall - other.wall, self.cpu - other.cpu)


class StageClock(ProgressBar):
    """A progress bar (plain lines on stderr) that also notes when each announced stage starts."""

    def __init__(self, label: str) -> None:
        super().__init__(label, tty=False)
        self.starts: list[tuple[str, Moment]] = []

    def stage(self, name: str, total: int) -> None:
        self.starts.append((name, Moment.now()))
        super().stage(name, total)

    def since(self, name: str) -> Moment | None:
        return next((at for stage, at in self.starts if stage == name), None)


@dataclass
class Run:
    learners: int
    store: str
    seconds: dict[str, Moment] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@contextmanager
def clock(run: Run, label: str) -> Iterator[StageClock]:
    bar = StageClock(label)
    bar.stage(label, 0)
    start = Moment.now()
    try:
        yield bar
    finally:
        bar.close()
        took = Moment.now() - start
        run.seconds.setdefault(label, took)
        print(f"  {label}: {took.wall:.2f} s (CPU {took.cpu:.2f} s)", file=sys.stderr)


def timed(run: Run, label: str, func: Callable[[StageClock], T]) -> T:
    with clock(run, label) as bar:
        return func(bar)


def split(run: Run, bar: StageClock, start: Moment, labels: Sequence[str], stages: Sequence[str]) -> None:
    """Time *labels* as the spans between *start*, the starts of *stages* and now."""
    end = Moment.now()
    marks = [start, *(bar.since(s) or end for s in stages), end]
    for label, (a, b) in zip(labels, itertools.pairwise(marks), strict=False):
        run.seconds[label] = b - a


def run_round(root: Path, learners: int, store_url: str, store_name: str, *, gradebook: bool = True) -> Run:
    print(f"\n== {learners} learners, {store_name}", file=sys.stderr)
    run = Run(learners, store_name)
    cohort = make_cohort(root, learners)
    store = SqlStore.open(store_url)
    path = cohort.course.path(PATH)
    build = course_build(cohort.course, cohort.workspace, REPO / "course" / "nbgrader_config.py")
    desk = Facilitator(workspace=cohort.workspace, store=store, course=cohort.course, build=build)
    step = baseline_parts(build.config(), root / "baseline", cohort.workspace.course_root / "gradebook.db")
    try:
        found = timed(run, STEPS[0], lambda _: baseline_collect(step, root / "baseline"))
        if found != learners:
            raise SystemExit(f"nbgrader collected {found} of {learners} submissions")
        collected = timed(run, "collect", lambda bar: desk.collect(path_id=PATH, ingest=False, progress=bar))
        if collected.found != learners:
            raise SystemExit(f"peerkit collected {collected.found} of {learners} submissions")
        report = timed(run, "ingest", lambda bar: desk.ingest(path_id=PATH, progress=bar))
        run.notes.append(report.summary())
        start = Moment.now()
        with clock(run, "open round") as bar:
            update = desk.open_round(path_id=PATH, seed=1, collect=False, progress=bar)
        run.seconds.pop("open round")
        split(run, bar, start, STEPS[3:5], ["publishing packets"])
        run.notes.append(update.opened.summary() if update.opened else "")
        reviews = write_reviews(desk, cohort)
        run.notes.append(f"{reviews} reviews written by {learners} learners")
        got = timed(run, "collect reviews", lambda bar: desk.collect_reviews(path_id=PATH, progress=bar))
        run.notes.append(got.summary())
        start = Moment.now()
        with clock(run, "grade and release") as bar:
            closed = desk.close_round(path_id=PATH, collect=False, progress=bar, gradebook=gradebook)
        run.seconds.pop("grade and release")
        stages = ["releasing feedback", "nbgrader gradebook", "nbgrader feedback"]
        split(run, bar, start, STEPS[6:] if gradebook else STEPS[6:8], stages if gradebook else stages[:1])
        run.notes.append(f"{len(closed.closed.released)} learners released; {path.review_id}")
    finally:
        desk.close()
    return run


#: What a learner waits for: every step up to their feedback in the review app.
ROUND = STEPS[1:8]
TOTALS = {
    "round: learners have feedback": ROUND,
    "round with nbgrader's gradebook+HTML": STEPS[1:],
}


def _k(n: int) -> str:
    return f"{n / 1000:g}k"


def table(runs: list[Run], *, cpu: bool = False) -> str:
    sizes = sorted({r.learners for r in runs})
    by_size = {r.learners: r for r in runs}
    head = f"{'step':<38}" + "".join(f"{f'{n:,} s':>10}{'×nbg':>7}" for n in sizes)
    pairs = list(itertools.pairwise(sizes))
    head += "".join(f"{f'{_k(b)}/{_k(a)}':>11}" for a, b in pairs)
    lines = [head]
    for label in (*STEPS, *TOTALS):
        row = f"{label:<38}"
        values: dict[int, float | None] = {}
        for n in sizes:
            seconds = {k: v.cpu if cpu else v.wall for k, v in by_size[n].seconds.items()}
            parts = TOTALS.get(label, (label,))
            value = sum(seconds[k] for k in parts) if all(k in seconds for k in parts) else None
            values[n] = value
            row += f"{'not run':>17}" if value is None else f"{value:10.2f}{value / seconds[STEPS[0]]:7.1f}"
        for a, b in pairs:
            first, last = values[a], values[b]
            row += f"{last / first:11.1f}" if first and last is not None else f"{'-':>11}"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[200, 1000, 10000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], help="sqlite, postgresql or a URL")
    parser.add_argument(
        "--gradebook-up-to",
        type=int,
        default=200,
        help="run nbgrader's gradebook and feedback HTML (about 1/3 s per learner) only up to this many learners",
    )
    args = parser.parse_args()
    from tests.postgres_server import throwaway_postgres

    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="peerkit-bench-round-") as tmp:
        for db in args.db:
            for n in args.learners:
                root = Path(tmp) / f"{db.split(':')[0]}-{n}"
                gradebook = n <= args.gradebook_up_to
                if db == "sqlite":
                    run = run_round(root, n, f"sqlite:///{root / 'peerkit.db'}", "SQLite", gradebook=gradebook)
                elif db == "postgresql":
                    with throwaway_postgres() as server:
                        url = server.create_database("bench")
                        run = run_round(root, n, url, "PostgreSQL", gradebook=gradebook)
                else:
                    run = run_round(root, n, db, db.split("://")[0], gradebook=gradebook)
                results.setdefault(run.store, []).append(run)
                for note in run.notes:
                    print(f"  {note}", file=sys.stderr)
                shutil.rmtree(root, ignore_errors=True)
    for store, runs in results.items():
        for cpu in (False, True):
            kind = "CPU seconds of this process" if cpu else "wall-clock seconds"
            print(f"\nThe facilitator's round on {store} ({kind}; ×nbg: over nbgrader's collect of the same size)")
            print(table(runs, cpu=cpu))
        for run in runs:
            total = sum(run.seconds[k].wall for k in ROUND)
            verdict = "PASS" if total <= TARGET else "FAIL"
            print(f"{run.learners:,} learners: round to feedback {total:.1f} s (target ≤ {TARGET:.0f} s) {verdict}")
    as_json = {
        store: {r.learners: {k: [round(v.wall, 3), round(v.cpu, 3)] for k, v in r.seconds.items()} for r in rs}
        for store, rs in results.items()
    }
    print(json.dumps(as_json))


if __name__ == "__main__":
    main()
