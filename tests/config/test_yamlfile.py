"""The one reader of course YAML files: duplicate keys, aliases, oversize and empty files are refused
with the file, the line and the fix; everything the repository's course files hold reads as before."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from peerkit.config.course import load_course
from peerkit.config.yamlfile import MAX_BYTES, read_yaml
from peerkit.core.errors import ConfigError
from tests.conftest import COURSE_FILE, REPO


def alias_bomb(depth: int) -> str:
    """Nested anchors: 9**depth entries once expanded, a few hundred bytes as written."""
    lines = ["b0: &b0 [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    lines += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n"


def course_copy(tmp_path: Path) -> Path:
    """A copy of the repository's course definition beside its notebooks; return its course.yml."""
    (tmp_path / "course").mkdir()
    for name in ("course.yml", "rubrics.yml", "examples.yml"):
        (tmp_path / "course" / name).write_text((COURSE_FILE.parent / name).read_text(encoding="utf-8"))
    (tmp_path / "notebooks").symlink_to(REPO / "notebooks")
    return tmp_path / "course" / "course.yml"


@pytest.mark.parametrize("name", ["course.yml", "rubrics.yml", "examples.yml", "demo/cohort.yml"])
def test_the_repository_course_files_read(name: str) -> None:
    assert read_yaml(COURSE_FILE.parent / name, holds="something")


def test_a_second_course_id_is_refused_with_both_lines(tmp_path: Path) -> None:
    file = course_copy(tmp_path)
    text = file.read_text(encoding="utf-8")
    first = text.splitlines().index("id: peer-learning") + 1
    file.write_text(text.replace("id: peer-learning\n", "id: peer-learning\nid: other-course\n", 1))
    with pytest.raises(ConfigError) as info:
        load_course(file)
    message = str(info.value)
    assert message == (f"{file}: line {first + 1}: key 'id' appears twice (first on line {first}); fix: keep one"), (
        message
    )
    assert info.value.where == f"line {first + 1}"


def test_a_key_twice_in_one_path_is_refused_not_the_last_kept(tmp_path: Path) -> None:
    file = course_copy(tmp_path)
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("    points: 12\n", "    points: 12\n    points: 99\n", 1))
    line = text.splitlines().index("    points: 12") + 2
    with pytest.raises(ConfigError, match=rf"line {line}: key 'points' appears twice \(first on line {line - 1}\)"):
        load_course(file)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: {x: 1, x: 2}\n", 1),  # a flow mapping: both on one line
        ("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", 5),
        ("paths:\n  - id: p\n    title: T\n    id: q\n", 4),
    ],
)
def test_duplicate_keys_anywhere(tmp_path: Path, text: str, line: int) -> None:
    file = tmp_path / "rubrics.yml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=rf"^{file}: line {line}: key '\w+' appears twice"):
        read_yaml(file, holds="rubrics")


def test_an_alias_bomb_is_refused_at_once_at_the_alias(tmp_path: Path) -> None:
    file = course_copy(tmp_path)
    before = file.read_text(encoding="utf-8")
    file.write_text(before + alias_bomb(8))
    line = len(before.splitlines()) + 2  # b1's line: the first alias
    started = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_course(file)
    assert time.perf_counter() - started < 2
    message = str(info.value)
    assert message.startswith(f"{file}: line {line}: alias '*b0' repeats the value anchored as '&b0'"), message
    assert "fix: write the value out where it is needed" in message


def test_an_anchor_alone_is_harmless(tmp_path: Path) -> None:
    file = tmp_path / "x.yml"
    file.write_text("a: &first 1\nb: 2\n")
    assert read_yaml(file, holds="x") == {"a": 1, "b": 2}


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    file = tmp_path / "course.yml"
    file.write_bytes(b"description: " + b"x" * MAX_BYTES + b"\n")
    started = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        read_yaml(file, holds="the course")
    assert time.perf_counter() - started < 1
    assert str(info.value) == (
        f"{file}: the file is over 5,000,000 bytes, the limit for a course file; fix: keep it short"
        " (long texts belong in the notebooks)"
    )


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
@pytest.mark.parametrize(
    ("name", "holds"),
    [
        ("course.yml", "the course: its id, title and paths"),
        ("rubrics.yml", "a list of rubrics under 'rubrics:'"),
        ("examples.yml", "the practice examples under 'examples:'"),
    ],
)
def test_an_empty_file_says_so_and_what_it_should_hold(tmp_path: Path, content: str, name: str, holds: str) -> None:
    file = course_copy(tmp_path)
    (file.parent / name).write_text(content)
    with pytest.raises(ConfigError) as info:
        load_course(file)
    message = str(info.value)
    assert message.startswith(f"{file.parent / name}: the file is empty; it should hold {holds}"), message
    assert "None" not in message and "a object" not in message


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    file = tmp_path / "course.yml"
    file.write_text("id: ok\ntitle: [unclosed\n  b: c\n")
    with pytest.raises(ConfigError, match=r"not valid YAML: line 3, column 4: .*fix: correct the YAML there"):
        read_yaml(file, holds="the course")


def test_not_utf8_and_nested_far_too_deeply(tmp_path: Path) -> None:
    file = tmp_path / "course.yml"
    file.write_bytes(b"id: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 7\); fix: save the file as UTF-8"):
        read_yaml(file, holds="the course")
    file.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="nested far too deeply"):
        read_yaml(file, holds="the course")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("id: ok\ntitle: t\npaths:\n\t- {id: a}\n", 4),  # a tab where a token starts
        ("id: ok\npaths:\n  - id: a\n\t title: t\n", 4),  # a tab before spaces: YAML reports something else
    ],
)
def test_a_tab_indent_is_named_with_its_fix(tmp_path: Path, text: str, line: int) -> None:
    file = tmp_path / "course.yml"
    file.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_yaml(file, holds="the course")
    message = str(info.value)
    assert message.startswith(f"{file}: not valid YAML: line {line}, column "), message
    assert message.endswith("a tab indents this line, and YAML indents with spaces only; fix: indent it with spaces")
