"""``peerkit review watch --once``: one look at the rolling paths, from the command line."""

from __future__ import annotations

from click.testing import CliRunner

from peerkit.cli import cli
from tests.conftest import CourseLayout
from tests.review.test_rolling import _rolling_template, hand_in, rolling

__all__ = ["_rolling_template", "rolling"]


def test_watch_once_takes_submissions_in_and_says_no_facilitator_action_was_needed(rolling: CourseLayout) -> None:
    for learner in ("ana", "bo"):
        hand_in(rolling, learner)
    common = ["--workdir", str(rolling.workspace.root), "--course", str(rolling.course.source)]
    result = CliRunner().invoke(cli, ["review", "watch", "--once", *common])
    assert result.exit_code == 0, result.output
    assert "essay: took in ana, bo; 2 reviews given out" in result.output
    assert "facilitator actions needed: 0" in result.output
    again = CliRunner().invoke(cli, ["review", "watch", "--once", "essay", *common])
    assert (
        again.exit_code == 0 and "essay: 2 waiting for peers' work" in again.output
    )  # k = 2: two peers each owe one more


def test_watch_refuses_a_path_that_does_not_exist(rolling: CourseLayout) -> None:
    common = ["--workdir", str(rolling.workspace.root), "--course", str(rolling.course.source)]
    result = CliRunner().invoke(cli, ["review", "watch", "--once", "nope", *common])
    assert result.exit_code == 1 and "nope" in result.output
