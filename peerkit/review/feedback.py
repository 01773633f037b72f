"""Close a round: grades, nbgrader's gradebook and feedback, and each learner's feedback page.

``close_round`` computes every grade (:mod:`peerkit.review.grading`), keeps overrides made by hand,
and releases: peer grades and comments into nbgrader's gradebook, nbgrader's feedback HTML
generated and released (each learner fetches their own), and a structured copy in each learner's
review channel for the feedback view of the review app, where learners rate how helpful each
review was and flag careless or unkind ones. Running it again (after an override, an excluded
review or late reviews) recomputes and re-releases.

One learner's broken submission never holds up the others: a learner whose submitted notebook
nbgrader must not or cannot read (:mod:`peerkit.nbgrader.submitted`) is left out, not graded and
nothing of theirs released (the review app shows no grade the gradebook lacks), and named in the
report with the fix; a rerun after they submit again grades them.

Reviewers are never named to authors: reviews are shown as "Reviewer 1, 2, ...". Everything a
person wrote (peers' comments, the facilitator's reason, the course's titles) goes into nbgrader's
comment through :func:`peerkit.core.markdown.literal`: nbgrader's feedback page renders the comment
as Markdown, which would otherwise make links, images, emphasis and raw HTML of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from peerkit.core import documents
from peerkit.core.errors import ValidationError
from peerkit.core.kinds.values import walk_strings
from peerkit.core.markdown import literal
from peerkit.core.models import Course
from peerkit.core.packets import scrubber
from peerkit.core.progress import Progress, stage
from peerkit.core.redaction import Person
from peerkit.core.review import Grade, Review
from peerkit.core.rubric import Rubric
from peerkit.exchange.base import CourseExchange, Parcel, feedback_file
from peerkit.exchange.registry import open_course_exchange
from peerkit.nbgrader.build import CourseBuild
from peerkit.nbgrader.feedback import (
    PeerGrade,
    autograde_without_running,
    check_submissions,
    generate_feedback,
    release_feedback,
    write_peer_grades,
)
from peerkit.nbgrader.gradebook import course_roster
from peerkit.nbgrader.submitted import NotGraded
from peerkit.nbgrader.tasks import task_questions
from peerkit.review.grading import compute_grades
from peerkit.review.people import course_people
from peerkit.review.scale import PathScale, level_text, nearest_level, path_scale
from peerkit.storage.sql import SqlStore

REVIEWER = "[the reviewer]"
#: How the report shows a learner whose submission could not be graded.
NOT_GRADED = "not graded"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def received_reviews(
    store: SqlStore, path_id: str, author: str, *, people: Mapping[str, Person] | None = None
) -> list[Review]:
    """The current, non-excluded peer reviews of *author*'s submission, in a stable order, every name
    the course knows each reviewer by replaced by "[the reviewer]" in their comments: *people* as
    :func:`~peerkit.review.people.course_people` gives them (id, gradebook names, e-mail, the name in
    their profile; a caller releasing many authors builds it once), by default read from the store now."""
    known = course_people(store, {}) if people is None else people
    return _redacted(store.reviews(path_id, authors=[author]), author, known, {})


def _redacted(
    every: Sequence[Review], author: str, known: Mapping[str, Person], scrubbers: dict[str, Callable[[str], str]]
) -> list[Review]:
    """:func:`received_reviews` from *every* review of the path; *scrubbers* keeps each reviewer's
    (a reviewer reviews several authors: their names' expression is compiled once)."""
    reviews = [r for r in every if r.kind == "peer" and r.author == author and not r.excluded]
    result = []
    for r in sorted(reviews, key=lambda r: r.token or ""):
        if r.reviewer not in scrubbers:
            scrubbers[r.reviewer] = scrubber((known.get(r.reviewer) or Person(r.reviewer)).terms(), REVIEWER)
        comments = walk_strings(dict(r.content.comments), scrubbers[r.reviewer])
        result.append(replace(r, content=replace(r.content, comments=comments)))
    return result


def feedback_markdown(
    title: str, rubric: Rubric, grade: Grade, reviews: Sequence[Review], *, scale: PathScale | None = None
) -> str:
    """The comment nbgrader shows on the first activity: the grade on the path's *scale* (default: the
    rubric's total, for a path without points in the gradebook), each criterion's level, every review
    (each text written by a person shown as written, see :func:`peerkit.core.markdown.literal`)."""
    scale = scale or PathScale(rubric.max_points)
    lines = [f"**Peer review of “{literal(title)}”**", ""]
    lines.append(f"Grade: **{_points(scale.grade(grade))} / {scale.maximum:g} points** (how sure: {grade.confidence})")
    if grade.override_points is not None and grade.override_reason:
        lines.append(f"Set by the facilitator: {literal(grade.override_reason)}")
    lines.append("")
    for criterion in rubric.criteria:
        level = level_text(criterion, _estimate(grade, criterion.id))
        lines.append(f"- {literal(criterion.title)}: {literal(level)}")
    prompts = {p.id: p.label for p in rubric.prompts}
    for number, review in enumerate(reviews, start=1):
        lines += ["", f"**Reviewer {number}**", ""]
        for key, label in prompts.items():
            text = review.content.comments.get(key, "").strip()
            if text:
                lines.append(f"*{literal(label)}:* {literal(text)}")
                lines.append("")
    if not reviews:
        lines += ["", "No peer reviews were received."]
    return "\n".join(lines)


def _estimate(grade: Grade, criterion: str) -> float | None:
    found = grade.criteria.get(criterion)
    return None if found is None else found.estimate


def feedback_document(
    course: Course, path_id: str, grade: Grade, reviews: Sequence[Review], *, scale: PathScale | None = None
) -> dict[str, Any]:
    """The learner's feedback for the review app's feedback view (their channel). ``points`` and
    ``max_points`` are the rubric's (the store's); for a path with points in the gradebook,
    ``gradebook`` carries the same grade on the path's *scale* (default: read from the course), the
    one number the learner is shown, the one the course's LMS gets. Each criterion carries the
    ``level`` nearest its estimate."""
    rubric = course.rubric_for(path_id)
    if scale is None and grade.final_points is not None:
        scale = path_scale(course, path_id)
    book = scale.grade(grade) if scale is not None and scale.in_gradebook else None
    return documents.dump(
        documents.FEEDBACK,
        {
            "path": path_id,
            "path_title": course.path(path_id).title,
            "grade": {
                "points": grade.final_points,
                "max_points": grade.max_points,
                "confidence": grade.confidence,
                "uncertainty": grade.uncertainty if grade.override_points is None else None,
                "overridden": grade.override_points is not None,
                "reason": grade.override_reason if grade.override_points is not None else None,
                "gradebook": None if book is None or scale is None else {"points": book, "max_points": scale.maximum},
                "criteria": [
                    {
                        "id": c.id,
                        "title": c.title,
                        "max_points": c.max_points,
                        "estimate": (estimate := _estimate(grade, c.id)),
                        "level": None if estimate is None else nearest_level(c, estimate),
                    }
                    for c in rubric.criteria
                ],
            },
            "reviews": [
                {
                    "token": review.token,
                    "label": f"Reviewer {number}",
                    "scores": dict(review.content.scores),
                    "comments": {
                        p.label: review.content.comments[p.id]
                        for p in rubric.prompts
                        if review.content.comments.get(p.id)
                    },
                }
                for number, review in enumerate(reviews, start=1)
            ],
        },
    )


@dataclass(frozen=True, slots=True)
class CloseReport:
    """A path's grades, released to *released*; *not_graded*: the learners whose submission could not
    be graded (nothing released to them), each with what is wrong and what to do. The table shows each
    grade and its ± on the path's *scale* (default: the rubric's total, as for a path without points
    in the gradebook)."""

    path_id: str
    grades: tuple[Grade, ...]
    released: tuple[str, ...]
    scale: PathScale | None = None
    not_graded: tuple[NotGraded, ...] = ()

    def table(self) -> str:
        scale = self.scale or PathScale(self.grades[0].max_points if self.grades else 0.0)
        width = max([len("learner"), *(len(g.author) for g in self.grades)])
        sure = max([len("confidence"), *(len(g.confidence) for g in self.grades)])  # "not enough reviews yet"
        heading = f"points (of {scale.maximum:g})"
        column = max(11, len(heading))
        lines = [f"{'learner':<{width}}  {heading:>{column}}  {'± ':>6}  {'confidence':<{sure}}  reviews  flags"]
        left_out = {n.learner for n in self.not_graded}
        for g in self.grades:
            grade = _points(scale.grade(g)) + (" *" if g.override_points is not None else "")
            spread = scale.spread(g.uncertainty) if g.override_points is None else None
            if g.author in left_out:
                grade, spread = NOT_GRADED, None
            shown = "" if spread is None else f"{spread:.2f}"
            flags = "; ".join(g.flags)
            row = f"{g.author:<{width}}  {grade:>{column}}  {shown:>6}  {g.confidence:<{sure}}  {g.reviews:>7}  {flags}"
            lines.append(row.rstrip())
        lines.append(
            f"released to {len(self.released)} learners"
            + ("; * = set by hand" if any(g.override_points is not None for g in self.grades) else "")
        )
        if self.not_graded:
            count = len(self.not_graded)
            lines.append(f"{NOT_GRADED}, nothing released: {count} learner{'s' if count != 1 else ''}")
            lines += [f"  {item}" for item in self.not_graded]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Released:
    """Whom a release reached, and the learners left out (their submission could not be graded)."""

    learners: tuple[str, ...]
    not_graded: tuple[NotGraded, ...] = ()


def release(
    store: SqlStore,
    course: Course,
    build: CourseBuild,
    path_id: str,
    *,
    learners: Sequence[str] | None = None,
    exchange: CourseExchange | None = None,
    progress: Progress | None = None,
    gradebook: bool = True,
) -> list[str]:
    """:func:`release_grades`, returning the learners released to; a learner it left out (their
    submitted notebook could not be graded) raises :class:`ValidationError` naming each, the file and
    the fix, once the others are released."""
    done = release_grades(
        store, course, build, path_id, learners=learners, exchange=exchange, progress=progress, gradebook=gradebook
    )
    if done.not_graded:
        listed = "; ".join(str(item) for item in done.not_graded)
        raise ValidationError(
            f"not released to {len(done.not_graded)} (released to {len(done.learners)}): {listed}",
            field=done.not_graded[0].file,
        )
    return list(done.learners)


def release_grades(
    store: SqlStore,
    course: Course,
    build: CourseBuild,
    path_id: str,
    *,
    learners: Sequence[str] | None = None,
    exchange: CourseExchange | None = None,
    progress: Progress | None = None,
    gradebook: bool = True,
) -> Released:
    """Release the stored grades (with overrides) of *learners* (default: everyone with a grade);
    each learner's feedback document goes through the course's *exchange* (default: the one the
    build writes review channels for, see :func:`peerkit.exchange.registry.open_course_exchange`).
    Not *gradebook*: only those documents, without nbgrader's gradebook and feedback HTML (which
    cost about a third of a second per learner; release again to write them).

    With *gradebook*, a learner whose submitted notebook fails the check before autograde
    (:func:`peerkit.nbgrader.feedback.check_submissions`) gets nothing; one that autograde or feedback
    still fails on keeps the document already delivered, and neither is marked released. Every other
    learner is released all the same; the result names the ones left out."""
    path = course.path(path_id)
    rubric = course.rubric_for(path_id)
    grades = {g.author: g for g in store.grades(path_id) if learners is None or g.author in learners}
    submitters = {s.learner for s in store.submissions(path_id)}
    targets = sorted(a for a in grades if a in submitters)
    if not targets:
        return Released(())
    config = build.config()
    # Checked before anything is delivered: the review app then never shows a grade the gradebook lacks.
    refused = check_submissions(config, path_id, targets) if gradebook else {}
    targets = [a for a in targets if a not in refused]
    tasks = [(q.answer_id, q.points) for q in task_questions(path.notebook).values() if q.points > 0]
    scale = PathScale(rubric.max_points, tuple(p for _, p in tasks))
    entries = {}
    if exchange is None:
        exchange = open_course_exchange(course_id=course.id, exchange_root=build.channel_root, store=store)
    parcels: list[Parcel] = []
    keys = store.channel_keys(path_id)
    people = course_people(store, course_roster(config))  # the names in profiles too
    by_author: dict[str, list[Review]] = {}
    scrubbers: dict[str, Callable[[str], str]] = {}
    for review in store.reviews(path_id):  # read once: one query per learner is ten thousand at scale
        by_author.setdefault(review.author, []).append(review)
    # Learners see peerkit's feedback first; nbgrader's gradebook and its feedback HTML follow, each
    # step run once for everybody (nbgrader's start-up is most of its cost per learner).
    stage(progress, "releasing feedback", len(targets))
    for author in targets:
        if progress is not None and parcels:
            progress(len(parcels), len(targets))
        grade = grades[author]
        reviews = _redacted(by_author.get(author, []), author, people, scrubbers)
        final = grade.final_points
        entries[author] = PeerGrade(
            fraction=None if final is None or not grade.max_points else final / grade.max_points,
            comment=feedback_markdown(path.title, rubric, grade, reviews, scale=scale),
        )
        document = feedback_document(course, path_id, grade, reviews, scale=scale)
        parcels.append(Parcel(author, {feedback_file(path_id): document}, keys.get(author)))
    exchange.deliver(parcels)
    report = progress or (lambda _done, _total: None)
    report(len(targets), len(targets))
    if not gradebook:
        store.mark_released(path_id, targets)
        return Released(tuple(targets))
    # nbgrader's steps count learners; writing the grades and releasing the HTML count as one more each.
    steps = len(targets) + 1

    def per_learner(done: int, _total: int) -> None:
        report(min(done, len(targets)), steps)

    stage(progress, "nbgrader gradebook", steps)
    failed = autograde_without_running(config, path_id, students=targets, progress=per_learner) if targets else {}
    graded = [a for a in targets if a not in failed]
    write_peer_grades(config, path_id, tasks, {a: entries[a] for a in graded})
    report(steps, steps)
    stage(progress, "nbgrader feedback", steps)
    failed |= generate_feedback(config, path_id, graded, progress=per_learner)
    released = [a for a in graded if a not in failed]
    release_feedback(config, path_id, released)
    report(steps, steps)
    store.mark_released(path_id, released)
    left_out = {**refused, **failed}
    return Released(tuple(released), tuple(left_out[a] for a in sorted(left_out)))


def close_round(
    store: SqlStore,
    course: Course,
    build: CourseBuild,
    path_id: str,
    *,
    exchange: CourseExchange | None = None,
    progress: Progress | None = None,
    gradebook: bool = True,
    closed_at: datetime | None = None,
) -> CloseReport:
    """Compute every grade of *path_id* (overrides kept) and release them all (not *gradebook*: without
    nbgrader's gradebook and feedback HTML, see :func:`release_grades`). A learner whose submission
    could not be graded is left out and named in the report's ``not_graded``: the others are released.
    The round is closed as of *closed_at* (default: now; a close that collects first passes when it
    began, so that a review sent while it ran counts as sent after the close)."""
    stage(progress, "grading", 1)
    store.save_grades(path_id, compute_grades(store, course, path_id))
    if progress is not None:
        progress(1, 1)
    done = release_grades(store, course, build, path_id, exchange=exchange, progress=progress, gradebook=gradebook)
    store.close_round(path_id, now=closed_at)
    return CloseReport(
        path_id=path_id,
        grades=tuple(store.grades(path_id)),
        released=done.learners,
        scale=path_scale(course, path_id),
        not_graded=done.not_graded,
    )
