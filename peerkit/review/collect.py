"""Collect a path's reviews through nbgrader and record them in the store.

Learners submit their reviews as the ``<path>-review`` assignment; each review is an answer of
kind ``review`` in that assignment's answer sheet, and each rating of a review they received (after
the round closed) an answer of kind ``rating``. A review is recorded only if it is one the
learner was asked for (a packet of their own assignments, or their self-assessment) and complete
on the rubric (a level for every criterion, comments long enough). Unfinished reviews are
reported as such and can be submitted again; everything else that is wrong is reported and skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from traitlets.config import Config

from peerkit.core.errors import NotFound, ValidationError
from peerkit.core.models import Course
from peerkit.core.progress import Progress, stage
from peerkit.core.review import NewRating, NewReview
from peerkit.core.rubric import check_review, content_from_value
from peerkit.core.store import NewSubmission, Outcome
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.config import get
from peerkit.nbgrader.inbound import RefusedEntry
from peerkit.nbgrader.ingest import Unreadable, read_submission
from peerkit.review.practice import kept_answer, kept_submission
from peerkit.storage.sql import SqlStore

SELF = "self"
PEER_PREFIX = "r-"
RATING_PREFIX = "h-"


@dataclass(frozen=True, slots=True)
class ReviewProblem:
    learner: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReviewReport:
    path_id: str
    counts: dict[Outcome, int] = field(default_factory=dict)
    unfinished: tuple[ReviewProblem, ...] = ()
    problems: tuple[ReviewProblem, ...] = ()
    ratings: int = 0
    #: Inbound entries the collect refused: not written by the learner they name.
    refused: tuple[RefusedEntry, ...] = ()

    def summary(self) -> str:
        parts = [f"{n} {outcome}" for outcome, n in sorted(self.counts.items()) if n]
        if self.unfinished:
            parts.append(f"{len(self.unfinished)} unfinished")
        if self.problems:
            parts.append(f"{len(self.problems)} refused")
        if self.ratings:
            parts.append(f"{self.ratings} ratings of reviews")
        if self.refused:
            parts.append(f"{len(self.refused)} entries not written by the learner they name")
        lines = [f"{self.path_id} reviews: " + (", ".join(parts) if parts else "none submitted yet")]
        return "\n".join(lines + [f"  refused: {entry}" for entry in self.refused])


def ingest_reviews(
    store: SqlStore,
    course: Course,
    course_root: Path,
    path_id: str,
    *,
    progress: Progress | None = None,
    learners: Collection[str] | None = None,
) -> ReviewReport:
    """Record the reviews collected under ``<course_root>/submitted/*/<path>-review`` (of *learners*
    only, if given: rolling review takes reviews in as they arrive); *progress* hears (done, total)
    per learner's folder read."""
    path = course.path(path_id)
    rubric = course.rubric_for(path_id)
    review_round = store.review_round(path_id)
    if review_round is None:
        raise ValidationError(f"no review round is open for {path_id!r}")
    owners = {a.token: a.reviewer for a in store.assignments(path_id, reviewers=learners)}
    items: list[NewReview] = []
    kept: list[NewSubmission] = []  # practice ratings and the response to feedback
    ratings: list[NewRating] = []
    unfinished: list[ReviewProblem] = []
    problems: list[ReviewProblem] = []
    if learners is None:
        folders = sorted(p for p in (course_root / "submitted").glob(f"*/{path.review_id}") if p.is_dir())
    else:  # a few learners of many: their folders, without listing everybody's
        folders = [p for p in (course_root / "submitted" / n / path.review_id for n in sorted(learners)) if p.is_dir()]
    stage(progress, "reading reviews", len(folders))
    for done, folder in enumerate(folders, start=1):
        if progress is not None and (done % 100 == 0 or done == len(folders)):
            progress(done, len(folders))
        try:
            found = read_submission(folder, path.review_id)
        except Unreadable as skip:
            problems.append(ReviewProblem(folder.parent.name, str(skip)))
            continue
        extra = kept_submission(found.learner, path.review_id, found.sheet, found.submitted_at)
        if extra is not None:
            kept.append(extra)
        for answer_id, answer in sorted(found.sheet.answers.items()):
            if kept_answer(answer_id):
                continue  # kept above, as the learner's submission of the review assignment
            if answer.kind == "rating":
                value = answer.value
                rated_token = value.get("review")
                if not isinstance(rated_token, str) or answer_id != f"{RATING_PREFIX}{rated_token}":
                    problems.append(ReviewProblem(found.learner, f"rating {answer_id}: names another review"))
                    continue
                ratings.append(
                    NewRating(
                        rater=found.learner,
                        token=rated_token,
                        helpful=value.get("helpful"),
                        note=str(value.get("note", "")),
                        flagged=bool(value.get("flag", False)),
                        flag_reason=str(value.get("reason", "")),
                        rated_at=found.submitted_at,
                    )
                )
                continue
            where = "your self-assessment" if answer_id == SELF else f"review {answer_id}"
            try:
                if answer.kind != "review":
                    raise ValidationError(f"{answer_id} is not a review")
                content = content_from_value(answer.value)
                if answer_id == SELF:
                    if not review_round.self_assessment:
                        raise ValidationError("this round has no self-assessment")
                    token = None
                else:
                    token = answer_id.removeprefix(PEER_PREFIX)
                    if not answer_id.startswith(PEER_PREFIX) or owners.get(token) != found.learner:
                        raise ValidationError("not a packet this learner was asked to review")
                    if answer.value.get("packet") != token:
                        raise ValidationError("the review names another packet than its own")
                todo = check_review(rubric, content)
            except ValidationError as exc:
                problems.append(ReviewProblem(found.learner, f"{where}: {exc}"))
                continue
            if todo:
                unfinished.append(ReviewProblem(found.learner, f"{where}: " + "; ".join(todo)))
                continue
            items.append(NewReview(found.learner, token, content, found.submitted_at))
    counts: dict[Outcome, int] = {}
    store.record_submissions(kept)
    for outcome in store.record_reviews(path_id, items):
        counts[outcome] = counts.get(outcome, 0) + 1
    rated = 0
    for rating in ratings:  # one by one: a rating of somebody else's review is refused on its own
        try:
            rated += store.record_ratings(path_id, [rating])
        except NotFound:
            problems.append(ReviewProblem(rating.rater, "a rating of a review this learner did not receive"))
    return ReviewReport(path_id, counts, tuple(unfinished), tuple(problems), rated)


def collect_reviews(
    config: Config,
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    unix_users: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ReviewReport:
    """nbgrader collect of ``<path>-review`` (only entries their learner wrote: *unix_users* maps
    learner ids to Unix logins where they differ), then :func:`ingest_reviews`."""
    run = collect(config, course.path(path_id).review_id, unix_users=unix_users, progress=progress)
    root = Path(get(config, "CourseDirectory", "root", "."))
    report = ingest_reviews(store, course, root, path_id, progress=progress)
    return replace(report, refused=run.refused)
