"""One learner's broken submission never stops grading or feedback for the others.

A learner controls the notebook they submit. At close, nbgrader's autograde and feedback read it: a
notebook that is not JSON, cut short, of another format, empty, huge, missing or with forged marking
once stopped the whole close (nobody's gradebook scores, nobody's feedback), and a forged one could
stop nbgrader before the learners after it were even looked at. Through the real exchange, collect,
nbgrader and store: the others are graded and get feedback, the broken one is named in the report (one
line: learner, file, what is wrong, what to do), stays not graded (nothing in the gradebook, nothing
released, never points above the path's), and is graded when a rerun finds a sound resubmission.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.errors import ValidationError
from peerkit.facilitator.data import path_records
from peerkit.facilitator.export import grades_csv
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.feedback import CloseReport, close_round, release
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout
from tests.nbgrader.test_submitted import BROKEN, NOTEBOOK, REPAIRED, _edit
from tests.review.test_feedback_flow import review_all
from tests.review.test_round_flow import write_and_submit

PATH = "essay"
LEARNERS = ["amelia", "bartholomew", "cordelia", "desmond"]
BROKEN_ONE = "cordelia"
OTHERS = [name for name in LEARNERS if name != BROKEN_ONE]


def _old_marking(doc: dict[str, Any]) -> None:
    doc["cells"][1]["metadata"]["nbgrader"] = {"schema_version": 2}


def _refused_by_nbformat(doc: dict[str, Any]) -> None:
    doc["cells"][1]["source"] = 42


#: Notebooks peerkit's own check lets through and nbgrader refuses: an old nbgrader marking once made
#: nbgrader give up on every learner after this one, untouched.
NBGRADER_REFUSES: dict[str, tuple[Callable[[Path], None], str]] = {
    "an old nbgrader marking": (_edit(_old_marking), "Outdated schema version"),
    "a cell nbformat refuses": (_edit(_refused_by_nbformat), "nbgrader could not read it"),
}


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def reviewed(course: CourseLayout, store: SqlStore) -> None:
    """Every learner submits through the exchange, is collected and reviewed by three classmates."""
    for learner in LEARNERS:
        write_and_submit(course, learner)
    config = course.course_config()
    collect_and_ingest(config, store, PATH)
    open_round(store, course.course, PATH, exchange_root=course.workspace.exchange, seed=2)
    for learner in LEARNERS:
        review_all(course, learner)
    collect_reviews(config, store, course.course, PATH)


def collected_notebook(course: CourseLayout, learner: str = BROKEN_ONE) -> Path:
    return course.build.course_root / "submitted" / learner / PATH / NOTEBOOK


def gradebook_state(course: CourseLayout) -> dict[str, tuple[float, float, bool] | None]:
    """Each learner's (score, maximum, needs grading) in nbgrader's gradebook; None: no submission there."""
    from nbgrader.api import Gradebook, MissingEntry

    found: dict[str, tuple[float, float, bool] | None] = {}
    with Gradebook(course.workspace.gradebook_url, course.course.id) as gradebook:
        for learner in LEARNERS:
            try:
                sub = gradebook.find_submission(PATH, learner)
            except MissingEntry:
                found[learner] = None
                continue
            found[learner] = (sub.score, sub.max_score, sub.needs_manual_grade)
    return found


def feedback_pages(course: CourseLayout) -> dict[str, str]:
    """The feedback page nbgrader generated for each learner (what release_feedback hands out)."""
    root = course.build.course_root / "feedback"
    return {p.parent.parent.name: p.read_text() for p in root.glob(f"*/{PATH}/{PATH}.html")}


def assert_others_graded_and_one_not(course: CourseLayout, store: SqlStore, report: CloseReport, said: str) -> None:
    assert sorted(report.released) == OTHERS
    assert [n.learner for n in report.not_graded] == [BROKEN_ONE]
    line = str(report.not_graded[0])
    assert line.startswith(f"{BROKEN_ONE}, {NOTEBOOK}: ") and said in line and "\n" not in line, line
    assert "submit essay again" in line, line
    table = report.table()
    assert line in table and "released to 3 learners" in table, table
    assert any(row.startswith(BROKEN_ONE) and "not graded" in row for row in table.splitlines()), table

    book = gradebook_state(course)
    assert all(book[name] == (5.0, 5.0, False) for name in OTHERS), book
    broken = book[BROKEN_ONE]
    assert broken is None or (broken[0] == 0 and broken[1] == 5.0 and broken[2]), book  # not graded, never 1e9
    pages = feedback_pages(course)
    assert sorted(pages) == OTHERS and all("Peer review of" in page for page in pages.values())
    released = {g.author: g.released_at is not None for g in store.grades(PATH)}
    assert released == {name: name != BROKEN_ONE for name in LEARNERS}
    sent = {name for name in LEARNERS if store.documents(name, [f"feedback-{PATH}.json"])}
    assert sent == set(OTHERS), sent  # the review app shows no grade the gradebook does not hold

    records = path_records(store, course.course, course.course.path(PATH))
    rows = list(csv.DictReader(io.StringIO(grades_csv(course.course, [records], lms="moodle"))))
    assert all(float(row["An essay"] or 0) <= 5.0 for row in rows), rows


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_a_broken_notebook_stops_nobody_else(review_course: CourseLayout, sqlite_store: SqlStore, how: str) -> None:
    reviewed(review_course, sqlite_store)
    breaking, said = BROKEN[how]
    breaking(collected_notebook(review_course))

    report = close_round(sqlite_store, review_course.course, review_course.build, PATH)

    assert_others_graded_and_one_not(review_course, sqlite_store, report, said)


@pytest.mark.parametrize("how", sorted(NBGRADER_REFUSES))
def test_a_notebook_nbgrader_refuses_stops_nobody_else(
    review_course: CourseLayout, sqlite_store: SqlStore, how: str
) -> None:
    reviewed(review_course, sqlite_store)
    breaking, said = NBGRADER_REFUSES[how]
    breaking(collected_notebook(review_course))

    report = close_round(sqlite_store, review_course.course, review_course.build, PATH)

    assert sorted(report.released) == OTHERS and [n.learner for n in report.not_graded] == [BROKEN_ONE]
    assert said in str(report.not_graded[0]) and "submit essay again" in str(report.not_graded[0])
    book = gradebook_state(review_course)
    assert all(book[name] == (5.0, 5.0, False) for name in OTHERS), book
    assert book[BROKEN_ONE] is None or book[BROKEN_ONE][2], book  # left needing a grade, not graded 0
    assert sorted(feedback_pages(review_course)) == OTHERS


@pytest.mark.parametrize("how", sorted(REPAIRED))
def test_what_nbgrader_repairs_is_graded_with_the_course_text(
    review_course: CourseLayout, sqlite_store: SqlStore, how: str
) -> None:
    reviewed(review_course, sqlite_store)
    REPAIRED[how](collected_notebook(review_course))

    report = close_round(sqlite_store, review_course.course, review_course.build, PATH)

    assert sorted(report.released) == LEARNERS and report.not_graded == ()
    assert gradebook_state(review_course)[BROKEN_ONE] == (5.0, 5.0, False)
    assert "took over" not in feedback_pages(review_course)[BROKEN_ONE]


def test_a_broken_entry_in_the_exchange_is_graded_once_resubmitted(
    review_course: CourseLayout, sqlite_store: SqlStore
) -> None:
    reviewed(review_course, sqlite_store)
    # cordelia hands in a forged notebook after the round opened; collect takes her newest entry
    session = open_path(
        PATH, folder=review_course.folder(BROKEN_ONE, PATH), config=review_course.learner_config(BROKEN_ONE)
    )
    session.submit()
    inbound = review_course.inbound()
    newest = max(inbound.glob(f"{BROKEN_ONE}+{PATH}+*"), key=lambda entry: entry.name)
    (newest / NOTEBOOK).write_text("{}", encoding="utf-8")
    collect_and_ingest(review_course.course_config(), sqlite_store, PATH)

    first = close_round(sqlite_store, review_course.course, review_course.build, PATH)
    assert sorted(first.released) == OTHERS and [n.learner for n in first.not_graded] == [BROKEN_ONE]

    session.submit()  # from her page again: the notebook in her folder is the course's
    collect_and_ingest(review_course.course_config(), sqlite_store, PATH)
    again = close_round(sqlite_store, review_course.course, review_course.build, PATH)

    assert sorted(again.released) == LEARNERS and again.not_graded == ()
    assert gradebook_state(review_course)[BROKEN_ONE] == (5.0, 5.0, False)
    assert BROKEN_ONE in feedback_pages(review_course)
    assert "not graded" not in again.table()


def test_releasing_one_broken_learner_says_so_and_keeps_the_others(
    review_course: CourseLayout, sqlite_store: SqlStore
) -> None:
    """An override re-releases one learner: when their notebook is broken, the error names it and the fix."""
    reviewed(review_course, sqlite_store)
    close_round(sqlite_store, review_course.course, review_course.build, PATH)
    collected_notebook(review_course).write_text("[]", encoding="utf-8")
    sqlite_store.override_grade(PATH, BROKEN_ONE, 3.5, by="fac", reason="Checked by hand.")

    with pytest.raises(ValidationError) as refused:
        release(sqlite_store, review_course.course, review_course.build, PATH, learners=[BROKEN_ONE])

    message = str(refused.value)
    assert f"{BROKEN_ONE}, {NOTEBOOK}: " in message and "submit essay again" in message, message
    assert refused.value.field == NOTEBOOK
    assert json.loads(collected_notebook(review_course).read_text()) == []  # the learner's file is left as it is
    assert gradebook_state(review_course)[BROKEN_ONE] == (5.0, 5.0, False)  # the earlier release stands
