"""One step of a path at a time: the Facilitator API holds the path's store-wide step lock in every
step, so the rolling steward, a facilitator's command and a second service replica never work on the
same path at once; a step that runs another step keeps its own lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.config.settings import PeerkitConfig
from peerkit.core.errors import Conflict
from peerkit.exchange.base import feedback_file
from peerkit.facilitator.api import Facilitator
from peerkit.storage.locks import exclusive
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.facilitator.crashes import PATH, Cohort, make_cohort, rows, run, start
from tests.review.test_rolling import _rolling_template, desk, hand_in, manifest, rolling

__all__ = ["_rolling_template", "desk", "rolling"]


def test_the_steward_skips_a_path_while_someone_else_holds_its_step(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):  # a facilitator's `review close`
        assert desk.steward().reports == ()
    assert manifest(rolling, "ana") is None
    (report,) = desk.steward().reports
    assert report.changed and manifest(rolling, "ana") is not None


def test_a_facilitators_step_is_refused_while_another_holds_the_path(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    lock = exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay")
    with lock, pytest.raises(Conflict) as caught, desk.step("essay", wait=0.3):  # waits this long, then says why
        pass
    assert "essay" in str(caught.value)
    assert desk.collect_reviews(path_id="essay").summary()  # free again once the other holder is done


def test_a_step_that_runs_another_step_keeps_its_lock(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    with desk.step("essay"):
        closed = desk.close_round(path_id="essay")  # collects reviews inside: the same lock, held once
    assert closed.reviews is not None
    with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):
        pass  # released afterwards


def test_a_facilitators_step_waits_out_a_short_look_of_the_steward(rolling: CourseLayout, desk: Facilitator) -> None:
    import threading

    hand_in(rolling, "ana")
    desk.steward()
    held, release = threading.Event(), threading.Event()

    def steward_look() -> None:
        with exclusive(desk.store.engine, f"peerkit:step:{rolling.course.id}:essay"):
            held.set()
            release.wait(10)

    other = threading.Thread(target=steward_look)
    other.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    assert desk.collect_reviews(path_id="essay").summary()  # waited, then ran
    other.join(10)


def test_two_facilitators_collecting_the_same_path_at_once_record_each_submission_once(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 200)
    both = [start(cohort, "collect", PATH) for _ in range(2)]
    done = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], done  # the second waited for the first: no error
    assert "Traceback" not in "".join(out + err for out, err in done)
    assert rows(cohort.db, "SELECT count(*), count(DISTINCT learner_id), sum(current) FROM submission") == [
        (200, 200, 200)
    ]


def test_a_command_refused_on_a_busy_path_names_the_command_holding_it(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 40)
    run(cohort, "collect", PATH)
    run(cohort, "review", "open", PATH)
    closing = start(cohort, "review", "close", PATH)
    try:
        assert closing.stderr is not None
        closing.stderr.readline()  # its first progress: it holds the path
        config = PeerkitConfig.load(
            options={"course_file": cohort.course_file, "workdir": cohort.workdir, "db_url": f"sqlite:///{cohort.db}"}
        )
        other = Facilitator.open(config)
        with pytest.raises(Conflict) as refused, other.step(PATH, wait=0):
            pass
        other.close()
        assert f"already running (peerkit review close essay (process {closing.pid}, since " in str(refused.value)
    finally:
        closing.kill()
        closing.communicate(timeout=30)


def desk_of(cohort: Cohort) -> Facilitator:
    config = PeerkitConfig.load(
        options={"course_file": cohort.course_file, "workdir": cohort.workdir, "db_url": f"sqlite:///{cohort.db}"}
    )
    return Facilitator.open(config)


def overridden(cohort: Cohort, learner: str) -> tuple[float | None, float | None]:
    """*learner*'s override in the store, and the points of the feedback their review page shows."""
    store = SqlStore.open(f"sqlite:///{cohort.db}")
    try:
        (grade,) = [g for g in store.grades(PATH) if g.author == learner]
        doc = store.documents(learner, [feedback_file(PATH)])[feedback_file(PATH)]
        return grade.override_points, doc["grade"]["points"]
    finally:
        store.close()


def test_an_override_while_review_close_grades_waits_for_it_or_is_refused_recording_nothing(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 20)
    run(cohort, "collect", PATH)
    run(cohort, "review", "open", PATH, "--seed", "1")
    run(cohort, "review", "close", PATH, "--no-gradebook")
    closing = start(cohort, "review", "close", PATH)
    try:
        assert closing.stderr is not None
        closing.stderr.readline()  # it holds the path, and grades
        impatient = desk_of(cohort)
        impatient.step_wait = 0.2  # a facilitator who does not wait out the close
        with pytest.raises(Conflict) as refused:
            impatient.override_grade(path_id=PATH, learner="learner0007", points="5", by="me", reason="by hand")
        impatient.close()
        assert "peerkit review close essay" in str(refused.value)
        assert overridden(cohort, "learner0007")[0] is None  # refused: not recorded either
        override = run(cohort, "override", PATH, "learner0007", "5", "--reason", "graded by hand")  # waits
    finally:
        out, err = closing.communicate(timeout=120)
    assert closing.returncode == 0 and "Traceback" not in out + err + override.stderr
    stored, shown = overridden(cohort, "learner0007")
    assert stored is not None and shown == stored  # the override is the grade its learner sees
