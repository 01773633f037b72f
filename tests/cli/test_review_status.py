"""``peerkit review status`` on a rolling path: who waits longest, for what, and for how long."""

from __future__ import annotations

from click.testing import CliRunner

from peerkit.cli import cli
from tests.conftest import CourseLayout
from tests.review.test_rolling import _rolling_template, hand_in, rolling

__all__ = ["_rolling_template", "rolling"]


def test_status_of_a_rolling_path_lists_who_waits_longest_first(rolling: CourseLayout) -> None:
    common = ["--workdir", str(rolling.workspace.root), "--course", str(rolling.course.source)]
    for learner in ("bo", "ana"):
        hand_in(rolling, learner)
        assert CliRunner().invoke(cli, ["review", "watch", "--once", *common]).exit_code == 0
    result = CliRunner().invoke(cli, ["review", "status", "essay", *common])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "essay: rolling review, 2 reviews each way"
    assert lines[1].split() == [
        "learner",
        "given",
        "to",
        "do",
        "received",
        "waiting",
        "for",
        "oldest",
        "open",
        "waiting",
    ]
    assert lines[2].split()[:5] == ["bo", "0", "1", "0/2", "1"]  # bo handed in first: waits longest
    assert lines[3].startswith("ana ")
    assert "waiting for reviews: 2 learners, longest bo" in result.output
