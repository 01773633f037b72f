"""course.yml: the repository's course is valid; broken definitions are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.config.course import load_course
from peerkit.core.errors import ConfigError
from tests.conftest import COURSE_FILE


def test_repository_course_is_valid_and_every_notebook_exists() -> None:
    course = load_course(COURSE_FILE)
    assert course.id == "peer-learning"
    assert course.paths, "the course has at least one path"
    for path in course.paths:
        assert path.notebook.is_file(), f"{path.id}: {path.notebook} is missing"
        assert path.notebook.parent.name == "notebooks"


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "course.yml"
    file.write_text(text)
    return file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed", "not valid YAML"),
        ("title: No id\npaths: []\n", "'id' is a required property"),
        ("id: Bad Id\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb}]\n", r"id: 'Bad Id' does not match"),
        ("id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.txt}]\n", r"paths\[0\]\.notebook"),
        ("id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb, colour: red}]\n", "Additional properties"),
        (
            "id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb}, {id: a1, title: B, notebook: b.ipynb}]\n",
            "appears twice",
        ),
    ],
)
def test_broken_definitions_name_file_and_place(tmp_path: Path, text: str, message: str) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_course(file)
    assert str(file) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_course(tmp_path / "nope.yml")


def test_unknown_path_lookup_lists_known_ones() -> None:
    course = load_course(COURSE_FILE)
    with pytest.raises(ConfigError, match="what-is-peer-learning"):
        course.path("no-such-path")


def test_repository_rubrics_cover_every_reviewed_path() -> None:
    course = load_course(COURSE_FILE)
    assert course.reviewed_paths(), "at least the capstone is peer reviewed"
    for path in course.reviewed_paths():
        rubric = course.rubric_for(path.id)
        assert rubric.criteria and rubric.guidance and rubric.comment_min_words >= 10
        for criterion in rubric.criteria:
            assert [lv.points for lv in criterion.levels] == sorted(lv.points for lv in criterion.levels)


def rubric_course(tmp_path: Path, rubric_yaml: str, path_extra: str = "peer_review: true") -> Path:
    (tmp_path / "rubrics.yml").write_text(rubric_yaml)
    return write(tmp_path, f"id: ok\ntitle: t\npaths: [{{id: a1, title: A, notebook: a.ipynb, {path_extra}}}]\n")


GOOD_RUBRIC = (
    "rubrics: [{id: default, title: R, criteria: [{id: c, title: C,\n"
    "  levels: [{points: 0, label: not yet}, {points: 1, label: clearly}]}]}]\n"
)


def test_review_settings_and_defaults(tmp_path: Path) -> None:
    course = load_course(rubric_course(tmp_path, GOOD_RUBRIC, "peer_review: true, review: {per_submission: 4}"))
    settings = course.path("a1").review
    assert settings is not None and settings.rubric == "default" and settings.per_submission == 4
    assert settings.anonymity == "double-blind" and settings.self_assessment


@pytest.mark.parametrize(
    ("rubric_yaml", "path_extra", "message"),
    [
        (GOOD_RUBRIC, "peer_review: true, review: {rubric: missing}", "rubric 'missing', which is not defined"),
        (GOOD_RUBRIC, "review: {per_submission: 2}", "peer_review is not true"),
        (GOOD_RUBRIC.replace("points: 1", "points: 0"), "peer_review: true", "two levels give the same points"),
        ("rubrics: [{id: default, title: R, criteria: []}]\n", "peer_review: true", "should be non-empty"),
    ],
)
def test_broken_rubrics_are_explained(tmp_path: Path, rubric_yaml: str, path_extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_course(rubric_course(tmp_path, rubric_yaml, path_extra))
