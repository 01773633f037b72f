"""The peerkit CLI: wiring and error reporting (behaviour is tested at the API level)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.config.template import template_root
from tests.conftest import CourseLayout, require, write_test_course


def test_build_reports_released_then_unchanged(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    runner = CliRunner()
    args = ["build", "--course", str(course_file), "--workdir", str(tmp_path / "w")]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "alpha: released" in first.output and "beta: released" in first.output
    second = runner.invoke(cli, args)
    assert "alpha: unchanged" in second.output


def test_serve_prepare_only_sets_everything_up(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    result = CliRunner().invoke(
        cli,
        ["serve", "--course", str(course_file), "--workdir", str(tmp_path / "w"), "--port", "9911", "--prepare-only"],
    )
    assert result.exit_code == 0, result.output
    assert "Course home: http://localhost:9911/" in result.output and "learner: tester" in result.output
    course_dir = tmp_path / "w" / "learners" / "tester" / "test-course"
    assert (course_dir / "home.ipynb").is_file() and (course_dir / "alpha" / "alpha.ipynb").is_file()
    assert (tmp_path / "w" / "voila" / "voila.json").is_file()
    assert "comes with peerkit" not in result.output  # a course of one's own, named on the command line


def test_serve_outside_a_course_folder_says_it_serves_the_course_that_comes_with_peerkit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no course/course.yml here
    args = ["serve", "--workdir", str(tmp_path / "w"), "--port", "9912", "--prepare-only", "--no-cohort"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    said = result.output.splitlines()[1]
    assert said.startswith(f"  course: {template_root().resolve() / 'course' / 'course.yml'} (no course/course.yml")
    assert "`peerkit init FOLDER` makes a copy of your own to edit" in said


def test_errors_are_one_clean_line(tmp_path: Path) -> None:
    bad = tmp_path / "course.yml"
    bad.write_text("id: NOT VALID\n")
    result = CliRunner().invoke(cli, ["build", "--course", str(bad), "--workdir", str(tmp_path / "w")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_bad_learner_name_is_refused(tmp_path: Path) -> None:
    course_file = write_test_course(tmp_path / "src")
    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--course",
            str(course_file),
            "--workdir",
            str(tmp_path / "w"),
            "--learner",
            "../../etc",
            "--prepare-only",
        ],
    )
    assert result.exit_code == 1 and "relative path" in result.output
    assert not (tmp_path / "etc").exists()


def test_collect_ingests_and_lists_submissions(course: CourseLayout) -> None:
    from peerkit.widgets.context import open_path

    for learner in ("amy", "ben"):
        course.enroll(learner)
        session = open_path("alpha", folder=course.folder(learner, "alpha"), config=course.learner_config(learner))
        session.save("first", "text", f"{learner} writes")
        session.submit()
    (course.inbound() / "bad name+alpha+2026-11-22 10:00:00.000000 UTC+x").mkdir()
    common = ["--workdir", str(course.workspace.root)]
    result = CliRunner().invoke(cli, ["collect", "alpha", "--course", str(course.course.source), *common])
    assert result.exit_code == 0, result.output
    assert "collected 3 submission(s) of alpha" in result.output
    assert "alpha: 2 added, 2 with blank answers, 1 skipped" in result.output  # each answered 1 of 2
    assert "skipped 'bad name': unsafe learner name" in result.output
    assert "not complete: amy submitted with 1 required answer blank (1 of 2 complete; blank: second)" in (
        result.output
    )
    listing = CliRunner().invoke(cli, ["submissions", *common])
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].split() == ["learner", "path", "submitted", "(UTC)", "answers", "versions", "status"]
    assert [line.split()[:2] for line in lines[1:]] == [["amy", "alpha"], ["ben", "alpha"]]
    assert all(line.endswith("  1 blank") for line in lines[1:])


def test_collect_refuses_and_reports_an_entry_its_learner_did_not_write(course: CourseLayout) -> None:
    import shutil

    from peerkit.widgets.context import open_path

    require(os.geteuid() == 0, "giving a file to another user needs root")
    course.enroll("amy")
    session = open_path("alpha", folder=course.folder("amy", "alpha"), config=course.learner_config("amy"))
    session.save("first", "text", "amy writes")
    session.submit()
    (genuine,) = course.inbound().iterdir()
    forged = course.inbound() / "amy+alpha+2099-01-01 10:00:00.000000 UTC+x"  # newer than amy's own
    shutil.copytree(genuine, forged)
    (forged / "timestamp.txt").write_text("2099-01-01 10:00:00.000000 UTC")
    for path in [forged, *forged.rglob("*")]:
        shutil.chown(path, "nobody")  # a classmate's folder
    common = ["--workdir", str(course.workspace.root)]
    result = CliRunner().invoke(cli, ["collect", "alpha", "--course", str(course.course.source), *common])
    assert result.exit_code == 0, result.output
    assert f"  refused: an entry named for amy owned by nobody: {forged.name}" in result.output
    assert "collected 1 submission(s) of alpha" in result.output and "alpha: 1 added" in result.output
    stamp = course.build.course_root / "submitted" / "amy" / "alpha" / "timestamp.txt"
    assert stamp.read_text() == (genuine / "timestamp.txt").read_text()  # amy's own, older submission


def test_collect_of_an_unknown_path_is_refused(course: CourseLayout) -> None:
    result = CliRunner().invoke(
        cli, ["collect", "nope", "--course", str(course.course.source), "--workdir", str(course.workspace.root)]
    )
    assert result.exit_code == 1 and "no learning path 'nope'" in result.output


@pytest.mark.postgres
def test_store_url_comes_from_the_environment(tmp_path: Path, postgres_url: str) -> None:
    result = CliRunner().invoke(cli, ["submissions", "--workdir", str(tmp_path)], env={"PEERKIT_DB": postgres_url})
    assert result.exit_code == 0 and "no submissions ingested yet" in result.output


def test_review_open_status_collect(review_course: CourseLayout) -> None:
    from tests.review.test_round_flow import review_everything, write_and_submit

    for learner in ("ana", "bo", "cy", "dee"):
        write_and_submit(review_course, learner)
    common = ["--workdir", str(review_course.workspace.root)]
    course = ["--course", str(review_course.course.source)]
    opened = CliRunner().invoke(cli, ["review", "open", "essay", "--seed", "4", *course, *common])
    assert opened.exit_code == 0, opened.output
    assert "essay: 4 added" in opened.output and "12 review assignments added" in opened.output
    status = CliRunner().invoke(cli, ["review", "status", "essay", *common])
    assert "reviews still to do: 12 by 4 learners" in status.output
    assert "waiting for reviews: 4 learners" in status.output
    review_everything(review_course, "ana")
    collected = CliRunner().invoke(cli, ["review", "collect", "essay", *course, *common])
    assert collected.exit_code == 0 and "essay reviews: 4 added" in collected.output
    after = CliRunner().invoke(cli, ["review", "status", "essay", *common])
    assert "reviews still to do: 9 by 3 learners" in after.output


def test_review_of_a_path_without_peer_review_is_refused(course: CourseLayout) -> None:
    result = CliRunner().invoke(
        cli, ["review", "open", "alpha", "--course", str(course.course.source), "--workdir", str(course.workspace.root)]
    )
    assert result.exit_code == 1 and "is not peer reviewed" in result.output


def grade_row(table: str, learner: str) -> list[str]:
    """The cells after the learner's name in their row of a grades table."""
    return next(line.split()[1:] for line in table.splitlines() if line.split()[:1] == [learner])


def test_a_learners_grade_reads_the_same_on_every_page_and_after_an_override(review_course: CourseLayout) -> None:
    """One scale: the learner's feedback page, `peerkit grades`, `review close`, the LMS export and nbgrader's
    gradebook all say the same number of the path's 5 points (the feedback once said "4 / 4 rubric points
    · 5 / 5 course points" and `peerkit grades` "4/4"), and so does an override, given and shown in it."""
    from nbgrader.api import Gradebook

    from peerkit.apps.packet_view import render_feedback_summary
    from tests.facilitator.test_api import learner_feedback
    from tests.review.test_round_flow import review_everything, write_and_submit

    for learner in ("ana", "bo", "cy", "dee"):
        write_and_submit(review_course, learner)
    where = ["--course", str(review_course.course.source), "--workdir", str(review_course.workspace.root)]

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, *where])
        assert result.exit_code == 0, result.output
        return result.output

    def everywhere() -> tuple[str, ...]:
        page = render_feedback_summary(learner_feedback(review_course, "ana"))
        shown = page.split("Your grade: ", 1)[1].split(" / 5 points</h2>", 1)[0]
        listed = grade_row(run("grades", "essay"), "ana")[0]
        moodle = run("export", "grades", "essay", "--lms", "moodle").splitlines()
        exported = next(line.split(",")[1] for line in moodle if line.startswith("ana,"))
        with Gradebook(review_course.workspace.gradebook_url, review_course.course.id) as gradebook:
            held = f"{gradebook.find_submission('essay', 'ana').score:g}"
        return shown, listed, exported, held

    run("review", "open", "essay", "--seed", "4")
    for learner in ("ana", "bo", "cy", "dee"):
        review_everything(review_course, learner)
    closed = run("review", "close", "essay")
    assert any(line.split()[:4] == ["learner", "points", "(of", "5)"] for line in closed.splitlines())
    assert grade_row(closed, "ana")[0] == "5"
    assert everywhere() == ("5", "5", "5", "5")
    said = run("override", "essay", "ana", "4.38", "--reason", "The second part is thin.", "--by", "fac")
    assert "ana: 4.38 / 5 points set by hand; re-released" in said and "rubric" not in said
    assert everywhere() == ("4.38", "4.38", "4.38", "4.38")


def test_close_grades_flags_exclude_override_example(review_course: CourseLayout) -> None:
    from tests.review.test_round_flow import review_everything, write_and_submit

    for learner in ("ana", "bo", "cy", "dee"):
        write_and_submit(review_course, learner)
    common = ["--workdir", str(review_course.workspace.root)]
    course = ["--course", str(review_course.course.source)]

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, *course, *common])
        assert result.exit_code == 0, result.output
        return result.output

    run("review", "open", "essay", "--seed", "4")
    for learner in ("ana", "bo", "cy", "dee"):
        review_everything(review_course, learner)
    closed = run("review", "close", "essay")
    assert "released to 4 learners" in closed and "points (of 5)" in closed  # the path's 5, not the rubric's 4
    assert "ana" in run("grades", "essay")
    quality = run("grades", "essay", "--reviewers")
    assert quality.splitlines()[0].split() == ["reviewer", "reviews", "agreement", "helpfulness", "quality"]
    assert "grades to look at: 0" in run("review", "flags", "essay")
    overridden = run("override", "essay", "ana", "3", "--reason", "Missing the second part.", "--by", "fac")
    assert "ana: 3 / 5 points set by hand; re-released" in overridden
    assert grade_row(run("grades", "essay"), "ana")[:2] == ["3", "*"]  # the override's number, marked
    assert "\nana,3\n" in run("export", "grades", "essay", "--lms", "moodle")
    assert "computed grade restored" in run("override", "essay", "ana", "clear", "--reason", "-")
    from peerkit.storage.sql import SqlStore

    packet = SqlStore.open(review_course.workspace.store_url).assignments("essay")[0].token
    assert "excluded" in run("review", "exclude", "essay", packet, "--reason", "careless")
    assert "counts again" in run("review", "exclude", "essay", packet, "--reason", "-", "--undo")
    assert "graded example (3 / 4)" in run(
        "review", "example", "essay", "bo", "--score", "clear=1", "--score", "grounded=2"
    )


def test_override_refuses_points_out_of_range(review_course: CourseLayout) -> None:
    from tests.review.test_round_flow import write_and_submit

    write_and_submit(review_course, "ana")
    CliRunner().invoke(
        cli,
        [
            "collect",
            "essay",
            "--course",
            str(review_course.course.source),
            "--workdir",
            str(review_course.workspace.root),
        ],
    )
    result = CliRunner().invoke(
        cli,
        [
            "override",
            "essay",
            "ana",
            "9",
            "--reason",
            "x",
            "--course",
            str(review_course.course.source),
            "--workdir",
            str(review_course.workspace.root),
        ],
    )
    assert result.exit_code == 1 and "between 0 and 5 (essay's points)" in result.output
