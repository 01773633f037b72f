"""The rolling steward's intake: new submissions and reviews, noticed and taken in one learner at a time.

nbgrader's inbound folder is listed once per tick, and not at all while it has not changed; only the
learners with an entry newer than the one taken in are collected (nbgrader collect of one learner)
and recorded (ingest), so a tick costs what arrived, not the cohort.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from peerkit.core import allocation as alloc
from peerkit.core.errors import PeerkitError
from peerkit.core.models import Course, LearningPath
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.ingest import Unreadable, path_requirements, read_submission
from peerkit.review.collect import ingest_reviews
from peerkit.review.profiles import learner_profiles
from peerkit.review.rolling_state import PathState
from peerkit.storage.sql import SqlStore


def inbound_entries(inbound: Path, path: LearningPath) -> dict[tuple[str, str], str]:
    """The newest inbound entry of each learner, for the path and its review assignment."""
    newest: dict[tuple[str, str], str] = {}
    wanted = {path.id, path.review_id}
    try:
        entries = os.scandir(inbound)
    except FileNotFoundError:
        return newest
    with entries:
        for entry in entries:
            parts = entry.name.split("+")
            if len(parts) < 3 or parts[1] not in wanted:
                continue
            key = (parts[1], parts[0])
            if entry.name > newest.get(key, ""):
                newest[key] = entry.name
    return newest


def arrivals(inbound: Path, path: LearningPath, state: PathState) -> tuple[list[str], list[str]]:
    """Learners with a submission, and learners with reviews, newer than the ones taken in."""
    try:
        mtime = inbound.stat().st_mtime
    except FileNotFoundError:
        return [], []
    if mtime == state.inbound_mtime:
        return [], []
    state.inbound_mtime = mtime
    subs: list[str] = []
    reviews: list[str] = []
    for (assignment, learner), name in sorted(inbound_entries(inbound, path).items()):
        if state.seen[assignment].get(learner) == name:
            continue
        state.seen[assignment][learner] = name
        (subs if assignment == path.id else reviews).append(learner)
    return subs, reviews


@dataclass
class Intake:
    """What taking work in needs of the course, the same for every path and every tick of a steward:
    the store, the course, nbgrader's configuration, who each learner is on this host, the course root,
    and each path's required answers once read (cached here)."""

    store: SqlStore
    course: Course
    config: Config
    unix_users: Mapping[str, str]
    course_root: Path
    required: dict[str, tuple[str, ...] | None] = field(default_factory=dict)

    def take_in(
        self, path: LearningPath, state: PathState, learners: list[str], *, needs_key: bool, problems: list[str]
    ) -> tuple[list[str], list[alloc.Pair]]:
        """Collect and record the submissions of *learners* and put the newcomers in the pool; return
        who was taken in and the reviews given out; what could not be taken in is added to *problems*."""
        if not learners:
            return [], []
        if path.id not in self.required:
            self.required[path.id] = path_requirements(self.course_root, path.id)
        items = []
        for learner in learners:
            try:
                run = collect(self.config, path.id, unix_users=self.unix_users, learner=learner)
            except PeerkitError as exc:
                problems.append(f"{learner}: could not collect ({exc})")
                continue
            problems += [str(entry) for entry in run.refused]
            for found_folder in run.collected:
                try:
                    found = read_submission(found_folder.folder, path.id, required=self.required[path.id])
                except Unreadable as skip:
                    problems.append(f"{learner}: {skip}")
                    continue
                items.append(found.submission(path.id))
        self.store.record_submissions(items)
        new_people = [i.learner for i in items if i.learner not in state.pool]
        if new_people:
            circles = {lrn.name: lrn.circle for lrn in self.store.learners() if lrn.circle and lrn.name in new_people}
            profiles = learner_profiles(self.store, self.course)
            state.pool.know(circles=circles, profiles={n: p for n, p in profiles.items() if n in new_people})
        taken: list[str] = []
        added: list[alloc.Pair] = []
        for item in items:
            if item.channel_key:
                state.keys[item.learner] = item.channel_key
            if item.status == "no-answers":
                problems.append(f"{item.learner}: a submission without answers is not sent for review")
                continue
            if needs_key and item.learner not in state.keys:
                problems.append(f"{item.learner}: submitted without nbgrader's secret; cannot deliver to them")
                continue
            if item.learner not in state.pool:
                taken.append(item.learner)
                added += state.pool.submit(item.learner)
        return taken, added

    def take_reviews(
        self, path: LearningPath, state: PathState, learners: list[str], *, problems: list[str]
    ) -> tuple[list[alloc.Pair], list[str], set[str]]:
        """Collect and record the reviews of *learners*; return the pairs now done, the reviewers
        back after a lease ran out, and authors whose late review counts again."""
        if not learners:
            return [], [], set()
        for learner in learners:
            try:
                collect(self.config, path.review_id, unix_users=self.unix_users, learner=learner)
            except PeerkitError as exc:
                problems.append(f"{learner}: could not collect reviews ({exc})")
        report = ingest_reviews(self.store, self.course, self.course_root, path.id, learners=learners)
        problems += [f"{p.learner}: {p.reason}" for p in report.problems]
        done: list[alloc.Pair] = []
        late: set[str] = set()
        for a in self.store.assignments(path.id, reviewers=learners):
            if a.status != "done":
                continue
            if a.token in state.open:
                del state.open[a.token]
                state.pool.finish(a.reviewer, a.author)
                done.append((a.reviewer, a.author))
            elif a.token in state.expired:
                del state.expired[a.token]
                state.pool.finish(a.reviewer, a.author, expired=True)
                state.tokens.setdefault(a.reviewer, []).append(a.token)
                done.append((a.reviewer, a.author))
                late.add(a.author)
        back = [r for r in learners if state.pool.away(r)]
        return done, back, late
