"""The Facilitator API on a small built course: build → collect → open → reviews → close → grades →
override → export, every result typed; and the refusals, with the field at fault."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from peerkit.apps.packet_view import grade_text, gradebook_of
from peerkit.config.settings import PeerkitConfig
from peerkit.core.errors import ConfigError, NotFound, ValidationError
from peerkit.exchange.context import resolve_learner_context
from peerkit.facilitator.api import Facilitator
from peerkit.facilitator.results import Built, Closed, Collected, Example, Grades, Override, RoundUpdate
from tests.conftest import CourseLayout
from tests.facilitator.conftest import PATH, Seeded
from tests.review.test_round_flow import review_everything, write_and_submit


def learner_feedback(course: CourseLayout, learner: str) -> dict[str, Any]:
    """The feedback document *learner*'s review page reads (through their own exchange)."""
    ctx = resolve_learner_context(
        course.folder(learner, PATH), config=course.learner_config(learner), learner=learner, env={}
    )
    assert ctx.exchange is not None
    doc = ctx.exchange.feedback(PATH)
    assert doc is not None
    return doc


LEARNERS = ("ana", "bo", "cy", "dee")


def open_desk(course: CourseLayout) -> Facilitator:
    config = PeerkitConfig.load(env={}, course_file=course.course.source, workdir=course.workspace.root)
    return Facilitator.open(config)


def test_a_round_from_build_to_export(review_course: CourseLayout) -> None:
    desk = open_desk(review_course)
    built = desk.build()
    assert isinstance(built, Built) and [r.path_id for r in built.paths] == [PATH, f"{PATH}-review"]
    assert not built.paths[0].released  # the fixture built it already
    assert (review_course.workspace.facilitator_dir).is_dir()
    for learner in LEARNERS:
        write_and_submit(review_course, learner)

    collected = desk.collect(path_id=PATH)
    assert isinstance(collected, Collected) and collected.found == 4
    assert collected.ingested is not None and collected.ingested.ingested == 4
    assert [r.learner for r in desk.submissions()] == list(LEARNERS)

    opened = desk.open_round(path_id=PATH, seed=4)
    assert isinstance(opened, RoundUpdate) and opened.reviews is None  # no round yet: no reviews to count
    assert opened.opened.added == 12 and opened.opened.submitters == 4
    assert sum(s.to_do for s in desk.round_status(path_id=PATH).learners) == 12
    again = desk.extend_round(path_id=PATH)
    assert again.reviews is not None and again.opened.added == 0  # nobody late, nothing overdue

    for learner in LEARNERS:
        review_everything(review_course, learner)
    assert desk.collect_reviews(path_id=PATH).counts == {"added": 16}  # 3 peers and themselves, each

    closed = desk.close_round(path_id=PATH)
    assert isinstance(closed, Closed) and sorted(closed.closed.released) == sorted(LEARNERS)
    # Learners' pages are told it closed (a review written now reaches no author until a later close takes it
    # in); `review open` again withdraws it (tests/review/test_round_closed.py).
    assert (
        review_course.workspace.exchange / review_course.course.id / "peerkit-public" / f"review-{PATH}.json"
    ).exists()
    grades = desk.grades(path_id=PATH)
    assert isinstance(grades, Grades) and {g.author for g in grades.grades} == set(LEARNERS)
    assert all(g.final_points == 4 for g in grades.grades)  # everyone gave the top level
    assert {q.reviewer for q in desk.reviewer_quality(path_id=PATH)} == set(LEARNERS)

    # The path is worth 5 points (its task cells 3 + 2), its rubric 4: every grade is shown on the path's
    # 5, the number the export holds and the learner's feedback shows; the store keeps the rubric's share.
    assert "points (of 5)" in grades.table().splitlines()[0]
    override = desk.override_grade(path_id=PATH, learner="ana", points="3", by="fac", reason="Missing part two.")
    assert override == Override(path_id=PATH, learner="ana", points=3.0, maximum=5.0)
    assert override.summary() == "ana: 3 / 5 points set by hand; re-released"
    ana = next(g for g in desk.grades(path_id=PATH).grades if g.author == "ana")
    assert ana.final_points == pytest.approx(2.4) and ana.override_points == pytest.approx(2.4)
    moodle = {
        r[0]: r[1] for r in csv.reader(io.StringIO(desk.export(kind="grades", path_ids=[PATH], lms="moodle").text))
    }
    assert moodle["ana"] == "3"
    seen = learner_feedback(review_course, "ana")["grade"]
    assert seen["gradebook"] == {"points": 3.0, "max_points": 5.0} and seen["overridden"] is True
    assert grade_text(seen["points"], seen["max_points"], gradebook_of(seen)) == "3 / 5 points"
    with pytest.raises(ValidationError, match=rf"between 0 and 5 \({PATH}'s points\)"):
        desk.override_grade(path_id=PATH, learner="ana", points="5.5", by="fac", reason="Too generous.")
    assert desk.override_grade(path_id=PATH, learner="ana", points="clear", by="fac", reason="-").points is None

    grades_csv = desk.export(kind="grades", path_ids=[PATH], lms="moodle")
    assert grades_csv.name == f"grades-{PATH}-moodle.csv"
    rows = list(csv.reader(io.StringIO(grades_csv.text)))
    assert sorted(r[0] for r in rows[1:]) == sorted(LEARNERS)
    round_doc = desk.export(kind="round", path_ids=[PATH], names=True)
    assert round_doc.name == f"round-{PATH}.json" and len(json.loads(round_doc.text)["reviews"]) == 16
    saved = desk.save_export(round_doc)
    assert saved == review_course.workspace.root / "exports" / round_doc.name and saved.read_text() == round_doc.text

    example = desk.set_example(path_id=PATH, learner="bo", scores=["clear=1", "grounded=2"], by="fac")
    assert isinstance(example, Example) and example.total == 3 and "graded example (3 / 4)" in example.summary()
    desk.close()


@pytest.fixture
def desk(seeded: Seeded, tmp_path: Path) -> Facilitator:
    """The API on the seeded cohort (no nbgrader): enough for every refusal."""
    from peerkit.config.workspace import Workspace

    return Facilitator(store=seeded.store, workspace=Workspace.at(tmp_path), course=seeded.course)


def test_an_unknown_path_is_refused_before_anything_happens(desk: Facilitator) -> None:
    for call in (
        lambda: desk.collect(path_id="nope"),
        lambda: desk.open_round(path_id="nope"),
        lambda: desk.grades(path_id="nope"),
        lambda: desk.override_grade(path_id="nope", learner="ana", points=1, by="f", reason="r"),
        lambda: desk.export(kind="reviews", path_ids=["nope"]),
        lambda: desk.figures(name="health", path_id="nope"),
    ):
        with pytest.raises(ConfigError, match="no learning path 'nope'"):
            call()


@pytest.mark.parametrize("points", ["9", "-1", "lots", 5.5, "nan"])
def test_points_outside_the_rubric_are_refused(desk: Facilitator, points: object) -> None:
    with pytest.raises(ValidationError, match="points must be") as caught:
        desk.override_grade(path_id=PATH, learner="ana", points=points, by="f", reason="r")  # type: ignore[arg-type]
    assert caught.value.field == "points"
    assert all(g.override_points is None for g in desk.grades(path_id=PATH).grades)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (["clear"], "expected CRITERION=POINTS"),
        (["clear=high", "grounded=2"], "expected CRITERION=POINTS"),
        (["clear=1"], "missing: grounded"),
    ],
)
def test_bad_example_scores_are_refused(desk: Facilitator, scores: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        desk.set_example(path_id=PATH, learner="bo", scores=scores, by="f")


def test_other_refusals_name_their_field(desk: Facilitator) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.export(kind="grades", lms="blackboard")
    assert caught.value.field == "lms"
    with pytest.raises(ValidationError) as caught:
        desk.export(kind="gradebook", path_ids=[PATH])
    assert caught.value.field == "kind"
    with pytest.raises(ValidationError) as caught:
        desk.decide_example(item="abc", status="deleted", by="f")
    assert caught.value.field == "status"
    with pytest.raises(NotFound, match="no summary notes"):
        desk.note(path_id=PATH)


def test_store_only_questions_need_no_course(tmp_path: Path, seeded: Seeded) -> None:
    config = PeerkitConfig.load(env={}, course_file=tmp_path / "missing.yml", workdir=tmp_path)
    desk = Facilitator.open(config, store=seeded.store)
    assert {r.learner for r in desk.submissions(path_ids=[PATH])} == {"ana", "bo", "cy", "dee"}
    assert len(desk.round_status(path_id=PATH).learners) > 0
    with pytest.raises(ConfigError):
        desk.grades(path_id=PATH)  # this one checks the path against the course


def test_submissions_and_the_overview_say_which_are_not_complete(desk: Facilitator, seeded: Seeded) -> None:
    from datetime import timedelta

    from peerkit.core.store import NewSubmission

    cy = seeded.store.submission("cy", PATH)
    assert cy is not None
    seeded.store.record_submissions(
        [NewSubmission("cy", PATH, cy.submitted_at + timedelta(hours=1), cy.sheet, status="incomplete", blank=1)]
    )
    rows = {r.learner: (r.status, r.blank) for r in desk.submissions(path_ids=[PATH])}
    assert rows == {"ana": ("complete", 0), "bo": ("complete", 0), "cy": ("incomplete", 1), "dee": ("no-answers", 0)}
    (summary,) = desk.overview()
    assert (summary.submissions, summary.with_blanks, summary.without_answers) == (4, 1, 1)
    cohort = desk.cohort()
    assert {s.learner: s.complete for s in cohort.paths[PATH].submissions} == {
        "ana": True,
        "bo": True,
        "cy": False,
        "dee": False,
    }
