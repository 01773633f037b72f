"""The review commands refuse what does not exist, before anything is collected or written: a learner
who did not submit (or whose name is unsafe), a criterion scored twice, a blank reason, a mistyped
path, a path that is not peer reviewed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from tests.cli.conftest import Desk
from tests.conftest import CourseLayout

SCORES = ["--score", "clear=1", "--score", "grounded=2"]


@pytest.mark.parametrize(
    ("learner", "said"),
    [
        ("amra", "no submission of essay by 'amra'; submitted: ana, bo, cy, dee (peerkit submissions essay)"),
        ("eli", "no submission of essay by 'eli'; submitted: ana, bo, cy, dee"),  # a learner who did not submit
        ("../x", "unsafe learner name: learner id '../x' looks like a relative path"),
        ("in\x1bes", r"unsafe learner name: learner id 'in\x1bes' contains characters that are not allowed: '\x1b'"),
    ],
)
def test_an_example_of_a_learner_who_did_not_submit_is_refused(desk: Desk, learner: str, said: str) -> None:
    before = desk.snapshot()
    result = desk.run("review", "example", "essay", learner, *SCORES)
    assert result.exit_code == 1 and result.output.startswith("Error: ") and said in result.output
    assert "\x1b" not in result.output  # the name is quoted, its escape character never printed raw
    assert desk.snapshot() == before  # no learner row, no example


def test_an_example_scoring_a_criterion_twice_is_refused(desk: Desk) -> None:
    before = desk.snapshot()
    result = desk.run("review", "example", "essay", "ana", "--score", "clear=1", "--score", "clear=2", *SCORES[2:])
    assert result.exit_code == 1
    assert "--score 'clear' is given twice (clear=1 and clear=2): give each criterion once" in result.output
    assert desk.snapshot() == before
    done = desk.run("review", "example", "essay", "ana", *SCORES)
    assert done.exit_code == 0 and "ana's submission of essay is now a graded example (3 / 4)" in done.output


@pytest.mark.parametrize(
    ("learner", "said"),
    [
        ("amra", "no learner 'amra' submitted essay; submitted: ana, bo, cy, dee (peerkit submissions essay)"),
        ("fay", "no learner 'fay' submitted essay"),
        ("a b", "unsafe learner name: learner id 'a b' contains spaces"),
    ],
)
def test_an_override_of_a_learner_who_did_not_submit_is_refused(desk: Desk, learner: str, said: str) -> None:
    before = desk.snapshot()
    result = desk.run("override", "essay", learner, "3", "--reason", "typo")
    assert result.exit_code == 1 and said in result.output and "review close" not in result.output
    assert desk.snapshot() == before


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
@pytest.mark.parametrize("points", ["3", "9.5"])
def test_an_override_without_a_reason_is_refused(desk: Desk, reason: str, points: str) -> None:
    before = desk.snapshot()
    result = desk.run("override", "essay", "ana", points, "--reason", reason)
    assert result.exit_code == 1
    assert "the reason (--reason) is empty: say why the grade is set by hand; the learner is shown it" in result.output
    assert desk.snapshot() == before


def test_an_override_names_the_unknown_learner_before_the_points(desk: Desk) -> None:
    """`override essay Ana 9.5`: the mistyped name is the mistake to fix first, not the points."""
    before = desk.snapshot()
    result = desk.run("override", "essay", "Ana", "9.5", "--reason", "graded in the meeting")
    assert result.exit_code == 1 and "no learner 'Ana' submitted essay; submitted: ana, bo, cy, dee" in result.output
    assert "between" not in result.output
    assert desk.snapshot() == before


@pytest.mark.parametrize("points", ["9.5", "24", "lots"])
def test_override_points_are_refused_on_the_paths_course_points(desk: Desk, points: str) -> None:
    """essay is worth 5 points (its rubric 4): the range the error gives is the export's scale."""
    before = desk.snapshot()
    result = desk.run("override", "essay", "ana", points, "--reason", "graded in the meeting")
    assert result.exit_code == 1 and "0 and 5 (essay's points)" in result.output.replace("0 to 5", "0 and 5")
    assert desk.snapshot() == before


def test_review_status_of_a_mistyped_path_names_the_paths(desk: Desk) -> None:
    result = desk.run("review", "status", "esay")
    assert result.exit_code == 1
    assert result.output == "Error: no learning path 'esay' in course 'review-course' (paths: essay)\n"


def test_review_status_reads_a_round_the_store_holds_of_a_path_the_course_lacks(desk: Desk) -> None:
    """A store-only look (another course file, or none at hand) still shows a round the store holds."""
    from tests.conftest import write_test_course

    other = write_test_course(desk.workdir.parent / "other")
    result = CliRunner().invoke(
        cli, ["review", "status", "essay", "--course", str(other), "--workdir", str(desk.workdir)]
    )
    assert result.exit_code == 0, result.output
    assert "reviews still to do" in result.output


def submitted(course: CourseLayout, learner: str) -> None:
    from peerkit.widgets.context import open_path

    course.enroll(learner)
    session = open_path("alpha", folder=course.folder(learner, "alpha"), config=course.learner_config(learner))
    session.save("first", "text", f"{learner} writes")
    session.submit()


@pytest.mark.parametrize(
    "command",
    [
        ["review", "open"],
        ["review", "close"],
        ["review", "collect"],
        ["review", "status"],
        ["review", "responses"],
        ["review", "flags"],
        ["grades"],
    ],
)
def test_a_path_that_is_not_peer_reviewed_is_refused_before_anything_is_collected(
    course: CourseLayout, command: list[str]
) -> None:
    submitted(course, "amy")
    options = ["--course", str(course.course.source), "--workdir", str(course.workspace.root)]
    result = CliRunner().invoke(cli, [*command, "alpha", *options])
    assert result.exit_code == 1
    assert result.output == "Error: path 'alpha' is not peer reviewed (peer_review: true in course.yml)\n"
    assert not (course.build.course_root / "submitted").exists()  # nbgrader's collect never ran
    assert len(list(course.inbound().iterdir())) == 1
    assert not (course.workspace.root / "peerkit.db").exists()  # nothing was read into a store
