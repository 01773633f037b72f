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
    (tmp_path / "a.ipynb").write_text("{}")
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


def test_a_notebook_that_does_not_exist_is_named_with_its_place_and_fix(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text("{}")
    file = write(
        tmp_path,
        "id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb},\n"
        "  {id: b1, title: B, notebook: nb/typo.ipynb}, {id: c1, title: C, notebook: gone.ipynb}]\n",
    )
    with pytest.raises(ConfigError) as info:
        load_course(file)
    message = str(info.value)
    assert message.startswith(f"{file}: paths[1].notebook: path 'b1': notebook 'nb/typo.ipynb' does not exist")
    assert str(tmp_path / "nb" / "typo.ipynb") in message and "and 1 more: c1" in message
    assert "fix: correct the path" in message and info.value.where == "paths[1].notebook"
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "typo.ipynb").write_text("{}")
    (tmp_path / "gone.ipynb").write_text("{}")
    assert [p.id for p in load_course(file).paths] == ["a1", "b1", "c1"]


def levels_rubric(levels: str, *, second: str = "[{points: 0, label: not yet}, {points: 1, label: clearly}]") -> str:
    """Two rubrics; the second's first criterion has *levels* (YAML flow list)."""
    return (
        "rubrics:\n"
        f"  - {{id: default, title: R, criteria: [{{id: c, title: C, levels: {second}}}]}}\n"
        f"  - {{id: other, title: O, criteria: [{{id: d, title: D, levels: {levels}}}]}}\n"
    )


@pytest.mark.parametrize(
    ("levels", "where", "message", "fix"),
    [
        (
            "[{points: 0, label: a}, {points: 1, label: b}, {points: .nan, label: c}]",
            "levels[2].points",
            "nan is not a finite",
            "write a number",
        ),
        (
            "[{points: 0, label: a}, {points: .NaN, label: b}]",
            "levels[1].points",
            "nan is not a finite",
            "write a number",
        ),
        (
            "[{points: 0, label: a}, {points: .inf, label: b}]",
            "levels[1].points",
            "inf is not a finite",
            "write a number",
        ),
        (
            "[{points: -.inf, label: a}, {points: 1, label: b}]",
            "levels[0].points",
            "-inf is not a finite",
            "write a number",
        ),
        (
            "[{points: 0, label: a}, {points: 101, label: b}]",
            "levels[1].points",
            "greater than the maximum",
            "from 0 to 100",
        ),
        (
            "[{points: -1, label: a}, {points: 1, label: b}]",
            "levels[0].points",
            "less than the minimum",
            "from 0 to 100",
        ),
        (
            "[{points: 0, label: a}, {points: two, label: b}]",
            "levels[1].points",
            "not of type 'number'",
            "write a number",
        ),
        ("[{points: 2, label: a}, {points: 1, label: b}]", "levels[1].points", "levels go down", "from fewest to most"),
        (
            "[{points: 0, label: a}, {points: 2, label: b}, {points: 2, label: c}]",
            "levels[2].points",
            "same points",
            "each worth more",
        ),
        ("[{points: 0, label: a}]", "levels", "is too short", "list 2 to 7 entries"),
        ("[{points: 0, label: a}, {points: 1}]", "levels[1]", "'label' is a required property", "add it"),
    ],
)
def test_rubric_levels_must_be_finite_in_range_and_increasing(
    tmp_path: Path, levels: str, where: str, message: str, fix: str
) -> None:
    file = rubric_course(tmp_path, levels_rubric(levels))
    with pytest.raises(ConfigError, match=message) as info:
        load_course(file)
    text = str(info.value)
    place = f"rubrics[1].criteria[0].{where}"
    assert str(tmp_path / "rubrics.yml") in text and f"{place}: " in text and "; fix: " in text and fix in text
    assert info.value.where == place


def test_every_rubric_problem_is_listed_at_once(tmp_path: Path) -> None:
    file = rubric_course(
        tmp_path, levels_rubric("[{points: .nan, label: a}, {points: 1, label: b}]", second="[{points: 0, label: x}]")
    )
    with pytest.raises(ConfigError) as info:
        load_course(file)
    lines = str(info.value).splitlines()
    assert lines[0].endswith("rubrics.yml: invalid rubrics definition:")
    assert lines[1].strip().startswith("rubrics.yml: rubrics[1].criteria[0].levels[0].points: nan")
    assert lines[2].strip().startswith("rubrics.yml: rubrics[0].criteria[0].levels: [{'points': 0")


def test_course_numbers_must_be_finite_too(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text("{}")
    file = write(tmp_path, "id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb, points: .nan}]\n")
    with pytest.raises(ConfigError, match=r"course\.yml: paths\[0\]\.points: nan is not a finite number; fix"):
        load_course(file)


@pytest.mark.parametrize(
    ("rubric_yaml", "where", "message"),
    [
        (
            "rubrics: [{id: r, title: R, criteria: [{id: c, title: C, levels: [{points: 0, label: a},"
            " {points: 1, label: b}]}]}, {id: r, title: S, criteria: [{id: c, title: C, levels:"
            " [{points: 0, label: a}, {points: 1, label: b}]}]}]\n",
            "rubrics[1].id",
            "rubric id 'r' appears twice",
        ),
        (
            "rubrics: [{id: default, title: R, criteria: [{id: c, title: C, levels: [{points: 0, label: a},"
            " {points: 1, label: b}]}, {id: c, title: D, levels: [{points: 0, label: a}, {points: 1, label: b}]}]}]\n",
            "rubrics[0].criteria[1].id",
            "criterion ids must be distinct",
        ),
        (
            "rubrics: [{id: default, title: R, prompts: [{id: p, label: P}, {id: p, label: Q}], criteria: [{id: c,"
            " title: C, levels: [{points: 0, label: a}, {points: 1, label: b}]}]}]\n",
            "rubrics[0].prompts[1].id",
            "prompt id 'p' appears twice",
        ),
        (
            "rubrics: [{id: default, title: R, criteria: [{id: c, title: C, colour: red, levels: [{points: 0,"
            " label: a}, {points: 1, label: b}]}]}]\n",
            "rubrics[0].criteria[0]",
            "remove it or check its spelling",
        ),
    ],
)
def test_rubric_problems_name_the_place(tmp_path: Path, rubric_yaml: str, where: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_course(rubric_course(tmp_path, rubric_yaml))
    assert info.value.where == where and f"{where}: " in str(info.value) and "fix: " in str(info.value)


TOPIC_COURSE = "id: ok\ntitle: t\npaths: [{id: a1, title: A, notebook: a.ipynb}]\ntopics:\n"


@pytest.mark.parametrize(
    ("topics", "field", "fix"),
    [
        (
            "  - {id: notes, label: Notes, words: [summary notes]}\n"
            "  - {id: minutes, label: Minutes, words: [minutes, Summary Note]}\n",
            r"topics\[1\]\.words\[1\]",
            r"'summary note' already names topic 'notes'; fix: .*remove 'summary note' from topic 'minutes'",
        ),
        (
            "  - {id: notes, label: Notes}\n  - {id: notes, label: Again}\n",
            r"topics\[1\]\.id",
            "appears twice; fix: give each topic its own id",
        ),
        ("  - {id: notes, label: Notes, words: ['--']}\n", r"topics\[0\]\.words\[0\]", "no letter or digit"),
    ],
)
def test_a_broken_topic_vocabulary_names_file_field_and_fix(tmp_path: Path, topics: str, field: str, fix: str) -> None:
    file = write(tmp_path, TOPIC_COURSE + topics)
    (tmp_path / "a.ipynb").write_text("{}")
    with pytest.raises(ConfigError, match=f"{field}: .*{fix}") as info:
        load_course(file)
    assert str(file) in str(info.value)


def test_a_huge_value_is_named_not_repeated(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text("{}")
    file = write(
        tmp_path,
        f"id: ok\ntitle: t\ndescription: {'x' * 4_000_000}\npaths: [{{id: a1, title: A, notebook: a.ipynb}}]\n",
    )
    with pytest.raises(ConfigError) as info:
        load_course(file)
    message = str(info.value)
    assert len(message) < 600, len(message)
    assert f"{file}: invalid course definition:" in message
    assert (
        "course.yml: description: 'xxxxxxxx" in message and "...' is too long; fix: use 0 to 2000 characters" in message
    )


def test_a_too_short_list_is_named_by_its_size(tmp_path: Path) -> None:
    level = "{points: 0, label: Not yet, description: " + "y" * 390 + "}"
    rubric = f"rubrics: [{{id: default, title: R, criteria: [{{id: c, title: C, levels: [{level}]}}]}}]\n"
    with pytest.raises(ConfigError) as info:
        load_course(rubric_course(tmp_path, rubric))
    message = str(info.value)
    assert (
        "rubrics.yml: rubrics[0].criteria[0].levels: a list of 1 entry is too short; fix: list 2 to 7 entries"
        in message
    )
    assert "y" * 100 not in message


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("limits: [1]\n", "fix: write an object (key: value entries)"),
        ("redact: yes\n", "fix: write a list"),
        ("paths: [{id: a1, title: A, notebook: a.ipynb, minutes: many}]\n", "fix: write a whole number"),
    ],
)
def test_type_fixes_read_as_english(tmp_path: Path, text: str, fix: str) -> None:
    (tmp_path / "a.ipynb").write_text("{}")
    body = "id: ok\ntitle: t\n" + text + ("" if "paths" in text else "paths: [{id: a1, title: A, notebook: a.ipynb}]\n")
    with pytest.raises(ConfigError) as info:
        load_course(write(tmp_path, body))
    assert fix in str(info.value) and "a object" not in str(info.value) and "a array" not in str(info.value)


def test_the_course_file_is_found_here_or_in_the_nearest_folder_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerkit.config.course import find_course_file

    course = tmp_path / "my-course"
    (course / "course").mkdir(parents=True)
    (course / "course" / "course.yml").write_text("id: c\n")
    (course / "notebooks" / "deep").mkdir(parents=True)
    for folder in (course, course / "course", course / "notebooks" / "deep"):
        assert find_course_file(folder) == course / "course" / "course.yml"
    monkeypatch.chdir(course / "notebooks")
    assert find_course_file() == course / "course" / "course.yml"
    assert find_course_file(tmp_path) is None  # beside the course folder: not in it


def test_a_rubric_no_path_can_use_is_refused_not_left_to_default(tmp_path: Path) -> None:
    """A rubric meant for path a1 but typed a-1 used to be ignored: a1 was reviewed with `default`."""
    typo = GOOD_RUBRIC.replace(
        "]}]}]\n",
        "]}]},\n  {id: a-1, title: Mine, criteria: [{id: c, title: C,\n"
        "  levels: [{points: 0, label: not yet}, {points: 1, label: clearly}]}]}]\n",
    )
    with pytest.raises(ConfigError) as info:
        load_course(rubric_course(tmp_path, typo))
    assert str(info.value) == (
        f"{tmp_path / 'rubrics.yml'}: rubrics[1].id: rubric 'a-1' is used by no path: its id is not a path's id"
        " and no path names it in review: {rubric: ...} (peer-reviewed paths: a1); fix: give it the id of the"
        " path it is for, name it in that path's review settings in course.yml, or remove it"
    )
    load_course(rubric_course(tmp_path, typo, "peer_review: true, review: {rubric: a-1}"))  # named: used
    load_course(rubric_course(tmp_path, typo.replace("id: a-1", "id: a1"), "peer_review: false"))  # a path's id
