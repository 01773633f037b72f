"""course.yml: the repository's course is valid; broken definitions are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.core.errors import ConfigError
from peerkit.course import load_course
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
