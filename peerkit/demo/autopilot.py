"""The demo's facilitator and peers, acting when the demo learner acts.

``peerkit serve`` runs :meth:`Autopilot.run` beside Voilà. Every couple of seconds it looks at
nbgrader's inbound folder; when the demo learner has submitted a peer-reviewed path since the last
look, it does what a facilitator and a cohort would do over a few days:

1. collect and ingest the path's submissions (the learner's and the peers');
2. open the review round, or bring it up to date: the learner gets packets, peers get theirs;
3. every peer with a review to do writes it and submits it (so the learner is reviewed at once);
4. collect the reviews submitted so far.

When the learner submits their own reviews, they are collected and the round is closed: grades
computed, released through nbgrader's gradebook and feedback, and shown in the review app, where
the learner can rate each review they received. Each step says what it did on the console, so the
person trying the demo can follow the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from peerkit.config.workspace import Workspace
from peerkit.core.errors import PeerkitError
from peerkit.core.models import Course
from peerkit.demo.cohort import Peer, write_peer_reviews
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.build import CourseBuild
from peerkit.review.rolling import is_rolling
from peerkit.review.round import LearnerStatus
from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

Say = Callable[[str], None]


def newest_submission(inbound: Path, learner: str, assignment_id: str) -> str | None:
    """Name of the learner's newest inbound submission of *assignment_id* (names sort by time)."""
    names = sorted(p.name for p in inbound.glob(f"{learner}+{assignment_id}+*"))
    return names[-1] if names else None


@dataclass
class Autopilot:
    course: Course
    workspace: Workspace
    build: CourseBuild
    store: SqlStore
    learner: str
    peers: tuple[Peer, ...]
    say: Say = print
    seen: dict[str, str | None] = field(default_factory=dict)
    #: The facilitator's side of the loop, through the one Facilitator API.
    desk: Facilitator = field(init=False)

    def __post_init__(self) -> None:
        self.desk = Facilitator(
            store=self.store,
            workspace=self.workspace,
            course=self.course,
            exchange=self.build.exchange_root,
            build=self.build,
        )

    @property
    def inbound(self) -> Path:
        return self.build.exchange_root / self.course.id / "inbound"

    def remember_current(self) -> None:
        """Start from what is already there: only submissions made from now on trigger the loop."""
        for path in self.course.reviewed_paths():
            for assignment_id in (path.id, path.review_id):
                self.seen[assignment_id] = newest_submission(self.inbound, self.learner, assignment_id)

    def _new(self, assignment_id: str) -> bool:
        latest = newest_submission(self.inbound, self.learner, assignment_id)
        if latest is None or latest == self.seen.get(assignment_id):
            return False
        self.seen[assignment_id] = latest
        return True

    def standing(self, path_id: str) -> LearnerStatus:
        """Where the demo learner stands in *path_id*'s round: reviews to do and done, reviews received."""
        status = self.desk.round_status(path_id=path_id)
        found = [s for s in status.learners if s.learner == self.learner]
        return found[0] if found else LearnerStatus(self.learner, to_do=0, done=0, received=0, expected=0)

    def tick(self) -> None:
        """One look at the inbound folder, and whatever follows from it."""
        self.roll()
        for path in self.course.reviewed_paths():
            if is_rolling(path):
                continue
            if self._new(path.id):
                self.say(f"[demo] {self.learner} submitted “{path.title}”: the facilitator collects it ...")
                update = self.desk.open_round(path_id=path.id)
                ingested = update.ingested.summary() if update.ingested else ""
                mine = self.standing(path.id)
                packets = mine.to_do + mine.done
                self.say(
                    f"[demo]   {ingested}; review round: {update.opened.added} new assignments, "
                    f"{packets} packets for {self.learner} (open “Review: {path.title}” on the course home)"
                )
                written = write_peer_reviews(self.course, self.workspace, self.store, self.peers, path.id)
                reviews = self.desk.collect_reviews(path_id=path.id)
                received = self.standing(path.id).received
                self.say(
                    f"[demo]   peers wrote {written} reviews; {reviews.summary()}; {self.learner} has {received} so far"
                )
            if self._new(path.review_id):
                reviews = self.desk.collect_reviews(path_id=path.id)
                self.say(f"[demo] {self.learner} submitted reviews of “{path.title}”: {reviews.summary()}")
                for item in reviews.unfinished:
                    if item.learner == self.learner:
                        self.say(f"[demo]   still unfinished: {item.reason}")
                if self.standing(path.id).done:
                    closed = self.desk.close_round(path_id=path.id, collect=False).closed
                    grade = next((g for g in closed.grades if g.author == self.learner), None)
                    scale = closed.scale
                    points = None if grade is None or scale is None else scale.grade(grade)
                    if grade is not None and scale is not None and points is not None:  # the feedback's number
                        self.say(
                            f"[demo]   the facilitator closed the round: {self.learner} gets "
                            f"{points:g} / {scale.maximum:g} points ({grade.confidence} confidence); "
                            f"reopen “Review: {path.title}” to read and rate the reviews"
                        )

    def roll(self) -> None:
        """Rolling paths: the steward's tick (nobody opens a round), and the peers play along: when the
        learner's submission still needs reviews, peers ask for one more and write it at once, so
        the learner's feedback comes back within a tick or two."""
        rolling = [p for p in self.course.reviewed_paths() if is_rolling(p)]
        if not rolling:
            return
        for report in self.desk.steward(path_ids=[p.id for p in rolling]).reports:
            if report.changed:
                self.say(f"[demo] {report.summary()}")
        for path in rolling:
            for peer in self.peers:
                if self.desk.short_of(path_id=path.id, learner=self.learner) == 0:
                    break
                try:
                    self.desk.review_another(path_id=path.id, learner=peer.name)
                except PeerkitError:
                    continue  # this peer has not submitted the path
            if write_peer_reviews(self.course, self.workspace, self.store, self.peers, path.id):
                self.say(f"[demo]   peers reviewed “{path.title}”; their reviews are taken in on the next look")

    def run(self, stop: threading.Event, *, interval: float = 2.0) -> None:
        """Tick until *stop* is set; a failing tick is logged and the loop goes on."""
        self.remember_current()
        while not stop.wait(interval):
            try:
                self.tick()
            except PeerkitError as exc:
                self.say(f"[demo] could not act on the last submission: {exc}")
            except Exception:
                log.exception("demo autopilot tick failed")
