"""A facilitator watching a rolling path: given, received, waiting for, the ages of the oldest open
review and of the wait, the learners waiting longest first (``round_status`` on a rolling path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from peerkit.facilitator.api import Facilitator
from peerkit.review.round import age, round_status
from tests.conftest import CourseLayout
from tests.review.test_rolling import PATH, _rolling_template, desk, hand_in, manifest, review_all, rolling

__all__ = ["_rolling_template", "desk", "rolling"]


def test_the_learners_waiting_longest_come_first_with_what_they_wait_for(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    t0 = datetime.now(UTC)
    hand_in(rolling, "ana")
    desk.steward(now=t0)
    hand_in(rolling, "bo")
    desk.steward(now=t0 + timedelta(minutes=10))
    later = datetime.now(UTC) + timedelta(hours=3)
    status = desk.round_status(path_id=PATH, now=later)
    assert status.mode == "rolling"
    rows = {s.learner: s for s in status.learners}
    assert [s.learner for s in status.learners] == ["ana", "bo"]  # ana submitted first: waits longest
    ana, bo = rows["ana"], rows["bo"]
    assert (ana.to_do, ana.done, ana.received, ana.expected, ana.waiting_for) == (1, 0, 0, 2, 1)
    assert (bo.to_do, bo.waiting_for) == (1, 1)
    assert ana.oldest_open_at == t0 + timedelta(minutes=10)  # given bo's work when bo came in
    assert ana.waiting_since is not None and ana.waiting_since <= bo.waiting_since  # type: ignore[operator]
    assert [s.learner for s in status.waiting_longest()] == ["ana", "bo"]
    table = status.table()
    assert "essay: rolling review, 2 reviews each way" in table
    assert "waiting for" in table and "oldest open" in table
    assert table.index("\nana ") < table.index("\nbo ")
    assert "waiting for reviews: 2 learners, longest ana (3 h)" in table
    assert "waiting for peers' work to review: 2 learners (2 reviews)" in table

    hand_in(rolling, "cy")
    desk.steward(now=t0 + timedelta(minutes=20))
    for learner in ("bo", "cy"):
        review_all(rolling, learner, manifest(rolling, learner)["packets"])  # type: ignore[index]
    desk.steward(now=t0 + timedelta(minutes=30))
    status = desk.round_status(path_id=PATH, now=later)
    rows = {s.learner: s for s in status.learners}
    assert all(s.waiting_for == 0 for s in status.learners)  # three learners: everyone has two to review
    assert rows["ana"].received == 2 and rows["ana"].waiting_since is None  # feedback is there: not waiting
    assert (rows["bo"].done, rows["bo"].to_do, rows["bo"].oldest_open_at) == (2, 0, None)
    assert status.learners[-1].learner == "ana"  # nobody waits less than a learner who waits no more
    assert rows["ana"].oldest_open_at is not None and "waiting for peers' work" not in status.table()


def test_a_round_keeps_its_view_and_a_store_only_look_still_works(rolling: CourseLayout, desk: Facilitator) -> None:
    hand_in(rolling, "ana")
    desk.steward()
    plain = round_status(desk.store, PATH)  # without the course: the round's view
    assert plain.mode == "round" and plain.learners[0].waiting_for == 0
    assert "to do  done  received  waiting" in plain.table()


def test_ages_read_as_a_facilitator_says_them() -> None:
    assert [age(timedelta(seconds=s)) for s in (-5, 40, 600, 5 * 3600, 50 * 3600)] == [
        "0 s",
        "40 s",
        "10 min",
        "5 h",
        "2 d",
    ]


def _with_k(desk: Facilitator, k: int) -> Facilitator:
    """The same course, its path's per_submission changed in course.yml."""
    from dataclasses import replace

    course = desk.course
    paths = tuple(
        replace(p, review=replace(p.review, per_submission=k)) if p.id == PATH and p.review else p for p in course.paths
    )
    return Facilitator(
        store=desk.store,
        workspace=desk.workspace,
        course=replace(course, paths=paths),
        exchange=desk.course_build.exchange_root,
        build=desk.course_build,
    )


def test_per_submission_changed_in_course_yml_is_said_not_ignored(rolling: CourseLayout, desk: Facilitator) -> None:
    """The pool keeps the k it opened with (who reviews how many, feedback and confidence all count on it):
    the steward's log and the status say so and how to fix it, instead of silently showing the old k."""
    hand_in(rolling, "ana")
    desk.steward()
    changed = _with_k(desk, 3)
    hand_in(rolling, "bo")
    report = changed.steward().reports[0]
    assert report.taken_in == ("bo",) and report.assigned == 2  # bo reviews ana, ana is given bo's: k stays 2
    (problem,) = report.problems
    assert "course.yml says per_submission: 3 for essay" in problem and "keeps 2" in problem
    assert "put per_submission: 2 back in course.yml" in problem
    assert f"  problem: {problem}" in report.summary()
    table = changed.round_status(path_id=PATH).table().splitlines()
    assert table[0] == "essay: rolling review, 2 reviews each way"
    assert table[1] == f"note: {problem}"
    assert desk.round_status(path_id=PATH).notes == ()  # course.yml as it was: nothing to say
    assert not desk.steward().reports[0].problems


def test_a_rolling_path_before_the_steward_looked_says_how_to_start_it(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    status = desk.round_status(path_id=PATH)
    assert status.round is None and status.mode == "rolling"
    assert "steward has not looked at it yet: run `peerkit review watch`" in status.table()
    assert "peerkit review open" not in status.table()


def test_review_open_refuses_a_rolling_path_naming_course_yml_mode(rolling: CourseLayout, desk: Facilitator) -> None:
    import pytest

    from peerkit.core.errors import WorkflowError

    hand_in(rolling, "ana")
    with pytest.raises(WorkflowError, match=r"rolling mode \(course.yml: review: \{mode: rolling\}\)"):
        desk.open_round(path_id=PATH)
    assert desk.store.review_round(PATH) is None and desk.store.submissions(PATH) == []  # nothing collected


def test_status_over_an_unreadable_course_file_says_why_it_shows_the_round_view(
    rolling: CourseLayout, desk: Facilitator
) -> None:
    from peerkit.config.settings import PeerkitConfig

    hand_in(rolling, "ana")
    desk.steward()
    broken = rolling.workspace.root / "course.yml"
    broken.write_text(rolling.course.source.read_text().replace("mode: rolling", "mode: rollng"))
    config = PeerkitConfig.load(env={}, course_file=broken, workdir=rolling.workspace.root)
    status = Facilitator.open(config, store=desk.store).round_status(path_id=PATH)
    assert status.mode == "round" and len(status.notes) == 1
    assert "could not be read" in status.notes[0] and "'rollng' is not one of" in status.notes[0]
    assert status.table().startswith("note: the course file could not be read")
