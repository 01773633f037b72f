"""The peerkit CLI: wiring and error reporting (behaviour is tested at the API level)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from peerkit.cli import cli
from tests.conftest import write_test_course


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
