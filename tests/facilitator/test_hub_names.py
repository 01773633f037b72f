"""Learners named as real hubs name them (OAuth e-mails, underscores, digits first, 60 characters),
through the whole loop: enroll, answer, submit through nbgrader, collect and ingest, review open,
reviews, close, feedback, grades for Canvas and Moodle, activity files, redaction. A name nbgrader's
exchange cannot carry safely is refused when the learner is enrolled, naming the learner and why."""

from __future__ import annotations

import csv
import io
import json

import pytest

from peerkit.config.settings import PeerkitConfig
from peerkit.core.errors import IdentityError
from peerkit.core.redaction import fold
from peerkit.demo import setup_facilitator
from peerkit.exchange.files.channels import CHANNELS
from peerkit.facilitator.api import Facilitator
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout
from tests.review.test_feedback_flow import feedback_html, review_all

PATH = "essay"
ANA = "ana.lima@uni.edu"
COHORT = [ANA, "bo_chen", "2024-jdoe", "x" * 60]


def submit(course: CourseLayout, learner: str, story: str) -> None:
    course.enroll(learner)
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    assert session.save("story", "text", story).ok
    assert session.save("lesson", "text", "Ask early; share what you find.").ok
    session.submit()


def test_a_cohort_of_hub_names_goes_round_the_whole_loop(review_course: CourseLayout) -> None:
    setup_facilitator(review_course.course, review_course.workspace)  # the activity folder learners write to
    for learner in COHORT:
        story = "I asked ana.lima@uni.edu and then Ana Lima again; ana.lima helped."
        submit(review_course, learner, story if learner != ANA else "My own story of the front desk.")
    config = PeerkitConfig.load(env={}, course_file=review_course.course.source, workdir=review_course.workspace.root)
    desk = Facilitator.open(config)
    try:
        collected = desk.collect(path_id=PATH)
        assert collected.found == len(COHORT) and not collected.refused
        assert collected.ingested is not None and collected.ingested.ingested == len(COHORT)
        assert sorted(r.learner for r in desk.submissions()) == sorted(COHORT)
        opened = desk.open_round(path_id=PATH, seed=3)
        assert opened.opened.submitters == len(COHORT)

        # a classmate naming ana by her e-mail, its local part or the name it spells reaches no reviewer
        channels = review_course.workspace.exchange / review_course.course.id / CHANNELS
        for file in (p for p in channels.rglob("*") if p.is_file()):
            doc = json.loads(file.read_bytes())
            if doc.get("kind") == "self":
                continue
            shown = fold(file.read_bytes().decode())
            for term in ("ana.lima", "ana lima", "uni.edu"):
                assert term not in shown, f"{file.name} shows {term!r}"

        for learner in COHORT:
            comment = "Clear and specific. Ana Lima (ana.lima@uni.edu)" if learner == ANA else None
            review_all(review_course, learner, comment=comment)
        assert desk.collect_reviews(path_id=PATH).counts == {"added": len(COHORT) * 3 + len(COHORT)}
        closed = desk.close_round(path_id=PATH)
        assert sorted(closed.closed.released) == sorted(COHORT)
        for learner in COHORT:  # everyone fetches feedback; ana's signature does not reach her authors
            text = fold(feedback_html(review_course, learner))
            assert "ana.lima" not in text and "ana lima" not in text

        # the exports hold the exact id the LMS matches on
        canvas = list(csv.reader(io.StringIO(desk.export(kind="grades", path_ids=[PATH]).text)))
        assert sorted(row[3] for row in canvas[2:]) == sorted(COHORT)
        assert sorted(row[0] for row in canvas[2:]) == sorted(COHORT)
        moodle = list(csv.reader(io.StringIO(desk.export(kind="grades", path_ids=[PATH], lms="moodle").text)))
        assert sorted(row[0] for row in moodle[1:]) == sorted(COHORT)

        # every learner's page wrote its activity under their id, and it is read back as theirs
        report = desk.refresh()
        assert not report.refused
        assert {e.learner for e in desk.store.activity()} >= set(COHORT)
    finally:
        desk.close()


@pytest.mark.parametrize(
    ("name", "why"),
    [("o'brien", 'not allowed: "\'"'), ("-jdoe", "starts with"), ("y" * 65, "longer than")],
)
def test_a_name_the_exchange_cannot_carry_is_refused_at_enroll(
    review_course: CourseLayout, name: str, why: str
) -> None:
    with pytest.raises(IdentityError, match=why) as caught:
        review_course.enroll(name)
    assert repr(name) in str(caught.value)  # which learner, and why
    assert not (review_course.workspace.root / "learners" / name).exists()  # refused before any folder
