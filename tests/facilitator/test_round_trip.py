"""Through the real nbgrader loop: after `peerkit review close`, the grades CSV parses and its points
match nbgrader's gradebook (Canvas and Moodle shapes, overrides included); and the learner's own
"my progress" page follows the round: reviews to do, then feedback waiting, notes and the gallery."""

from __future__ import annotations

import csv
import io

from peerkit.apps.overview import learner_overview
from peerkit.apps.progress import ProgressPage
from peerkit.demo import setup_facilitator
from peerkit.exchange.files import FilesCourseExchange
from peerkit.facilitator.data import path_records
from peerkit.facilitator.export import grades_csv
from peerkit.facilitator.gallery import gallery_items
from peerkit.facilitator.notes import draft_notes, release_notes
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.feedback import close_round, release
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.review.test_feedback_flow import review_all
from tests.review.test_round_flow import write_and_submit

PATH = "essay"
LEARNERS = ["amelia", "bartholomew", "cordelia", "desmond"]


def overview(course: CourseLayout, learner: str) -> object:
    folder = course.workspace.learner_course_dir(learner, course.course.id)
    return learner_overview(folder, course.learner_config(learner), learner=learner)


def test_grades_csv_matches_the_gradebook_and_the_learner_page_follows(
    review_course: CourseLayout, store: SqlStore
) -> None:
    setup_facilitator(review_course.course, review_course.workspace)
    for learner in LEARNERS:
        write_and_submit(review_course, learner)
    config = review_course.course_config()
    collect_and_ingest(config, store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=5)

    before = overview(review_course, "amelia")
    # 3 classmates' work, and the self-assessment apart (a fourth "review" once made every count one too high)
    assert [(r.path_id, r.packets, r.written, r.own_to_do) for r in before.reviews] == [(PATH, 3, 0, True)]  # type: ignore[attr-defined]
    for n, learner in enumerate(LEARNERS):
        review_all(review_course, learner, level=-1 if n % 2 else 1)
    after = overview(review_course, "amelia")
    assert [(r.to_do, r.own_to_do, r.unsent) for r in after.reviews] == [(0, False, False)]  # type: ignore[attr-defined]
    collect_reviews(config, store, review_course.course, PATH)
    close_round(store, review_course.course, review_course.build, PATH)
    store.override_grade(PATH, "cordelia", 3.5, by="fac", reason="A strong second part.")
    release(store, review_course.course, review_course.build, PATH, learners=["cordelia"])

    records = path_records(store, review_course.course, review_course.course.path(PATH))
    canvas = list(csv.reader(io.StringIO(grades_csv(review_course.course, [records]))))
    moodle = list(csv.DictReader(io.StringIO(grades_csv(review_course.course, [records], lms="moodle"))))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "An essay"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "5"]  # the path's points, as in nbgrader
    from nbgrader.api import Gradebook

    with Gradebook(review_course.workspace.gradebook_url, review_course.course.id) as gradebook:
        expected = {name: gradebook.find_submission(PATH, name).score for name in LEARNERS}
    assert {row[3]: float(row[5]) for row in canvas[2:]} == expected
    assert {row["Username"]: float(row["An essay"]) for row in moodle} == expected
    # the override 3.5 / 4 on the path's 5 points, 4.375 to the hundredth: 2.63 + 1.75 (each cell on its
    # own rounded to 2.62 + 1.75 = 4.37)
    assert expected["cordelia"] == 4.38 == round(3.5 / 4 * 5, 2)

    feedback = overview(review_course, "cordelia").feedback  # type: ignore[attr-defined]
    assert [(f.path_id, f.points, f.max_points, f.reviews, f.rated) for f in feedback] == [(PATH, 3.5, 4.0, 3, 0)]
    assert [f.gradebook for f in feedback] == [(expected["cordelia"], 5.0)]  # the learner sees the LMS's number
    draft_notes(store, review_course.course, PATH)
    exchange = FilesCourseExchange(review_course.course.id, review_course.workspace.exchange, store)
    release_notes(store, review_course.course, exchange, PATH, by="fac")
    page = ProgressPage(
        folder=review_course.workspace.learner_course_dir("cordelia", review_course.course.id),
        config=review_course.learner_config("cordelia"),
    )
    assert "Summary notes: An essay" in page.body.value
    assert "An essay: 4.38 / 5 points;" in page.body.value and "3.5 / 4" not in page.body.value  # one scale
    assert "Nothing to review right now." in page.body.value and "Browse the gallery (0 examples)" in page.body.value
    assert not any(name in page.body.value.split("Summary notes")[-1] for name in ("amelia", "bartholomew", "desmond"))
    page.close_all()
    assert gallery_items(store, review_course.course) == []  # the test path asks for no example
