"""Exports: grades as CSV for an LMS gradebook, reviews as CSV, the whole round as JSON.

Grades CSV (:func:`grades_csv`), one row per learner who submitted, one column per peer-reviewed
path, in points on the path's scale (:mod:`peerkit.review.scale`), the number learners and
facilitators see everywhere: exactly what ``peerkit review close`` wrote into nbgrader's gradebook
(the peer grade's share of the path's points, to the hundredth, apportioned over its task cells), or
the rubric's total for a path without task cells worth points. Two shapes:

``canvas`` (default)
    Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section`` then one column per
    assignment, and a ``Points Possible`` row under the header. Learners are matched on
    ``SIS Login ID``, which holds the learner id (the JupyterHub user name, usually the LMS login);
    an assignment column Canvas does not know yet becomes a new assignment.
``moodle``
    Moodle's "Import grades from CSV": ``Username`` then one column per assignment; at import, map
    "Username" to the user field *username* and each column to a grade item (or a new one).

Reviews CSV (:func:`reviews_csv`): one row per review with its scores, comments, helpfulness
rating and flags. Round JSON (:func:`round_json`): the round's settings and rubric, which method
graded each criterion and why, submissions' metadata (never their answers), assignments, reviews,
grades (each criterion's with its method) and ratings. Both replace learners'
ids by stable pseudonyms (``L-3fa2b1``, one per learner and round) and names in comments by
"[name]" unless asked for names. Text cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from peerkit.core import documents
from peerkit.core.kinds.values import walk_strings
from peerkit.core.models import Course
from peerkit.core.packets import redact, rubric_document
from peerkit.core.progress import Progress, stage
from peerkit.core.redaction import Person, Redactor
from peerkit.core.rubric import word_count
from peerkit.facilitator.data import PathRecords, path_records
from peerkit.facilitator.notes import NAME, redactable
from peerkit.review.grading import grading_methods
from peerkit.review.people import course_people
from peerkit.review.scale import grade_points, path_scale, task_points
from peerkit.storage.sql import SqlStore

Lms = Literal["canvas", "moodle"]
LMS: tuple[Lms, ...] = ("canvas", "moodle")
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
ROUND_FORMAT = documents.ROUND_EXPORT.name
#: The first cells of the reviews export's header row (how an earlier reviews export is recognised).
REVIEWS_FIXED = ("path", "packet", "reviewer", "author", "kind")
_ROUND_START = re.compile(r'\s*\{\s*"format"\s*:\s*"([^"\\]*)"')


def safe_cell(value: object) -> str:
    """*value* as CSV text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _write(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def grades_csv(course: Course, records: Sequence[PathRecords], *, lms: Lms = "canvas") -> str:
    """Grades of the peer-reviewed paths in *records* as an LMS gradebook import (see the module)."""
    reviewed = [r for r in records if r.path.review is not None]
    columns = []
    for rec in reviewed:
        scale = path_scale(course, rec.id)
        by_author = {g.author: scale.grade(g) for g in rec.grades}
        columns.append((rec.path.title, scale.maximum, by_author))
    learners = sorted({s.learner for rec in reviewed for s in rec.submissions})
    titles = [title for title, _, _ in columns]
    if lms == "moodle":
        rows: list[list[object]] = [["Username", *titles]]
        rows += [[name, *(_points(points.get(name)) for _, _, points in columns)] for name in learners]
        return _write(rows)
    rows = [[*CANVAS_FIXED, *titles], ["Points Possible", "", "", "", "", *(_points(m) for _, m, _ in columns)]]
    rows += [[name, "", "", name, "", *(_points(points.get(name)) for _, _, points in columns)] for name in learners]
    return _write(rows)


def export_kind(head: str) -> str | None:
    """Which export a file beginning with *head* is (``grades``, ``reviews`` or ``round``), by its
    header row or its first key; None when it is none of them."""
    text = head.removeprefix("\ufeff")
    if text.lstrip().startswith("{"):
        match = _ROUND_START.match(text)
        return "round" if match and match.group(1) == ROUND_FORMAT else None
    first = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    if tuple(first[: len(CANVAS_FIXED)]) == CANVAS_FIXED or first[:1] == ["Username"]:
        return "grades"
    if tuple(first[: len(REVIEWS_FIXED)]) == REVIEWS_FIXED:
        return "reviews"
    return None


def pseudonym(records: PathRecords, name: str) -> str:
    """A stable stand-in for *name* in this round's exports, keyed by the round's secret: whoever is given
    an export and knows the cohort's names cannot match them up (from the 31-bit seed alone, as a round
    opened before the store kept a secret still has them, they could search the seed out)."""
    round_ = records.round
    if round_ is not None and round_.secret:
        message = f"{records.id}\0{name}".encode()
        return "L-" + hmac.new(bytes.fromhex(round_.secret), message, hashlib.sha256).hexdigest()[:6]
    seed = round_.seed if round_ else 0
    return "L-" + hashlib.sha256(f"{records.id}\0{seed}\0{name}".encode()).hexdigest()[:6]


def _namer(
    records: PathRecords, names: bool, everyone: Sequence[str], redactor: Redactor | None = None
) -> tuple[Callable[[str], str], Callable[[Any], Any]]:
    """(how to show a learner id, how to show a learner's text) for this export: in text, the ids of
    *everyone* and every name *redactor* knows (the course's: :func:`export_reviews`) become "[name]"."""
    if names:
        return (lambda n: n), (lambda text: text)
    hidden = redactable(everyone)
    if redactor is None:
        return (lambda n: pseudonym(records, n)), (lambda text: redact(text, hidden, NAME))
    known = redactor.scrub
    return (lambda n: pseudonym(records, n)), (lambda text: walk_strings(redact(text, hidden, NAME), known))


def reviews_csv(
    course: Course,
    records: PathRecords,
    everyone: Sequence[str],
    *,
    names: bool = False,
    redactor: Redactor | None = None,
) -> str:
    """Every current review of the round, one per row (pseudonyms unless *names*; in comments, also every
    name *redactor* knows)."""
    who, scrub = _namer(records, names, everyone, redactor)
    rubric = course.rubric_for(records.id)
    criteria = [c.id for c in rubric.criteria]
    prompts = [p.id for p in rubric.prompts]
    ratings = {r.token: r for r in records.ratings}
    header: list[object] = [*REVIEWS_FIXED, *criteria, "comment words", *prompts]
    header += ["submitted (UTC)", "excluded", "excluded reason", "helpful (1-5)", "flagged", "flag reason"]
    rows: list[list[object]] = [header]
    for r in records.reviews:
        rating = ratings.get(r.token or "")
        comments = {k: scrub(v) for k, v in r.content.comments.items()}
        rows.append(
            [
                records.id,
                r.token or "self",
                who(r.reviewer),
                who(r.author),
                r.kind,
                *(_points(r.content.scores.get(c)) for c in criteria),
                sum(word_count(t) for t in r.content.comments.values()),
                *(comments.get(p, "") for p in prompts),
                r.submitted_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "yes" if r.excluded else "",
                scrub(r.excluded_reason or ""),
                "" if rating is None or rating.helpful is None else rating.helpful,
                "yes" if rating is not None and rating.flagged else "",
                scrub(rating.flag_reason) if rating is not None else "",
            ]
        )
    return _write(rows)


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def round_document(
    course: Course,
    records: PathRecords,
    everyone: Sequence[str],
    *,
    names: bool = False,
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The whole round of *records* as one JSON-ready document (pseudonyms unless *names*; in text, also
    every name *redactor* knows)."""
    who, scrub = _namer(records, names, everyone, redactor)
    tasks = task_points(records.path)
    rnd = records.round
    return documents.dump(
        documents.ROUND_EXPORT,
        {
            "course": course.id,
            "path": records.id,
            "path_title": records.path.title,
            "exported_at": datetime.now(UTC).isoformat(),
            "names": names,
            "round": None
            if rnd is None
            else {
                "rubric": rnd.rubric_id,
                "per_submission": rnd.per_submission,
                "anonymity": rnd.anonymity,
                "self_assessment": rnd.self_assessment,
                "opened_at": _time(rnd.opened_at),
                "closed_at": _time(rnd.closed_at),
            },
            "rubric": rubric_document(course.rubric_for(records.id)) if records.path.review else None,
            # Which aggregation method graded each criterion, and why ("auto"'s held-out evidence).
            "grading": [
                {"criterion": m.criterion, "method": m.method, "why": m.why} for m in grading_methods(records.grades)
            ],
            "submissions": [
                {"learner": who(s.learner), "submitted_at": _time(s.submitted_at), "answers": len(s.sheet.answers)}
                for s in records.submissions
            ],
            "assignments": [
                {
                    "packet": a.token,
                    "reviewer": who(a.reviewer),
                    "author": who(a.author),
                    "status": a.status,
                    "assigned_at": _time(a.assigned_at),
                    "done_at": _time(a.done_at),
                }
                for a in records.assignments
            ],
            "reviews": [
                {
                    "packet": r.token,
                    "reviewer": who(r.reviewer),
                    "author": who(r.author),
                    "kind": r.kind,
                    "scores": dict(r.content.scores),
                    "comments": {k: scrub(v) for k, v in r.content.comments.items()},
                    "submitted_at": _time(r.submitted_at),
                    "excluded": r.excluded,
                    "excluded_reason": scrub(r.excluded_reason) if r.excluded_reason else None,
                }
                for r in records.reviews
            ],
            # What each author did with the feedback: changed, kept and why, one answer revised.
            "responses": [
                {"learner": who(learner), "response": scrub(text)}
                for learner, text in sorted(records.responses.items())
            ],
            "grades": [
                {
                    "author": who(g.author),
                    "method": g.method,
                    "points": g.points,
                    "final_points": g.final_points,
                    "max_points": g.max_points,
                    "gradebook_points": grade_points(g, tasks),
                    "uncertainty": g.uncertainty,
                    "confidence": g.confidence,
                    "reviews": g.reviews,
                    "criteria": {k: asdict(v) for k, v in g.criteria.items()},
                    "flags": list(g.flags),
                    "override": None
                    if g.override_points is None
                    else {"points": g.override_points, "by": g.override_by, "reason": scrub(g.override_reason or "")},
                    "released_at": _time(g.released_at),
                    "provisional": records.provisional,
                }
                for g in records.grades
            ],
            "ratings": [
                {
                    "packet": r.token,
                    "rater": who(r.rater),
                    "helpful": r.helpful,
                    "note": scrub(r.note),
                    "flagged": r.flagged,
                    "flag_reason": scrub(r.flag_reason),
                    "rated_at": _time(r.rated_at),
                }
                for r in records.ratings
            ],
        },
    )


def round_json(
    course: Course,
    records: PathRecords,
    everyone: Sequence[str],
    *,
    names: bool = False,
    redactor: Redactor | None = None,
) -> str:
    document = round_document(course, records, everyone, names=names, redactor=redactor)
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# -- from the store: what the commands and the dashboard call -------------------------------------


def export_grades(
    store: SqlStore,
    course: Course,
    path_ids: Sequence[str] = (),
    *,
    lms: Lms = "canvas",
    progress: Progress | None = None,
) -> str:
    """:func:`grades_csv` of *path_ids* (default: every peer-reviewed path) as the store holds them;
    *progress* hears one step per path read and one for writing the file."""
    paths = [course.path(p) for p in path_ids] or course.reviewed_paths()
    stage(progress, "exporting grades", len(paths) + 1)
    records = []
    for done, path in enumerate(paths, 1):
        records.append(path_records(store, course, path))
        records[-1].grades  # noqa: B018 - read now, so that the step is counted where the time goes
        if progress is not None:
            progress(done, len(paths) + 1)
    text = grades_csv(course, records, lms=lms)
    if progress is not None:
        progress(len(paths) + 1, len(paths) + 1)
    return text


def export_reviews(
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    names: bool = False,
    progress: Progress | None = None,
    people: Mapping[str, Person] | None = None,
) -> str:
    """:func:`reviews_csv` of *path_id*'s round as the store holds it (*progress*: reading, writing); unless
    *names*, comments lose every name the course knows a learner by (ids, *people*: the gradebook's names
    and e-mails, the names in profiles, the course's ``redact`` terms), as review packets do."""
    return _one_path(reviews_csv, "exporting reviews", store, course, path_id, names, progress, people)


def export_round(
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    names: bool = False,
    progress: Progress | None = None,
    people: Mapping[str, Person] | None = None,
) -> str:
    """:func:`round_json` of *path_id*'s round as the store holds it, named as :func:`export_reviews` names."""
    return _one_path(round_json, "exporting the round", store, course, path_id, names, progress, people)


def _one_path(
    write: Callable[..., str],
    label: str,
    store: SqlStore,
    course: Course,
    path_id: str,
    names: bool,
    progress: Progress | None,
    people: Mapping[str, Person] | None,
) -> str:
    stage(progress, label, 2)
    records = path_records(store, course, course.path(path_id))
    learners = [lrn.name for lrn in store.learners()]
    known = course_people(store, people or {}).values()
    redactor = None if names else Redactor.for_people(known, extra=course.redact, replacement=NAME)
    if progress is not None:
        progress(1, 2)
    text = write(course, records, learners, names=names, redactor=redactor)
    if progress is not None:
        progress(2, 2)
    return text
