"""A full review round in the real nbgrader exchange: six learners in two circles, a late submitter
and a reviewer who never reviews; in the end everyone who submitted has k finished reviews."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from peerkit.apps.review import ReviewPage
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.round import open_round, round_status
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "essay"
NORTH = ["ana", "bo", "cy"]
SOUTH = ["dee", "eli", "fay"]
LAZY = "bo"  # never reviews
LATE = "fay"  # submits after the round opened


def write_and_submit(course: CourseLayout, learner: str) -> None:
    course.enroll(learner)
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    session.save("story", "text", f"{learner} learned from a colleague at the front desk.")
    session.save("lesson", "text", "Ask early; share what you find.")
    session.submit()


def review_everything(course: CourseLayout, learner: str) -> int:
    """Open the learner's review app, complete every review and the self-assessment, submit."""
    page = ReviewPage(PATH, folder=course.folder(learner, f"{PATH}-review"), config=course.learner_config(learner))
    for form in page.forms:
        for choice in form.levels.values():
            choice.value = choice.options[-1][1]
        for key, box in form.comments.items():
            box.value = f"The {key} part is specific and useful to me as a reader."
        assert form.missing() == []
    page.session.submit()
    count = len(page.forms)
    page.close()
    return count


def facilitator(course: CourseLayout, store: SqlStore, *, now: datetime | None = None) -> object:
    """What `peerkit review open` does: collect submissions and reviews, then bring the round up to date."""
    config = course.course_config()
    collect_and_ingest(config, store, PATH)
    if store.review_round(PATH) is not None:
        collect_reviews(config, store, course.course, PATH)
    return open_round(store, course.course, PATH, exchange_root=course.workspace.exchange, seed=1, now=now)


def test_everyone_who_submitted_gets_k_reviews_in_the_end(review_course: CourseLayout, store: SqlStore) -> None:
    for learner in NORTH + SOUTH:
        if learner != LATE:
            write_and_submit(review_course, learner)
    for learner in NORTH:
        store.add_learner(learner, circle="north library")
    for learner in SOUTH:
        store.add_learner(learner, circle="south school")
    t0 = datetime.now(UTC)

    first = facilitator(review_course, store, now=t0)
    assert first.submitters == 5 and first.added == 15  # type: ignore[attr-defined]
    assert first.cross_circle_share > 0.5  # type: ignore[attr-defined]

    for learner in NORTH + SOUTH:  # everybody but the lazy one and the late one reviews
        if learner not in (LAZY, LATE):
            assert review_everything(review_course, learner) == 4  # three peers and themselves

    write_and_submit(review_course, LATE)
    late = facilitator(review_course, store, now=t0 + timedelta(hours=1))
    assert late.newcomers == (LATE,) and late.added == 6  # type: ignore[attr-defined]
    for learner in NORTH + SOUTH:  # the late packets reach the active reviewers' apps at once
        if learner != LAZY:
            review_everything(review_course, learner)

    lazy_open = [a.token for a in store.assignments(PATH) if a.reviewer == LAZY and a.status == "open"]
    overdue = facilitator(review_course, store, now=t0 + timedelta(hours=49))
    assert overdue.dropped == (LAZY,) and overdue.replaced == len(lazy_open) >= 3  # type: ignore[attr-defined]
    assert {a.token: a.status for a in store.assignments(PATH) if a.token in lazy_open} == dict.fromkeys(
        lazy_open, "replaced"
    )
    for learner in NORTH + SOUTH:
        if learner != LAZY:
            review_everything(review_course, learner)

    report = collect_reviews(review_course.course_config(), store, review_course.course, PATH)
    assert not report.problems and not report.unfinished
    received = Counter(r.author for r in store.reviews(PATH) if r.kind == "peer")
    assert all(received[learner] >= 3 for learner in NORTH + SOUTH), received
    assert not any(r.reviewer == r.author for r in store.reviews(PATH) if r.kind == "peer")
    selves = {r.reviewer for r in store.reviews(PATH) if r.kind == "self"}
    assert selves == set(NORTH + SOUTH) - {LAZY}
    status = round_status(store, PATH)
    assert [s.learner for s in status.learners if s.waiting] == []
    assert {s.learner: s.to_do for s in status.learners}[LAZY] == 0  # their reviews were handed over


def test_small_cohort_says_so_and_fills_up_later(review_course: CourseLayout, store: SqlStore) -> None:
    for learner in ("ana", "bo"):
        write_and_submit(review_course, learner)
    report = facilitator(review_course, store)
    assert report.shortfall and "ana" in report.shortfall[0]  # type: ignore[attr-defined]
    assert "not enough reviewers yet" in report.summary()  # type: ignore[attr-defined]
    for learner in ("cy", "dee"):
        write_and_submit(review_course, learner)
    later = facilitator(review_course, store)
    assert later.shortfall == ()  # type: ignore[attr-defined]
    received = Counter(a.author for a in store.assignments(PATH) if a.status != "replaced")
    assert all(n >= 3 for n in received.values()) and len(received) == 4


def review_one(course: CourseLayout, learner: str) -> None:
    """Open the learner's review app, complete only the first packet, submit."""
    page = ReviewPage(PATH, folder=course.folder(learner, f"{PATH}-review"), config=course.learner_config(learner))
    form = page.forms[0]
    for choice in form.levels.values():
        choice.value = choice.options[-1][1]
    for key, box in form.comments.items():
        box.value = f"The {key} part is specific and useful to me as a reader."
    page.session.submit()
    page.close()


def test_a_reviewer_who_dropped_out_and_comes_back_rejoins_the_round(
    review_course: CourseLayout, store: SqlStore
) -> None:
    for learner in NORTH + SOUTH:
        write_and_submit(review_course, learner)
    t0 = datetime.now(UTC) - timedelta(hours=60)  # the round opened long ago: reviews fell overdue
    facilitator(review_course, store, now=t0)
    for learner in NORTH + SOUTH:
        if learner != LAZY:
            review_everything(review_course, learner)
    overdue = facilitator(review_course, store, now=t0 + timedelta(hours=49))
    assert overdue.dropped == (LAZY,) and overdue.replaced == 3  # type: ignore[attr-defined]

    review_one(review_course, LAZY)  # back: finishes one of the handed-over reviews (it counts)
    back = facilitator(review_course, store)
    assert back.returned == (LAZY,)  # type: ignore[attr-defined]
    assert "reviewing again: bo" in back.summary()  # type: ignore[attr-defined]
    live = [a for a in store.assignments(PATH) if a.status != "replaced"]
    mine = [a for a in live if a.reviewer == LAZY]
    assert len(mine) == 3 and sum(a.status == "open" for a in mine) == 2  # reviews to do again
    loads = Counter(a.reviewer for a in live)
    assert max(loads.values()) <= 4 and not any(a.reviewer == a.author for a in live)
    assert len({(a.reviewer, a.author) for a in live}) == len(live)

    again = facilitator(review_course, store)  # safe to run again: nothing more to do
    assert again.returned == () and again.added == 0  # type: ignore[attr-defined]
    review_everything(review_course, LAZY)
    report = collect_reviews(review_course.course_config(), store, review_course.course, PATH)
    assert not report.unfinished
    assert {s.learner: s.to_do for s in round_status(store, PATH).learners}[LAZY] == 0


def submit_without_answers(course: CourseLayout, learner: str, *, blank: bool) -> None:
    """Submit before answering (*blank*: after saving only blank answers): a submission with no answers."""
    course.enroll(learner)
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    if blank:
        session.save("story", "text", "   ")
        session.save("lesson", "text", "")
    session.submit()


def test_a_submission_without_answers_is_not_sent_for_review(review_course: CourseLayout, store: SqlStore) -> None:
    answered, empty, partial = ["ana", "bo", "dee", "eli"], ["fay", "gus"], "cy"
    for learner in answered:
        write_and_submit(review_course, learner)
    review_course.enroll(partial)  # some answers blank: still reviewed
    session = open_path(PATH, folder=review_course.folder(partial, PATH), config=review_course.learner_config(partial))
    session.save("story", "text", "A colleague at the front desk showed me the new catalogue.")
    session.submit()
    submit_without_answers(review_course, "fay", blank=False)
    submit_without_answers(review_course, "gus", blank=True)
    t0 = datetime.now(UTC)

    first = facilitator(review_course, store, now=t0)
    assert {s.learner: s.status for s in store.submissions(PATH)}[partial] == "incomplete"
    assert first.submitters == 7 and first.without_answers == ("fay", "gus")  # type: ignore[attr-defined]
    assert "2 submissions without answers are not sent for review: fay, gus" in first.summary()  # type: ignore[attr-defined]
    live = store.assignments(PATH)
    received = Counter(a.author for a in live)
    assert received == dict.fromkeys([*answered, partial], 3)  # nobody reviews an empty submission
    loads = Counter(a.reviewer for a in live)
    assert all(loads[learner] >= 2 for learner in empty)  # their authors still review others
    assert sum(loads.values()) == 15 and max(loads.values()) <= 3
    assert review_everything(review_course, "fay") == loads["fay"]  # peers only: nothing of hers to self-assess
    waiting = {s.learner: s.waiting for s in round_status(store, PATH).learners}
    assert waiting["fay"] is False and waiting["gus"] is False and waiting["ana"] is True

    write_and_submit(review_course, "fay")  # now with answers: brought in as a late submitter
    late = facilitator(review_course, store, now=t0 + timedelta(hours=1))
    assert late.newcomers == ("fay",) and late.without_answers == ("gus",)  # type: ignore[attr-defined]
    assert "1 submission without answers is not sent for review: gus" in late.summary()  # type: ignore[attr-defined]
    received = Counter(a.author for a in store.assignments(PATH) if a.status != "replaced")
    assert received["fay"] == 3 and "gus" not in received
    assert review_everything(review_course, "fay") >= 1  # her own submission to self-assess now, at least
    assert {s.learner: s.expected for s in round_status(store, PATH).learners}["fay"] == 3
