"""From reviews to grades and feedback, through the real nbgrader gradebook and feedback release:
a learner fetches feedback holding their peers' comments and not the reviewers' names; a flagged
review is excluded and the grade recomputed and re-released; an override is recorded and shown."""

from __future__ import annotations

import re
from pathlib import Path

from peerkit.apps.review import ReviewPage
from peerkit.core.markdown import literal
from peerkit.nbgrader.feedback import fetch_feedback
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.feedback import close_round, release
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.review.test_round_flow import write_and_submit

PATH = "essay"
LEARNERS = ["amelia", "bartholomew", "cordelia", "desmond"]
HOSTILE = "<script>alert('x')</script> Nice <img src=x onerror=alert(1)> work"


def review_all(course: CourseLayout, learner: str, *, level: int = -1, comment: str | None = None) -> None:
    page = ReviewPage(PATH, folder=course.folder(learner, f"{PATH}-review"), config=course.learner_config(learner))
    for form in page.forms:
        for choice in form.levels.values():
            choice.value = choice.options[level][1]
        for key, box in form.comments.items():
            box.value = comment or f"The {key} is specific and useful for the next draft."
    page.session.submit()
    page.close()


def feedback_html(course: CourseLayout, learner: str) -> str:
    files = fetch_feedback(
        course.learner_config(learner),
        PATH,
        assignment_dir=course.workspace.learner_course_dir(learner, course.course.id),
        learner=learner,
    )
    assert files, "no feedback was fetched"
    return max(files, key=lambda f: f.stat().st_mtime).read_text()


def test_reviews_become_gradebook_scores_and_fetched_feedback(review_course: CourseLayout, store: SqlStore) -> None:
    for learner in LEARNERS:
        write_and_submit(review_course, learner)
    config = review_course.course_config()
    collect_and_ingest(config, store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=2)
    review_all(review_course, "bartholomew", comment=f"{HOSTILE} — bartholomew was here, padding to enough words.")
    for learner in ("amelia", "cordelia", "desmond"):
        review_all(review_course, learner)
    collect_reviews(config, store, review_course.course, PATH)

    report = close_round(store, review_course.course, review_course.build, PATH)
    assert sorted(report.released) == sorted(LEARNERS)
    grades = {g.author: g for g in report.grades}
    assert all(g.points == 4.0 and g.reviews == 3 for g in grades.values())

    from nbgrader.api import Gradebook

    with Gradebook(review_course.workspace.gradebook_url, review_course.course.id) as gradebook:
        story = gradebook.find_grade("story", PATH, PATH, "amelia")
        lesson = gradebook.find_grade("lesson", PATH, PATH, "amelia")
        assert (story.manual_score, lesson.manual_score) == (3.0, 2.0) and not story.needs_manual_grade
        comment = gradebook.find_comment("story", PATH, PATH, "amelia").manual_comment
        assert "Grade: **5 / 5 points**" in comment and "Reviewer 3" in comment  # the path's 5, as the cells
        assert literal("Clearly (2 of 2)") in comment and "/ 4" not in comment  # levels, no second total

    for learner in LEARNERS:
        page = feedback_html(review_course, learner)
        assert "Peer review of" in page and "Reviewer 1" in page
        others = [name for name in LEARNERS if name != learner]
        assert not any(re.search(rf"\b{name}\b", page) for name in others), f"{learner}'s feedback names a reviewer"
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
        if learner != "bartholomew":
            assert "&lt;script&gt;" in page  # bartholomew's comment is there, as text


def test_flag_exclude_recompute_rerelease_and_override(review_course: CourseLayout, store: SqlStore) -> None:
    for learner in LEARNERS:
        write_and_submit(review_course, learner)
    config = review_course.course_config()
    collect_and_ingest(config, store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=2)
    review_all(review_course, "bartholomew", level=0)  # the harshest reviewer gives 0 everywhere
    for learner in ("amelia", "cordelia", "desmond"):
        review_all(review_course, learner)
    collect_reviews(config, store, review_course.course, PATH)
    close_round(store, review_course.course, review_course.build, PATH)
    victim = next(a.author for a in store.assignments(PATH) if a.reviewer == "bartholomew")
    assert next(g for g in store.grades(PATH) if g.author == victim).points == 4.0  # median shrugs off one zero

    # the author sees their feedback in the review app, rates the harsh review 1 and flags it
    page = ReviewPage(
        PATH, folder=review_course.folder(victim, f"{PATH}-review"), config=review_course.learner_config(victim)
    )
    assert "Your feedback" in page.titles and len(page.ratings) == 3
    harsh_token = next(a.token for a in store.assignments(PATH) if a.reviewer == "bartholomew" and a.author == victim)
    for form in page.ratings:
        form.helpful.value = 1 if form.token == harsh_token else 5
        if form.token == harsh_token:
            form.flag.value = True
            form.reason.value = "Zero everywhere with a copied comment."
    page.session.submit()
    page.close()
    assert collect_reviews(config, store, review_course.course, PATH).ratings == 3
    assert [(r.token, r.flag_reason) for r in store.ratings(PATH) if r.flagged] == [
        (harsh_token, "Zero everywhere with a copied comment.")
    ]

    store.exclude_review(PATH, harsh_token, reason="confirmed careless")
    close_round(store, review_course.course, review_course.build, PATH)
    regraded = next(g for g in store.grades(PATH) if g.author == victim)
    assert regraded.reviews == 2 and regraded.released_at is not None
    assert feedback_html(review_course, victim).count("Reviewer ") == 2

    store.override_grade(PATH, victim, 3.5, by="facilitator", reason="Strong ideas, one part missing.")
    release(store, review_course.course, review_course.build, PATH, learners=[victim])
    page_html = feedback_html(review_course, victim)
    assert "4.38 / 5 points" in page_html and "Strong ideas, one part missing." in page_html
    overridden = next(g for g in store.grades(PATH) if g.author == victim)
    assert (overridden.final_points, overridden.override_by, overridden.confidence) == (
        3.5,
        "facilitator",
        "set by the facilitator",
    )
    close_round(store, review_course.course, review_course.build, PATH)  # recomputing keeps the override
    assert next(g for g in store.grades(PATH) if g.author == victim).final_points == 3.5
    channel_feedback = Path(review_course.workspace.exchange)
    assert any(channel_feedback.rglob("feedback-essay.json"))
