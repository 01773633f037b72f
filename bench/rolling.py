"""Rolling review: submit → reviews to do readable by the learner, with 100, 1,000 and 10,000 already in the pool.

    .venv/bin/python -m bench.rolling [--learners 100 1000 10000] [--db sqlite postgresql | URL] [--submits 5]

For each size, builds the real course (its path ``peer-learning-groups``, reviewed here in rolling
mode, k = 3) in a temporary workspace, puts N submissions in the store and their pool's pairs (as
N earlier submits left them), and starts the steward (its first look reads the pool: "load").
Then, ``--submits`` times, a new learner's real nbgrader submission appears in the exchange's
inbound folder and one steward tick runs: the clock stops when the learner's own side of the
exchange (their review channel, found through the secret in their nbgrader cache) reads a round
manifest with k packets. In the same run, as the baseline, nbgrader's own collect of that one
learner (the floor of taking one submission in) and a round's way of bringing one late submitter
in (``open_round`` again, without collect: what a facilitator's ``peerkit review open`` does).

Prints per size the median tick, the learner-readable time, their ratio to nbgrader's collect of
one learner and to the round's late-submitter step, the load, and the facilitator actions needed
(always 0). Target: submit → reviews to do readable ≤ 1 s at 10,000.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.allocation.rolling import RollingPool
from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.core.models import Course
from peerkit.core.packets import new_token
from peerkit.core.review import channel_key
from peerkit.core.store import NewSubmission
from peerkit.demo import course_build, setup_learner
from peerkit.exchange.registry import open_learner_exchange
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.build import build_course
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, parse_exchange_time, submit
from peerkit.nbgrader.tasks import task_questions
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore

PATH = "peer-learning-groups"
K = 3
TARGET = 1.0
REPO = Path(__file__).resolve().parent.parent
WORDS = ["peer", "learning", "colleague", "library", "question", "answer", "practice", "share", "idea", "coach"]


def rolling_course() -> Course:
    course = load_course(REPO / "course" / "course.yml")
    paths = []
    for path in course.paths:
        if path.id == PATH and path.review is not None:
            path = dataclasses.replace(path, review=dataclasses.replace(path.review, mode="rolling", per_submission=K))
        paths.append(path)
    return dataclasses.replace(course, paths=tuple(paths))


def run(root: Path, n: int, store_url: str, submits: int) -> dict[str, float]:
    workspace = Workspace.at(root / "work")
    course = rolling_course()
    build = course_build(course, workspace, REPO / "course" / "nbgrader_config.py")
    build_course(build, paths=[PATH])
    course_dir = setup_learner(course, workspace, "template")
    config = load_config([workspace.learner_home("template") / ".jupyter"])
    submit(config, fetch(config, PATH, assignment_dir=course_dir, learner="template"), learner="template")
    inbound = workspace.exchange / course.id / "inbound"
    (template,) = inbound.glob(f"template+{PATH}+*")
    stamp = template.name.split("+")[2]
    kept = root / "template-entry"
    shutil.move(template, kept)
    when = parse_exchange_time(stamp)
    assert when is not None
    questions = list(task_questions(course.path(PATH).notebook))
    rng = random.Random(20270110)

    def sheet_for(name: str) -> AnswerSheet:
        sheet = AnswerSheet(path=PATH, revision=rng.randint(5, 400))
        for answer_id in questions:
            value = " ".join(rng.choice(WORDS) for _ in range(60))
            sheet = sheet.with_answer(answer_id, Answer.make("text", value, updated="2027-01-10T10:00:00Z"))
        return sheet

    store = SqlStore.open(store_url)
    names = [f"learner{i:05d}" for i in range(n)]
    for start in range(0, n, 1000):
        store.record_submissions(
            [
                NewSubmission(
                    name,
                    PATH,
                    submitted_at=when,
                    sheet=sheet_for(name),
                    channel_key=channel_key(PATH, secrets.token_hex(64)),
                )
                for name in names[start : start + 1000]
            ]
        )
    settings = course.path(PATH).review
    assert settings is not None
    store.open_round(
        PATH,
        rubric_id=course.rubric_for(PATH).id,
        per_submission=K,
        anonymity=settings.anonymity,
        self_assessment=settings.self_assessment,
        seed=7,
    )
    pool = RollingPool(K, seed=7)
    pairs = [pair for name in names for pair in pool.submit(name)]
    for start in range(0, len(pairs), 20000):
        store.add_assignments(PATH, [(r, a, new_token()) for r, a in pairs[start : start + 20000]])
    desk = Facilitator(store=store, workspace=workspace, course=course, exchange=build.exchange_root, build=build)
    started = time.perf_counter()
    first = desk.steward(path_ids=[PATH])
    load = time.perf_counter() - started
    assert first.reports[0].taken_in == (), first.summary()

    ticks, readable, baseline, round_step, actions = [], [], [], [], 0
    for j in range(submits):
        name = f"newcomer{j:02d}"
        secret = secrets.token_hex(64)
        entry = f"{name}+{PATH}+{stamp}+n{j:02d}"
        cache = root / "cache" / name
        (cache / course.id / entry).mkdir(parents=True)
        (cache / course.id / entry / "submission_secret.txt").write_text(secret)
        # The baseline first, on a copy under another name: nbgrader's own collect of one learner.
        other = f"base{j:02d}"
        shutil.copytree(kept, inbound / f"{other}+{PATH}+{stamp}+b{j:02d}")
        t = time.perf_counter()
        collect(build.config(), PATH, learner=other)
        baseline.append(time.perf_counter() - t)
        shutil.rmtree(inbound / f"{other}+{PATH}+{stamp}+b{j:02d}")
        shutil.rmtree(build.course_root / "submitted" / other)
        # The submission arrives; one tick; the learner's side reads their reviews to do.
        shutil.copytree(kept, inbound / entry)
        (inbound / entry / FILENAME).write_bytes(sheet_for(name).to_json().encode())
        (inbound / entry / "submission_secret.txt").write_text(secret)
        t = time.perf_counter()
        result = desk.steward(path_ids=[PATH])
        ticks.append(time.perf_counter() - t)
        actions += result.actions
        learner_side = open_learner_exchange(
            learner=name,
            course_id=course.id,
            exchange_root=build.exchange_root,
            cache_dir=cache,
            backend_name="files",
        )
        delivered = learner_side.round(PATH)
        readable.append(time.perf_counter() - t)
        assert result.reports[0].taken_in == (name,), result.summary()
        assert delivered is not None and len(delivered.tokens) == K and delivered.manifest["mode"] == "rolling"
    # The round's way, for comparison: a late submitter brought in by open_round (no collect).
    late = "late"
    store.record_submissions(
        [NewSubmission(late, PATH, submitted_at=when, sheet=sheet_for(late), channel_key=channel_key(PATH, "a" * 128))]
    )
    t = time.perf_counter()
    open_round(store, course, PATH, exchange_root=build.channel_root, seed=7)
    round_step.append(time.perf_counter() - t)
    store.close()
    return {
        "load": load,
        "tick": statistics.median(ticks),
        "readable": statistics.median(readable),
        "readable_max": max(readable),
        "nbgrader_collect_one": statistics.median(baseline),
        "round_late_step": round_step[0],
        "actions": actions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--db", nargs="+", default=["sqlite"], help="sqlite, postgresql or a URL")
    parser.add_argument("--submits", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="peerkit-bench-rolling-") as tmp:
        for db in args.db:
            for n in args.learners:
                root = Path(tmp) / f"{db.split(':')[0]}-{n}"
                print(f"{db}: {n:,} in the pool ...", file=sys.stderr)
                if db == "sqlite":
                    result = run(root, n, f"sqlite:///{root / 'peerkit.db'}", args.submits)
                elif db == "postgresql":
                    from tests.postgres_server import throwaway_postgres

                    with throwaway_postgres() as server:
                        result = run(root, n, server.create_database("bench"), args.submits)
                else:
                    result = run(root, n, db, args.submits)
                rows.append((db.split("://")[0], n, result))
                shutil.rmtree(root, ignore_errors=True)
    print("\nRolling review: submit → reviews to do readable by the learner (median of the submits, seconds)")
    print(
        f"{'store':<10} {'pool':>7}  {'tick':>6}  {'readable':>8}  {'worst':>6}  {'nbgrader collect 1':>18}"
        f"  {'×nbg':>5}  {'round late step':>15}  {'÷round':>6}  {'load':>6}  actions"
    )
    for store, n, r in rows:
        print(
            f"{store:<10} {n:>7,}  {r['tick']:>6.3f}  {r['readable']:>8.3f}  {r['readable_max']:>6.3f}"
            f"  {r['nbgrader_collect_one']:>18.3f}  {r['readable'] / r['nbgrader_collect_one']:>5.2f}"
            f"  {r['round_late_step']:>15.3f}  {r['round_late_step'] / r['readable']:>6.1f}  {r['load']:>6.2f}"
            f"  {int(r['actions'])}"
        )
    for store, n, r in rows:
        if n == max(x[1] for x in rows):
            verdict = "PASS" if r["readable"] <= TARGET else "FAIL"
            print(f"{store} {n:,}: submit → reviews to do {r['readable']:.3f} s (target ≤ {TARGET:.0f} s) {verdict}")
    print(f"facilitator actions needed: {sum(int(r['actions']) for _, _, r in rows)}")


if __name__ == "__main__":
    main()
