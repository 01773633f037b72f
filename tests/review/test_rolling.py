"""Rolling review with real nbgrader, a real store and both exchanges: learners submit, the steward's
ticks give them peers' work at once, take reviews in, release feedback once k are in, hand back
reviews not started in time, and the facilitator can still close and grade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import Answer
from peerkit.exchange.base import feedback_file, round_file
from peerkit.exchange.context import resolve_learner_context
from peerkit.exchange.registry import open_course_exchange
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.learner import fetch, submit
from peerkit.review.rolling import Steward
from peerkit.storage.answerfile import AnswerFile
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout, _built, _copy_built, write_review_course

PATH = "essay"
REVIEW = f"{PATH}-review"


@pytest.fixture(scope="session")
def _rolling_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("rolling-course-template")
    course_file = write_review_course(root / "src", review="{mode: rolling, per_submission: 2, lease_hours: 1}")
    _built(course_file, root)
    return root, course_file


@pytest.fixture
def rolling(tmp_path: Path, _rolling_template: tuple[Path, Path]) -> CourseLayout:
    template, course_file = _rolling_template
    return _copy_built(template, tmp_path, course_file)


@pytest.fixture
def desk(rolling: CourseLayout, store: SqlStore) -> Iterator[Facilitator]:
    yield Facilitator(
        store=store,
        workspace=rolling.workspace,
        course=rolling.course,
        exchange=rolling.build.exchange_root,
        build=rolling.build,
    )


def hub_steward(course: CourseLayout, store: SqlStore) -> Steward:
    """The steward as the hub service runs it: documents go to learners through the store."""
    return Steward(
        store,
        course.course,
        config=course.course_config(),
        course_root=course.build.course_root,
        inbound=course.inbound(),
        exchange=open_course_exchange(course_id=course.course.id, exchange_root=None, store=store),
    )


def hand_in(course: CourseLayout, learner: str) -> None:
    course.enroll(learner)
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    session.save("story", "text", f"{learner} learned from a colleague at the front desk.")
    session.save("lesson", "text", "Ask early; share what you find.")
    session.submit()


def manifest(course: CourseLayout, learner: str) -> dict[str, Any] | None:
    """The learner's round as their own page reads it (the files exchange)."""
    ctx = resolve_learner_context(
        course.folder(learner, PATH), config=course.learner_config(learner), learner=learner, env={}
    )
    assert ctx.exchange is not None
    delivered = ctx.exchange.round(PATH)
    return None if delivered is None else delivered.manifest


def feedback(course: CourseLayout, learner: str) -> dict[str, Any] | None:
    ctx = resolve_learner_context(
        course.folder(learner, PATH), config=course.learner_config(learner), learner=learner, env={}
    )
    assert ctx.exchange is not None
    return ctx.exchange.feedback(PATH)


def review_all(course: CourseLayout, learner: str, tokens: list[str], *, signed: str = "") -> None:
    """Write and submit the learner's review of each packet (as the review page saves them), the
    suggestion *signed* when given."""
    config = course.learner_config(learner)
    course_dir = course.workspace.learner_course_dir(learner, course.course.id)
    folder = course_dir / REVIEW
    if not folder.is_dir():
        fetch(config, REVIEW, assignment_dir=course_dir, learner=learner)
    file = AnswerFile(folder, REVIEW)
    for token in tokens:
        value = {
            "packet": token,
            "scores": {"clear": 2, "grounded": 2},
            "comments": {
                "strengths": "A clear story with a real colleague in it.",
                "suggestion": "Add one date please." + (f" — {signed}" if signed else ""),
            },
        }
        file.save(f"r-{token}", Answer.make("review", value), seen=None)
    submit(config, folder, learner=learner)


def test_cold_start_with_one_two_and_three_learners(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    first = desk.steward()
    assert first.reports[0].taken_in == ("ana",) and first.actions == 0
    alone = manifest(rolling, "ana")
    assert alone is not None and alone["mode"] == "rolling" and alone["per_submission"] == 2
    assert alone["packets"] == [] and alone["waiting_for"] == 2  # peers' work appears as they submit
    assert first.reports[0].waiting == ("ana",)

    hand_in(rolling, "bo")
    second = desk.steward().reports[0]
    assert second.taken_in == ("bo",) and second.assigned == 2  # bo reviews ana; ana is given bo's
    assert len(manifest(rolling, "bo")["packets"]) == 1  # type: ignore[index]
    assert manifest(rolling, "ana")["waiting_for"] == 1  # type: ignore[index]

    hand_in(rolling, "cy")
    third = desk.steward().reports[0]
    assert third.taken_in == ("cy",) and third.waiting == ()
    for learner in ("ana", "bo", "cy"):
        got = manifest(rolling, learner)
        assert got is not None and len(got["packets"]) == 2 and got["waiting_for"] == 0
    pairs = {(a.reviewer, a.author) for a in desk.store.assignments(PATH)}
    assert not any(r == a for r, a in pairs) and len(pairs) == 6
    assert desk.steward().reports[0].changed is False  # nothing new: nothing done


def test_submissions_recorded_before_the_steward_looked_are_given_work_at_its_first_look(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
    desk.collect(path_id=PATH)  # the facilitator collects (and records) them before any steward runs
    first = desk.steward().reports[0]
    assert first.taken_in == () and first.assigned == 6 and first.waiting == ()
    for learner in ("ana", "bo", "cy"):
        got = manifest(rolling, learner)
        assert got is not None and len(got["packets"]) == 2 and got["waiting_for"] == 0
    pairs = {(a.reviewer, a.author) for a in desk.store.assignments(PATH)}
    assert not any(r == a for r, a in pairs) and len(pairs) == 6
    assert desk.steward().reports[0].changed is False  # given once, not again on every look


def test_feedback_is_released_when_k_reviews_are_in_and_the_round_closes(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
        desk.steward()
    reviewers_of_ana = sorted(a.reviewer for a in desk.store.assignments(PATH) if a.author == "ana")
    assert len(reviewers_of_ana) == 2
    first = reviewers_of_ana[0]
    review_all(rolling, first, manifest(rolling, first)["packets"])  # type: ignore[index]
    one = desk.steward().reports[0]
    assert one.reviews == 2 and "ana" not in one.released and feedback(rolling, "ana") is None
    second = reviewers_of_ana[1]
    review_all(rolling, second, manifest(rolling, second)["packets"])  # type: ignore[index]
    two = desk.steward().reports[0]
    assert "ana" in two.released
    doc = feedback(rolling, "ana")
    assert doc is not None and len(doc["reviews"]) == 2 and doc["grade"]["points"] is None  # graded at close
    assert desk.steward().reports[0].released == ()  # released once per new review, not every tick

    closed = desk.close_round(path_id=PATH, collect=False, gradebook=False).closed
    assert {g.author for g in closed.grades} == {"ana", "bo", "cy"}
    graded = feedback(rolling, "ana")
    assert graded is not None and graded["grade"]["points"] is not None
    assert desk.steward().reports[0].closed  # a closed path allocates nothing more
    status = desk.round_status(path_id=PATH)
    assert {s.learner for s in status.learners} == {"ana", "bo", "cy"}


def test_feedback_released_by_the_steward_hides_the_name_in_a_reviewers_profile(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    """A reviewer who signs "— Benji", the name in their profile, is not named to the author, even at a
    steward's first look (its course roster was built only after that look's feedback went out)."""
    from peerkit.core.answers import AnswerSheet
    from peerkit.core.store import NewSubmission

    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
        desk.steward()
    at = datetime.now(UTC)
    nick = {"ana": "Annie", "bo": "Benji", "cy": "Sunny"}
    for learner in ("ana", "bo", "cy"):  # each one's profile, from another path of the course
        profile = Answer.make("profile", {"name": nick[learner], "know": ["catalogues"]})
        sheet = AnswerSheet(path="about").with_answer("about-me", profile)
        desk.store.record_submissions([NewSubmission(learner, "about", at, sheet, channel_key=f"k-{learner}")])
    for reviewer in sorted(a.reviewer for a in desk.store.assignments(PATH) if a.author == "ana"):
        review_all(rolling, reviewer, manifest(rolling, reviewer)["packets"], signed=nick[reviewer])  # type: ignore[index]
    assert "ana" in desk.steward().reports[0].released
    doc = feedback(rolling, "ana")
    assert doc is not None and len(doc["reviews"]) == 2
    shown = str(doc["reviews"])
    assert not any(name in shown for name in nick.values()) and "— [the reviewer]" in shown, shown


def test_a_review_not_started_in_time_goes_back_to_the_pool(rolling: CourseLayout, desk: Facilitator) -> None:
    t0 = datetime.now(UTC)
    for learner in ("ana", "bo", "cy"):
        hand_in(rolling, learner)
        desk.steward(now=t0)
    lazy = "ana"
    held = [a for a in desk.store.assignments(PATH) if a.reviewer == lazy and a.status == "open"]
    assert len(held) == 2
    hand_in(rolling, "dee")
    late = desk.steward(now=t0 + timedelta(hours=2)).reports[0]
    assert late.taken_in == ("dee",)
    assert late.expired >= 2  # every review left untouched for two hours (lease: one)
    statuses = {a.token: a.status for a in desk.store.assignments(PATH)}
    assert all(statuses[a.token] == "replaced" for a in held)
    assert manifest(rolling, lazy)["packets"] == []  # type: ignore[index]
    assert desk.rolling._paths[PATH].pool.away(lazy)


def test_the_hub_exchange_gets_the_same_documents(rolling: CourseLayout, store: SqlStore) -> None:
    steward = hub_steward(rolling, store)
    for learner in ("ana", "bo"):
        hand_in(rolling, learner)
        steward.tick(PATH)
    docs = store.documents("bo", [round_file(PATH)])
    assert docs[round_file(PATH)]["mode"] == "rolling" and len(docs[round_file(PATH)]["packets"]) == 1
    assert store.documents("ana", [feedback_file(PATH)]) == {}


def test_a_second_process_sees_the_first_ones_changes(
    rolling: CourseLayout, desk: Facilitator, store: SqlStore
) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    other = Facilitator(
        store=store,
        workspace=rolling.workspace,
        course=rolling.course,
        exchange=rolling.build.exchange_root,
        build=rolling.build,
    )
    hand_in(rolling, "bo")
    assert other.steward().reports[0].taken_in == ("bo",)
    hand_in(rolling, "cy")
    third = desk.steward().reports[0]  # reads the round again: bo is in the pool already
    assert third.taken_in == ("cy",)
    assert len({(a.reviewer, a.author) for a in store.assignments(PATH)}) == 6
