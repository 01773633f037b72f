"""Progress on long facilitator commands: counts and time left, a bar on a terminal, plain lines in a log,
fed by the Facilitator API's ``progress=`` callback with (done, total)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.cli.common import ProgressBar, progress_bar
from peerkit.core.progress import Staged, stage
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout


def test_plain_lines_show_counts_every_tenth_and_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("ingesting", tty=False) as bar:
        assert isinstance(bar, Staged)
        stage(bar, "publishing packets", 120)
        for done in range(1, 121):
            bar(done, 120)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "publishing packets 0/120"
    assert lines[-1].startswith("publishing packets 120/120 (")
    assert any(line.startswith("publishing packets 60/120 (50%, about ") for line in lines)
    assert 10 <= len(lines) <= 12  # not one line per item


def test_a_terminal_gets_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar("releasing assignments", tty=True)
    for done in range(6):
        bar(done, 5)
    bar.close()
    err = capsys.readouterr().err
    assert "releasing assignments" in err and "5/5" in err and "\r" in err


def submitted(review_course: CourseLayout) -> list[str]:
    from tests.review.test_round_flow import write_and_submit

    for learner in ("ana", "bo", "cy", "dee"):
        write_and_submit(review_course, learner)
    return ["--course", str(review_course.course.source), "--workdir", str(review_course.workspace.root)]


def test_review_open_and_close_show_counts_in_a_log(review_course: CourseLayout) -> None:
    from tests.review.test_round_flow import review_everything

    options = submitted(review_course)
    opened = CliRunner().invoke(cli, ["review", "open", "essay", "--seed", "4", *options])
    assert opened.exit_code == 0, opened.output
    assert "ingesting 4/4" in opened.output and "publishing packets 4/4" in opened.output
    for learner in ("ana", "bo", "cy", "dee"):
        review_everything(review_course, learner)
    closed = CliRunner().invoke(cli, ["review", "close", "essay", *options])
    assert closed.exit_code == 0, closed.output
    assert "grading 1/1" in closed.output and "releasing feedback 4/4" in closed.output  # one per learner
    assert "nbgrader gradebook 5/5" in closed.output and "nbgrader feedback 5/5" in closed.output


def test_build_shows_counts(review_course: CourseLayout) -> None:
    options = ["--course", str(review_course.course.source), "--workdir", str(review_course.workspace.root)]
    result = CliRunner().invoke(cli, ["build", "--force", *options])
    assert result.exit_code == 0, result.output
    assert "releasing assignments 2/2" in result.output


def test_the_api_calls_back_with_done_and_total(review_course: CourseLayout) -> None:
    submitted(review_course)
    desk = Facilitator(
        store=SqlStore.open(review_course.workspace.store_url),
        workspace=review_course.workspace,
        course=review_course.course,
        build=review_course.build,
    )
    calls: list[tuple[int, int]] = []
    desk.open_round(path_id="essay", seed=4, progress=lambda done, total: calls.append((done, total)))
    assert (4, 4) in calls and calls[-1] == (4, 4)
    assert all(0 <= done <= total for done, total in calls)
    calls.clear()
    desk.build(force=True, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)


def test_review_close_without_the_gradebook_releases_only_the_review_apps_feedback(review_course: CourseLayout) -> None:
    from tests.review.test_round_flow import review_everything

    options = submitted(review_course)
    assert CliRunner().invoke(cli, ["review", "open", "essay", "--seed", "4", *options]).exit_code == 0
    for learner in ("ana", "bo", "cy", "dee"):
        review_everything(review_course, learner)
    closed = CliRunner().invoke(cli, ["review", "close", "essay", "--no-gradebook", *options])
    assert closed.exit_code == 0, closed.output
    assert "releasing feedback 4/4" in closed.output and "nbgrader" not in closed.output
    assert not list((review_course.workspace.course_root / "autograded").glob("*/essay"))
    again = CliRunner().invoke(cli, ["review", "close", "essay", *options])
    assert again.exit_code == 0 and "nbgrader feedback 5/5" in again.output, again.output
    assert len(list((review_course.workspace.course_root / "autograded").glob("*/essay"))) == 4
