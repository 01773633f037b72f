"""Practice ratings and the response to feedback travel with a learner's reviews through nbgrader: review
collect keeps them, the facilitator reads the response, and practice reaches the grade model as
reviews of examples whose true score (the model review) is known."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from peerkit.apps.feedback import RESPOND
from peerkit.apps.review import ReviewPage
from peerkit.core.practice import practice_answer_id
from peerkit.review import grading
from peerkit.review.collect import collect_reviews
from peerkit.review.practice import EXAMPLE_AUTHOR, practice_inputs, responses
from peerkit.storage.sql import SqlStore
from tests.apps.test_review import examples, practice_for
from tests.conftest import CourseLayout
from tests.review.test_round_flow import PATH, facilitator, write_and_submit

LEARNERS = ["ana", "bo", "cy", "dee"]


def review_with_practice(course: CourseLayout, learner: str) -> None:
    """The learner rates the weaker example more generously than the model review, reviews every
    submission, writes a response, and submits."""
    page = ReviewPage(
        PATH,
        folder=course.folder(learner, f"{PATH}-review"),
        config=course.learner_config(learner),
        practice=practice_for(course),
    )
    weak = page.practice_views[1]
    weak.form.levels["clear"].value = 2
    weak.form.levels["grounded"].value = 2
    for form in page.forms:
        for choice in form.levels.values():
            choice.value = choice.options[-1][1]
        for key, box in form.comments.items():
            box.value = f"The {key} part is specific and useful to me as a reader."
    page.session.save(
        RESPOND,
        "response",
        {"changed": "I added a date.", "kept": "My lesson stays short.", "revised": {"question": "story", "text": "x"}},
    )
    page.session.submit()
    page.close()


@pytest.fixture
def practised(review_course: CourseLayout, store: SqlStore) -> Any:
    for learner in LEARNERS:
        write_and_submit(review_course, learner)
    facilitator(review_course, store)
    review_with_practice(review_course, "ana")
    course = replace(review_course.course, examples={PATH: examples()})
    report = collect_reviews(review_course.course_config(), store, course, PATH)
    return course, report


def test_practice_and_response_are_kept_and_never_refused_as_reviews(practised: Any, store: SqlStore) -> None:
    course, report = practised
    assert report.problems == () and report.unfinished == ()
    assert report.counts == {"added": 4}  # three peers and the self-assessment
    kept = {s.learner: s for s in store.submissions(f"{PATH}-review")}
    assert list(kept) == ["ana"]
    assert sorted(kept["ana"].sheet.answers) == [practice_answer_id("in-general"), RESPOND]
    assert responses(store, course, PATH) == {
        "ana": "What I changed: I added a date.\nWhat I decided not to change, and why: My lesson stays short.\n"
        "Revised answer (story): x"
    }


def test_a_practice_rating_reaches_the_grade_model_as_an_example_with_a_known_score(
    practised: Any, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    course, _report = practised
    inputs = practice_inputs(store, course, PATH)
    assert [(r.reviewer, r.author, dict(r.content.scores)) for r in inputs.reviews] == [
        ("ana", f"{EXAMPLE_AUTHOR}in-general", {"clear": 2.0, "grounded": 2.0})
    ]
    assert inputs.anchors == {f"{EXAMPLE_AUTHOR}in-general": {"clear": 1.0, "grounded": 0.0}}

    seen: list[tuple[Any, Any]] = []
    real = grading.aggregate

    def spy(data: Any, method: Any = "auto", **options: Any) -> Any:
        seen.append((data, options.get("anchors")))
        return real(data, method, **options)

    monkeypatch.setattr(grading, "aggregate", spy)
    grades = grading.compute_grades(store, course, PATH)
    authors = sorted({s.learner for s in store.submissions(PATH)} | {f"{EXAMPLE_AUTHOR}in-general"})
    example = authors.index(f"{EXAMPLE_AUTHOR}in-general")
    data, anchors = seen[0]  # criterion "clear"
    assert anchors == {example: 1.0}  # the model review's level is the example's true score
    rows = list(zip(data.submission.tolist(), data.reviewer.tolist(), data.score.tolist(), strict=True))
    ana = sorted({r.reviewer for r in store.reviews(PATH) if r.kind == "peer"} | {"ana"}).index("ana")
    assert (example, ana, 2.0) in rows  # ana's practice rating is one of the model's inputs
    assert {g.author for g in grades} == set(LEARNERS)  # the example itself gets no grade
