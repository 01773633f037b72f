"""What the facilitator's actions return (:mod:`peerkit.facilitator.api`): frozen, typed, printable.

Each result keeps the reports of the steps it ran (nbgrader's ingest, the round's allocation, the
grades) so a front end can show a summary (``summary()``/``table()``) or read the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from peerkit.core.review import Grade, NewRating
from peerkit.core.terminal import terminal_safe
from peerkit.nbgrader.build import BuildResult
from peerkit.nbgrader.inbound import RefusedEntry
from peerkit.nbgrader.ingest import IngestReport
from peerkit.review.collect import ReviewReport
from peerkit.review.feedback import CloseReport
from peerkit.review.rolling import StewardReport
from peerkit.review.round import OpenReport
from peerkit.review.scale import PathScale


@dataclass(frozen=True, slots=True)
class Built:
    """What ``build`` did: each path released now or left unchanged."""

    paths: tuple[BuildResult, ...]

    def summary(self) -> str:
        return "\n".join(f"{r.path_id}: {'released' if r.released else 'unchanged'}" for r in self.paths)


@dataclass(frozen=True, slots=True)
class Collected:
    """nbgrader's collect of one path, and the ingest of every collected folder (unless skipped)."""

    path_id: str
    found: int
    ingested: IngestReport | None
    #: Inbound entries not collected: the learner each names did not write it (a classmate did).
    refused: tuple[RefusedEntry, ...] = ()

    def summary(self) -> str:
        lines = [f"collected {self.found} submission(s) of {self.path_id} with nbgrader"]
        lines += [f"  refused: {entry}" for entry in self.refused]
        if self.ingested is not None:
            lines.append(self.ingested.summary())
            lines += [f"  skipped {p.folder!r}: {p.reason}" for p in self.ingested.problems]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RoundUpdate:
    """A round opened or brought up to date: submissions ingested (None when not asked), finished
    reviews counted first (None before the round exists), then assignments made and packets delivered."""

    ingested: IngestReport | None
    reviews: ReviewReport | None
    opened: OpenReport
    #: When the round had closed, if this opened it again (None: it was open).
    reopened: datetime | None = None

    def summary(self) -> str:
        parts = [report.summary() for report in (self.ingested, self.reviews) if report is not None]
        if self.reopened is not None:
            parts.append(
                f"{self.opened.path_id}: open again (it closed {_when(self.reopened)}); learners' review pages"
                " take reviews again, and the next `peerkit review close` grades them"
            )
        return "\n".join([*parts, self.opened.summary()])


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class Stewarded:
    """One look at every rolling path (or those asked for): what each took in, gave out and released."""

    reports: tuple[StewardReport, ...]

    @property
    def actions(self) -> int:
        """What needs a facilitator: each submission made after its path's review closed (graded by hand)."""
        return sum(len(r.late) for r in self.reports)

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.reports)

    def summary(self) -> str:
        if not self.reports:
            return "no path is reviewed in rolling mode (review: {mode: rolling} in course.yml)"
        return "\n".join(r.summary() for r in self.reports)


@dataclass(frozen=True, slots=True)
class AnotherReview:
    """A review asked for when none was owed: its packet token, or None when nothing is left."""

    path_id: str
    learner: str
    token: str | None


@dataclass(frozen=True, slots=True)
class Responses:
    """Learners' responses to the feedback on a path (what they changed, what they kept and why, one
    answer revised), as plain text, by learner (:meth:`summary` shows control characters, never obeys them)."""

    path_id: str
    responses: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        if not self.responses:
            return f"{self.path_id}: no response to feedback yet"
        lines = [f"{self.path_id}: {len(self.responses)} responses to feedback"]
        for learner, text in self.responses:
            lines += ["", f"{learner}:", *(f"  {line}" for line in terminal_safe(text).splitlines())]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Closed:
    """A round closed: the latest reviews collected (None when not asked), grades computed and released."""

    reviews: ReviewReport | None
    closed: CloseReport
    #: Closed before (this is a later close): reviewers whose reviews came after that close, now graded.
    late: tuple[str, ...] = ()
    #: When the round had closed before this close (None: this is its first).
    closed_before: datetime | None = None

    def summary(self) -> str:
        late = []
        if self.late and self.closed_before is not None:
            late = [
                f"{self.closed.path_id}: reviews submitted after the close of {_when(self.closed_before)} taken in"
                f" and graded: {', '.join(terminal_safe(n, one_line=True) for n in self.late)}"
            ]
        return "\n".join([*([self.reviews.summary()] if self.reviews else []), *late, self.closed.table()])


@dataclass(frozen=True, slots=True)
class Grades:
    """A path's current grades (overrides included), with how sure each one is."""

    path_id: str
    grades: tuple[Grade, ...]
    #: The path's scale, the one every grade is shown on (None: the rubric's total).
    scale: PathScale | None = None

    def table(self) -> str:
        return CloseReport(self.path_id, self.grades, (), self.scale).table().rsplit("\n", 1)[0]


@dataclass(frozen=True, slots=True)
class Override:
    """A grade set by hand (``points`` None: the computed grade restored), and re-released."""

    path_id: str
    learner: str
    #: On the path's scale, of :attr:`maximum`: what the export holds and the learner's feedback shows.
    points: float | None
    maximum: float

    def summary(self) -> str:
        if self.points is None:
            return f"{self.learner}: computed grade restored; re-released"
        return f"{self.learner}: {self.points:g} / {self.maximum:g} points set by hand; re-released"


@dataclass(frozen=True, slots=True)
class Exclusion:
    path_id: str
    packet: str
    excluded: bool

    def summary(self) -> str:
        state = "excluded" if self.excluded else "counts again"
        return f"review {self.packet} {state}; run `peerkit review close {self.path_id}` to re-release"


@dataclass(frozen=True, slots=True)
class Example:
    """A submission graded by the facilitator: an anchor for reviewers' biases."""

    path_id: str
    learner: str
    scores: Mapping[str, float]
    maximum: float

    @property
    def total(self) -> float:
        return sum(self.scores.values())

    def summary(self) -> str:
        total = f"{self.total:g} / {self.maximum:g}"
        return f"{self.learner}'s submission of {self.path_id} is now a graded example ({total})"


@dataclass(frozen=True, slots=True)
class Flags:
    """Reviews their authors flagged (and whether each is excluded), and grades that deserve a look."""

    flagged: tuple[tuple[NewRating, bool], ...]
    looks: tuple[Grade, ...]

    def summary(self) -> str:
        lines = [f"reviews flagged by their authors: {len(self.flagged)}"]
        for rating, excluded in self.flagged:
            state = "excluded" if excluded else "counted"
            reason = terminal_safe(rating.flag_reason, one_line=True) if rating.flag_reason else "(no reason given)"
            lines.append(f"  packet {rating.token} ({state}), flagged by {rating.rater}: {reason}")
        lines.append(f"grades to look at: {len(self.looks)}")
        lines += [f"  {grade.author}: {'; '.join(grade.flags)}" for grade in self.looks]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Export:
    """An export's text and the file name it is offered under."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class PathSummary:
    """Where a peer-reviewed path's round stands, in one line (the hub service's overview)."""

    path: str
    title: str
    submissions: int
    round_open: bool
    reviews_to_do: int
    waiting_for_reviews: int
    #: Of :attr:`submissions`, those with required answers blank, and those without any answers:
    #: they are not complete (:mod:`peerkit.core.completeness`).
    with_blanks: int = 0
    without_answers: int = 0
