"""The dashboard's figures, computed from a :class:`~peerkit.facilitator.data.Cohort` snapshot.

* :func:`progress`: per path and learner, how far they got (opened, answered, submitted with blanks
  or submitted complete, reviewed, feedback read), and who is stuck: waiting for reviews, or with
  reviews still to do (the list to nudge);
* :func:`equity`: whose voices are heard (:mod:`peerkit.core.equity`) over one path or the course;
* :func:`health`: review completion, comment length, helpfulness ratings, flagged reviews, grades
  with low confidence or reviewers who disagree;
* :func:`reviewer_bias`: each reviewer's bias as the calibrated reviewer model estimates it;
* :func:`grade_scale`, :func:`grade_points`, :func:`grading_methods`: a path's grades on its one
  scale (:mod:`peerkit.review.scale`), and the method that graded each criterion;
* :func:`checks`: which checks of understanding learners most often get wrong at their first try.

Pure: the same snapshot gives the same figures, in the Voilà app, the command line and the API.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from peerkit.core import kinds
from peerkit.core.activity import ActivityEvent
from peerkit.core.aggregation import aggregate
from peerkit.core.answers import Answer, parse_time
from peerkit.core.completeness import Status, status_label
from peerkit.core.equity import Contribution, Participation, participation
from peerkit.core.review import Assignment
from peerkit.core.rubric import word_count
from peerkit.facilitator.data import Cohort, PathRecords

if TYPE_CHECKING:
    from peerkit.review.grading import CriterionMethod
    from peerkit.review.scale import PathScale

#: "submitted" counts complete submissions only; one with required answers blank, or without any
#: answers, is "submitted with blanks" (:mod:`peerkit.core.completeness`) and never counts as submitted.
STAGES = ("opened", "answered", "submitted with blanks", "submitted", "reviewed", "feedback read")


# -- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnerProgress:
    """Where one learner stands in one path. ``reviewed`` and ``feedback_read`` are None where they do
    not apply (a path without peer review, nobody to review yet, no feedback released yet)."""

    learner: str
    path_id: str
    opened: bool
    answered: bool
    submitted: bool
    reviewed: bool | None
    feedback_read: bool | None
    last_seen: datetime | None = None
    #: The current submission has required answers blank, or none at all (then ``submitted`` is False).
    submitted_with_blanks: bool = False
    #: How many required answers that submission left blank.
    blank: int = 0
    #: The stored status of the current submission (None: nothing collected yet).
    status: Status | None = None

    @property
    def blanks(self) -> str:
        """What a submission with blanks lacks, in a few words ("2 blank", "no answers"); else empty."""
        return status_label(self.status or "complete", self.blank) if self.submitted_with_blanks else ""

    def stage(self, name: str) -> bool | None:
        value: bool | None = getattr(self, _STAGE_FIELDS[name])
        return value


#: Each of :data:`STAGES` by the :class:`LearnerProgress` field that holds it.
_STAGE_FIELDS = dict(
    zip(STAGES, ("opened", "answered", "submitted_with_blanks", "submitted", "reviewed", "feedback_read"), strict=True)
)


@dataclass(frozen=True, slots=True)
class Standing:
    """A learner in a review round: reviews to do and done, reviews received of those promised."""

    learner: str
    to_do: int
    done: int
    received: int
    expected: int
    oldest_open: datetime | None = None

    @property
    def waiting(self) -> bool:
        return self.received < self.expected


@dataclass(frozen=True, slots=True)
class Stuck:
    learner: str
    path_id: str
    reason: str
    since: datetime | None = None
    nudge: bool = False  # the learner can act (reviews to do), rather than wait for others


@dataclass(frozen=True, slots=True)
class Progress:
    rows: tuple[LearnerProgress, ...]
    stuck: tuple[Stuck, ...]

    @property
    def nudge(self) -> list[str]:
        """Learners to remind: they have reviews to do that others are waiting for."""
        return sorted({s.learner for s in self.stuck if s.nudge})

    def funnel(self, path_id: str) -> dict[str, int]:
        """How many learners of *path_id* reached each stage."""
        rows = [r for r in self.rows if r.path_id == path_id]
        return {stage: sum(1 for r in rows if getattr(r, _STAGE_FIELDS[stage])) for stage in STAGES}


def standing(assignments: Iterable[Assignment], submitters: Iterable[str], per_submission: int) -> list[Standing]:
    """Each learner's place in a round, from its assignments (replaced ones do not count)."""
    to_do: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    oldest: dict[str, datetime] = {}
    for a in assignments:
        if a.status == "open":
            to_do[a.reviewer] += 1
            oldest[a.reviewer] = min(oldest.get(a.reviewer, a.assigned_at), a.assigned_at)
        elif a.status == "done":
            done[a.reviewer] += 1
            received[a.author] += 1
    authors = set(submitters)
    return [
        Standing(n, to_do[n], done[n], received[n], per_submission if n in authors else 0, oldest.get(n))
        for n in sorted(authors | set(to_do) | set(done))
    ]


def progress(cohort: Cohort, path_id: str | None = None) -> Progress:
    """Progress of every learner in *path_id* (or every path), and who is stuck."""
    events: dict[tuple[str, str], list[ActivityEvent]] = defaultdict(list)
    for e in cohort.activity:
        # a review assignment's events ("<path>-review") count for the path it reviews
        events[(e.learner, e.path_id.removesuffix("-review"))].append(e)
    rows: list[LearnerProgress] = []
    stuck: list[Stuck] = []
    for records in cohort.selected(path_id):
        pid = records.id
        subs = {s.learner: s for s in records.states}  # statuses: no answer sheet is read
        mine: dict[str, list[Assignment]] = defaultdict(list)
        for a in records.assignments:
            if a.status != "replaced":
                mine[a.reviewer].append(a)
        released = {g.author for g in records.stored_grades if g.released_at is not None}  # never provisional
        raters = {r.rater for r in records.ratings}
        for name in cohort.names:
            seen = events.get((name, pid), [])
            kinds = {e.event for e in seen if e.path_id == pid}
            sub = subs.get(name)
            # only a submission the store holds counts: a "submitted" event is the page's (or anyone's) word
            submitted = sub is not None and sub.complete
            with_blanks = sub is not None and not sub.complete
            # the sheet is read only when the learner's activity does not say so already
            answered = "answered" in kinds or (sub is not None and records.answered(name))
            opened = answered or submitted or with_blanks or "opened" in kinds
            reviewed: bool | None = None
            if records.round is not None and mine.get(name):
                reviewed = all(a.status == "done" for a in mine[name])
            feedback: bool | None = None
            if name in released:
                feedback = name in raters or any(e.event == "feedback read" for e in seen)
            if not (opened or name in mine):
                continue  # not begun: counted by the funnel's absence, not listed
            rows.append(
                LearnerProgress(
                    learner=name,
                    path_id=pid,
                    opened=opened,
                    answered=answered,
                    submitted=submitted,
                    reviewed=reviewed,
                    feedback_read=feedback,
                    last_seen=max((e.at for e in seen), default=None),
                    submitted_with_blanks=with_blanks,
                    blank=sub.blank if with_blanks and sub is not None else 0,
                    status=sub.status if sub is not None else None,
                )
            )
        if records.round is not None and records.round.closed_at is None:
            stuck += _stuck(records, records.round.per_submission)
    return Progress(rows=tuple(rows), stuck=tuple(sorted(stuck, key=lambda s: (s.path_id, not s.nudge, s.learner))))


def _stuck(records: PathRecords, per_submission: int) -> list[Stuck]:
    found = []
    submitted_at = {s.learner: s.submitted_at for s in records.states}
    for s in standing(records.assignments, records.submitters, per_submission):
        if s.to_do:
            noun = "review" if s.to_do == 1 else "reviews"
            found.append(Stuck(s.learner, records.id, f"{s.to_do} {noun} still to do", s.oldest_open, nudge=True))
        if s.waiting:
            found.append(
                Stuck(
                    s.learner,
                    records.id,
                    f"waiting for reviews: {s.received} of {s.expected}",
                    submitted_at.get(s.learner),
                )
            )
    return found


# -- participation equity -------------------------------------------------------------------------


def answer_words(answer: Answer) -> int:
    """Words a learner wrote in *answer* that others can read (choices and scales count none; each
    kind says which of its text is the learner's own)."""
    return word_count(kinds.get(answer.kind).written(answer.value))


def contributions(records: Iterable[PathRecords]) -> list[Contribution]:
    """Every answer and every peer review's comments, as words written at a time."""
    found = []
    for rec in records:
        for sub in rec.submissions:
            for answer in sub.sheet.answers.values():
                words = answer_words(answer)
                if words:
                    found.append(Contribution(sub.learner, parse_time(answer.updated, field="updated"), words))
        for review in rec.peer_reviews():
            words = sum(word_count(t) for t in review.content.comments.values())
            found.append(Contribution(review.reviewer, review.submitted_at, words, "review"))
    return found


def equity(cohort: Cohort, path_id: str | None = None, *, points: int = 12) -> Participation:
    """Whose voices are heard in *path_id* (or the whole course)."""
    records = cohort.selected(path_id)
    pairs = [(r.reviewer, r.author) for rec in records for r in rec.peer_reviews()]
    return participation(cohort.names, contributions(records), pairs, circles=cohort.circles, points=points)


# -- review health --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlaggedReview:
    token: str
    reviewer: str
    author: str
    reason: str
    excluded: bool


@dataclass(frozen=True, slots=True)
class GradeConcern:
    author: str
    points: float | None
    confidence: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Health:
    path_id: str
    assigned: int
    done: int
    mean_comment_words: float | None
    ratings: int
    mean_helpful: float | None
    helpful_counts: dict[int, int]
    flagged: tuple[FlaggedReview, ...]
    disagreement: tuple[GradeConcern, ...]
    low_confidence: tuple[GradeConcern, ...]
    provisional: bool = False
    #: The path's points, the scale of :attr:`GradeConcern.points` (None: no grades yet).
    points_of: float | None = None

    @property
    def completion(self) -> float | None:
        return self.done / self.assigned if self.assigned else None


DISAGREE = "reviewers disagree"


def health(cohort: Cohort, path_id: str) -> Health:
    """Review health of the round of *path_id* (figures are empty before it opens)."""
    (rec,) = cohort.selected(path_id)
    live = [a for a in rec.assignments if a.status != "replaced"]
    reviews = rec.peer_reviews()
    words = [sum(word_count(t) for t in r.content.comments.values()) for r in reviews]
    helpful = [r.helpful for r in rec.ratings if r.helpful is not None]
    by_token = {r.token: r for r in reviews if r.token}
    flagged = tuple(
        FlaggedReview(
            token=rating.token,
            reviewer=by_token[rating.token].reviewer if rating.token in by_token else "?",
            author=rating.rater,
            reason=rating.flag_reason,
            excluded=rating.token in by_token and by_token[rating.token].excluded,
        )
        for rating in rec.ratings
        if rating.flagged
    )
    disagreement: list[GradeConcern] = []
    low: list[GradeConcern] = []
    points_of = None
    if rec.grades:  # the path's notebook (its points) is read only when there are grades to show
        scale = grade_scale(cohort, rec.id)
        points_of = scale.maximum
        for g in rec.grades:
            concern = GradeConcern(g.author, scale.grade(g), g.confidence, g.flags)
            if any(f.startswith(DISAGREE) for f in g.flags):
                disagreement.append(concern)
            if g.confidence == "low" or any(f.startswith("uncertain") for f in g.flags):
                # Low overall with no criterion uncertain enough to flag: the reason is the grade's own spread.
                shown = None if g.flags else scale.spread(g.uncertainty)
                spread = () if shown is None else (f"±{shown:.2f} of {scale.maximum:g} points",)
                low.append(replace(concern, reasons=concern.reasons or spread))
    return Health(
        path_id=rec.id,
        assigned=len(live),
        done=sum(1 for a in live if a.status == "done"),
        mean_comment_words=round(sum(words) / len(words), 1) if words else None,
        ratings=len(helpful),
        mean_helpful=round(sum(helpful) / len(helpful), 2) if helpful else None,
        helpful_counts=dict(sorted(Counter(helpful).items())),
        flagged=flagged,
        disagreement=tuple(disagreement),
        low_confidence=tuple(low),
        provisional=rec.provisional,
        points_of=points_of,
    )


# -- grades ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bias:
    """A reviewer's estimated bias over the whole rubric, in points on the path's grade scale (positive: generous)."""

    reviewer: str
    bias: float
    reviews: int


def reviewer_bias(cohort: Cohort, path_id: str) -> list[Bias]:
    """Each reviewer's bias from the calibrated reviewer model, summed over the rubric's criteria,
    most severe first. With facilitator-graded examples the biases are absolute; without, they are
    relative to the cohort's typical reviewer."""
    from peerkit.review.grading import criterion_reviews

    (rec,) = cohort.selected(path_id)
    reviews = [r for r in rec.peer_reviews() if not r.excluded]
    if not reviews:
        return []
    rubric = cohort.course.rubric_for(rec.id)
    authors = sorted({r.author for r in reviews} | set(rec.anchors))
    reviewers = sorted({r.reviewer for r in reviews})
    a_index = {n: i for i, n in enumerate(authors)}
    r_index = {n: i for i, n in enumerate(reviewers)}
    total = np.zeros(len(reviewers))
    for criterion in rubric.criteria:
        data = criterion_reviews(reviews, criterion, a_index, r_index)
        if data is None:
            continue
        anchors = {a_index[a]: s[criterion.id] for a, s in rec.anchors.items() if criterion.id in s}
        fit = aggregate(data, "calibrated", anchors=anchors or None)
        if fit.reviewer_bias is not None:
            total += np.nan_to_num(fit.reviewer_bias)
    counts = Counter(r.reviewer for r in reviews)
    per_point = grade_scale(cohort, rec.id).spread(1.0) or 0.0  # on the grades' scale
    biases = [Bias(n, round(float(total[i]) * per_point, 3), counts[n]) for i, n in enumerate(reviewers)]
    return sorted(biases, key=lambda b: (b.bias, b.reviewer))


def grade_scale(cohort: Cohort, path_id: str) -> PathScale:
    """The one scale *path_id*'s grades are shown on: the points the gradebook and the LMS export hold
    (the rubric's total for a path without task cells worth points)."""
    from peerkit.review.scale import path_scale

    return path_scale(cohort.course, path_id)


def grade_points(records: PathRecords, scale: PathScale) -> list[float]:
    """The final points of every graded submission (overrides included), on *scale*."""
    return [p for p in (scale.grade(g) for g in records.grades) if p is not None]


def grading_methods(records: PathRecords) -> list[CriterionMethod]:
    """Per criterion, the method that graded the path's round and why ("auto" chose it on the round's
    evidence), in the rubric's order; none for grades stored before methods were recorded."""
    from peerkit.review.grading import grading_methods as methods

    return methods(records.grades)


# -- checks of understanding ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check of understanding over the current submissions: how many learners tried it, and how
    many of them were right at their first try."""

    path_id: str
    answer_id: str
    tried: int
    first_try: int

    @property
    def share(self) -> float | None:
        """The share right at the first try (None: nobody tried it)."""
        return self.first_try / self.tried if self.tried else None


def checks(cohort: Cohort, path_id: str | None = None) -> list[CheckResult]:
    """Every check of *path_id* (or every path) that learners tried, the lowest share right at the
    first try first: the ideas the course's text explains least well (reads the answer sheets)."""
    found = []
    for rec in cohort.selected(path_id):
        tried: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for sub in rec.submissions:
            for answer_id, answer in sub.sheet.answers.items():
                if answer.kind == "check" and kinds.get("check").is_answered(answer.value):
                    tried[answer_id] += 1
                    right[answer_id] += answer.value.get("first_right") is True
        found += [CheckResult(rec.id, answer_id, n, right[answer_id]) for answer_id, n in tried.items()]
    return sorted(found, key=lambda c: (c.first_try / c.tried, c.path_id, c.answer_id))
