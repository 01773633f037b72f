"""What a learner's "my progress" page shows, gathered from their own side only.

Paths done (their course folder and nbgrader cache, :mod:`peerkit.apps.catalog`), reviews to do and
feedback waiting and the summary notes and the gallery the facilitator released, all read through the
learner's side of the course's exchange (:mod:`peerkit.exchange`). Pure of widgets.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.apps.catalog import PathEntry, list_paths, read_sheet
from peerkit.apps.packet_view import gradebook_of
from peerkit.core.answers import AnswerSheet, parse_time
from peerkit.core.errors import PeerkitError
from peerkit.core.rubric import Rubric, check_review, content_from_value
from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.nbgrader.learner import last_submission_time
from peerkit.review.closing import review_closed
from peerkit.review.inbox import Inbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReviewsToDo:
    """The learner's reviews of one path's round: their classmates' work, and their self-assessment
    (a task of its own: "2 reviews to do and your self-assessment", never "3 reviews")."""

    path_id: str
    title: str
    link: str
    packets: int  # classmates' work to review (the learner's own work not counted)
    written: int  # complete reviews of it saved
    unsent: bool  # complete reviews (self-assessment included) saved since the last submission of the reviews
    #: How the path is reviewed: "round" (a facilitator opens it) or "rolling" (as learners submit).
    mode: str = "round"
    #: Rolling: how many more classmates' submissions this learner is still to be given.
    waiting_for: int = 0
    #: Whether the learner is asked to assess their own work, and whether that is written.
    own: bool = False
    own_written: bool = False

    @property
    def to_do(self) -> int:
        """Classmates' reviews still to write."""
        return max(0, self.packets - self.written)

    @property
    def own_to_do(self) -> bool:
        """The self-assessment is asked for and not written yet."""
        return self.own and not self.own_written

    @property
    def open(self) -> bool:
        """Anything left to write."""
        return bool(self.to_do) or self.own_to_do


def reviews_left(reviews: ReviewsToDo) -> str:
    """What is left to write, in plain words: "2 reviews to do and your self-assessment", "1 review to
    do", "your self-assessment to do" ("" when nothing is)."""
    n = reviews.to_do
    count = f"{n} review{'s' if n != 1 else ''}" if n else ""
    if reviews.own_to_do:
        return f"{count} to do and your self-assessment" if count else "your self-assessment to do"
    return f"{count} to do" if count else ""


@dataclass(frozen=True, slots=True)
class FeedbackWaiting:
    """Feedback released to the learner on one path: their grade and the reviews to rate."""

    path_id: str
    title: str
    link: str
    points: float | None
    max_points: float
    reviews: int
    rated: int
    #: The grade on the course gradebook's scale (points, most), when the feedback carries it.
    gradebook: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    paths: tuple[PathEntry, ...]
    reviews: tuple[ReviewsToDo, ...]
    feedback: tuple[FeedbackWaiting, ...]
    notes: tuple[dict[str, Any], ...]
    gallery_items: int
    #: Every entry of the course home, review assignments included, in course order.
    entries: tuple[PathEntry, ...] = ()
    #: The paths whose peer review the facilitator has closed (no more classmates' work, no reviewers).
    closed: frozenset[str] = frozenset()

    @property
    def done(self) -> int:
        return sum(1 for p in self.paths if p.state == "submitted")


def review_complete(rubric: Rubric, value: Any) -> bool:
    """Whether *value* is a review that counts on *rubric* (every level chosen, the comments asked for)."""
    try:
        return not check_review(rubric, content_from_value(value))
    except PeerkitError:
        return False


def _reviews(
    entry: PathEntry,
    tokens: list[str],
    own: str | None,
    rubric: Rubric,
    sent: datetime | None,
    *,
    mode: str = "round",
    waiting: int = 0,
) -> ReviewsToDo:
    sheet = read_sheet(entry.folder, entry.id) if entry.folder else None
    answers = sheet.answers if sheet else {}

    def complete(key: str) -> bool:
        return key in answers and review_complete(rubric, answers[key].value)

    written = [answers[f"r-{t}"] for t in tokens if complete(f"r-{t}")]
    own_written = bool(own) and complete("self")
    done = written + ([answers["self"]] if own_written else [])
    unsent = any(sent is None or parse_time(a.updated, field="updated") > sent for a in done)
    return ReviewsToDo(
        entry.review_of or "",
        entry.title,
        entry.link,
        len(tokens),
        len(written),
        unsent,
        mode,
        waiting,
        own=bool(own),
        own_written=own_written,
    )


def _rated(sheet: AnswerSheet | None, tokens: list[str]) -> int:
    if sheet is None:
        return 0
    found = 0
    for token in tokens:
        answer = sheet.get(f"h-{token}")
        if answer is not None and isinstance(answer.value, dict):
            found += answer.value.get("helpful") is not None or bool(answer.value.get("flag"))
    return found


def learner_overview(
    folder: Path, config: Config, *, learner: str | None, context: LearnerContext | None = None
) -> Overview:
    """Everything the learner's progress page shows, from *folder* (their course folder), *config*
    and the page's *context* (resolved from them when not given)."""
    ctx = context or resolve_learner_context(folder, config=config, learner=learner)
    entries = list_paths(folder, config, learner=learner)
    reviews: list[ReviewsToDo] = []
    feedback: list[FeedbackWaiting] = []
    closed = frozenset(e.review_of for e in entries if e.review_of is not None and review_closed(ctx, e.review_of))
    for entry in entries:
        if entry.review_of is None or learner is None or entry.state == "available":
            continue
        if ctx.exchange is None:
            continue
        try:  # the local review channel, or the course's hub service under JupyterHub
            inbox = Inbox(entry.review_of, ctx.exchange)
            delivered = inbox.manifest()
            if delivered is None:
                continue
            manifest, rubric, tokens = delivered
            doc = inbox.feedback()
        except PeerkitError as exc:
            log.warning("review packets of %s not readable: %s", entry.review_of, exc)
            continue
        sent = last_submission_time(config, entry.id, learner=learner)
        waiting = manifest.get("waiting_for")
        reviews.append(
            _reviews(
                entry,
                tokens,
                manifest.get("self"),
                rubric,
                sent,
                mode=str(manifest.get("mode") or "round"),
                waiting=waiting if isinstance(waiting, int) and waiting > 0 else 0,
            )
        )
        if doc is not None:
            grade = doc.get("grade", {}) if isinstance(doc.get("grade"), dict) else {}
            received = [
                r["token"] for r in doc.get("reviews", []) if isinstance(r, dict) and isinstance(r.get("token"), str)
            ]
            feedback.append(
                FeedbackWaiting(
                    path_id=entry.review_of,
                    title=str(doc.get("path_title", entry.review_of)),
                    link=entry.link,
                    points=grade.get("points") if isinstance(grade.get("points"), int | float) else None,
                    max_points=float(grade.get("max_points", 0) or 0),
                    reviews=len(received),
                    rated=_rated(read_sheet(entry.folder, entry.id) if entry.folder else None, received),
                    gradebook=gradebook_of(grade),
                )
            )
    gallery = ctx.public(GALLERY_FILE, GALLERY_FORMAT)
    notes = sorted(ctx.notes(), key=lambda d: (int(d.get("position", 0) or 0), str(d.get("path", ""))))
    return Overview(
        paths=tuple(e for e in entries if e.review_of is None),
        reviews=tuple(reviews),
        feedback=tuple(feedback),
        notes=tuple(notes),
        gallery_items=len(gallery.get("items", [])) if gallery else 0,
        entries=tuple(entries),
        closed=closed,
    )
