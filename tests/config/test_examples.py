"""course/examples.yml: the course's practice examples fit their rubrics; broken files say where and how to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from peerkit.config.course import load_course
from peerkit.core.errors import ConfigError
from peerkit.core.practice import check_example
from tests.conftest import COURSE_FILE, REPO

REVIEWED = [
    "what-is-peer-learning",
    "why-and-when",
    "peer-learning-at-work",
    "peer-learning-groups",
    "open-connected-learning",
    "capstone",
]


def test_every_reviewed_path_has_two_examples_that_fit_its_rubric() -> None:
    course = load_course(COURSE_FILE)
    assert sorted(course.examples) == sorted(REVIEWED)
    for path_id in REVIEWED:
        rubric = course.rubrics[path_id]
        examples = course.examples[path_id]
        assert len(examples) == 2, path_id
        totals = []
        for example in examples:
            assert check_example(rubric, example) == [], (path_id, example.id)
            assert set(example.model.scores) == {c.id for c in rubric.criteria}
            assert set(example.reasons) == {c.id for c in rubric.criteria}
            assert all(text.strip() for text in example.answers.values())
            totals.append(sum(example.model.scores.values()))
        # one stronger and one weaker example: a learner has something to tell apart
        assert max(totals) - min(totals) >= rubric.max_points / 3, path_id


def test_every_path_one_to_five_has_a_rubric_of_its_own() -> None:
    course = load_course(COURSE_FILE)
    for path_id in REVIEWED[:5]:
        rubric = course.rubrics[path_id]
        assert len(rubric.criteria) == 3 and rubric.guidance
        assert [lv.label for lv in rubric.criteria[0].levels] == ["Not yet", "Partly", "Clearly"]
    assert "default" in course.rubrics


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """The repository's course files in a temporary folder (the notebooks they name, too)."""
    shutil.copytree(REPO / "course", tmp_path / "course")
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    return tmp_path / "course"


class WrittenOut(yaml.SafeDumper):
    """Every value written out where it is used, as an author writes (course files refuse aliases)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def rewrite(folder: Path, change: object) -> Path:
    file = folder / "examples.yml"
    doc = yaml.safe_load(file.read_text())
    change(doc)  # type: ignore[operator]
    file.write_text(yaml.dump(doc, Dumper=WrittenOut, allow_unicode=True))
    return file


def first(doc: dict[str, object]) -> dict[str, object]:
    return doc["examples"]["what-is-peer-learning"][0]  # type: ignore[index,no-any-return]


@pytest.mark.parametrize(
    ("change", "where", "fix"),
    [
        (
            lambda d: first(d)["model"]["scores"].update({"real-moment": 5}),
            "examples.what-is-peer-learning[0].model.scores.real-moment",
            "use one of the levels: 0 (Not yet), 1 (Partly), 2 (Clearly)",
        ),
        (
            lambda d: first(d)["reasons"].pop("passing-on"),
            "examples.what-is-peer-learning[0].reasons.passing-on",
            "say in a sentence why",
        ),
        (
            lambda d: first(d)["model"]["comments"].update({"suggestion": "Add a date."}),
            "examples.what-is-peer-learning[0].model.comments.suggestion",
            "write at least 15 words",
        ),
        (
            lambda d: first(d)["model"]["scores"].update({"tone": 1}),
            "examples.what-is-peer-learning[0].model.scores.tone",
            "use the rubric's criteria",
        ),
        (
            lambda d: d["examples"].update({"no-such-path": d["examples"]["capstone"]}),
            "examples.no-such-path",
            "use a path id: orientation",
        ),
        (
            lambda d: d["examples"]["why-and-when"].append(d["examples"]["why-and-when"][0]),
            "examples.why-and-when[2].id",
            "give each example its own id",
        ),
        (lambda d: first(d).pop("reasons"), "examples.what-is-peer-learning[0]", "fix: add it"),
        (lambda d: first(d).update({"colour": "red"}), "examples.what-is-peer-learning[0]", "remove it or check"),
        (lambda d: first(d).update({"id": "Bad Id"}), "examples.what-is-peer-learning[0].id", "use lowercase"),
    ],
)
def test_a_broken_example_names_file_field_and_fix(course_copy: Path, change: object, where: str, fix: str) -> None:
    file = rewrite(course_copy, change)
    with pytest.raises(ConfigError) as info:
        load_course(course_copy / "course.yml")
    message = str(info.value)
    assert str(file) in message and where in message and fix in message, message


def test_examples_of_a_path_without_a_rubric_are_refused(course_copy: Path) -> None:
    rewrite(course_copy, lambda d: d["examples"].update({"orientation": d["examples"]["capstone"]}))
    with pytest.raises(ConfigError, match="path 'orientation' has no rubric to practise on") as info:
        load_course(course_copy / "course.yml")
    assert "add a rubric with id 'orientation'" in str(info.value)


def test_a_course_without_examples_has_none(course_copy: Path) -> None:
    (course_copy / "examples.yml").unlink()
    assert load_course(course_copy / "course.yml").examples == {}


def test_not_yaml_is_refused_naming_the_file(course_copy: Path) -> None:
    (course_copy / "examples.yml").write_text("examples: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_course(course_copy / "course.yml")
    assert "examples.yml" in str(info.value)
