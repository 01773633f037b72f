"""The demo on a rolling path: the demo learner submits and, with nobody opening a round, gets peers'
work to review at once and the peers' feedback within a couple of looks."""

from __future__ import annotations

import dataclasses

from peerkit.core.models import Course
from peerkit.demo.autopilot import Autopilot
from peerkit.demo.cohort import enroll_peers, load_peers
from peerkit.exchange.context import resolve_learner_context
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "essay"


def rolling(course: Course, k: int = 3) -> Course:
    paths = tuple(
        dataclasses.replace(p, review=dataclasses.replace(p.review, mode="rolling", per_submission=k))
        if p.review is not None
        else p
        for p in course.paths
    )
    return dataclasses.replace(course, paths=paths)


def test_the_demo_learner_walks_a_rolling_path_alone(review_course: CourseLayout) -> None:
    store = SqlStore.open(review_course.workspace.store_url)
    course, workspace = rolling(review_course.course), review_course.workspace
    peers = load_peers(course)
    enroll_peers(course, workspace, review_course.build, store, peers)
    lines: list[str] = []
    pilot = Autopilot(course, workspace, review_course.build, store, "tester", peers, say=lines.append)
    pilot.remember_current()
    pilot.tick()  # the peers' submissions are taken in; they review each other
    assert any("took in pia, quin, rosa, sam" in line for line in lines), lines

    review_course.enroll("tester")
    session = open_path(
        PATH, folder=review_course.folder("tester", PATH), config=review_course.learner_config("tester")
    )
    session.save("story", "text", "My neighbour at the reference desk showed me how to search the archive quickly.")
    session.save("lesson", "text", "Ask early, and write down what you learn.")
    session.submit()
    pilot.tick()
    ctx = resolve_learner_context(
        review_course.folder("tester", PATH), config=review_course.learner_config("tester"), learner="tester", env={}
    )
    assert ctx.exchange is not None
    delivered = ctx.exchange.round(PATH)
    assert delivered is not None and len(delivered.tokens) == 3 and delivered.manifest["mode"] == "rolling"
    pilot.tick()  # the peers' reviews of the learner are taken in: feedback goes out
    feedback = ctx.exchange.feedback(PATH)
    assert feedback is not None and len(feedback["reviews"]) == 3 and feedback["grade"]["points"] is None
    assert not [line for line in lines if "facilitator" in line]  # nobody opened or closed anything
    store.close()
