"""Read one of a course's YAML files (``course.yml``, ``rubrics.yml``, ``examples.yml``, the demo's
``cohort.yml``): the one reader every YAML file peerkit reads goes through.

YAML forgives what a course author would want to hear about, and allows what no course needs:

* a key written twice in one mapping keeps the last value silently (a second ``id:`` moves the whole
  course); here it is an error naming both lines;
* aliases (``*name``) repeat a whole anchored value (``&name``): nested, a 1 KB file expands to
  billions of entries that the checks after parsing would walk for hours. Course files have no use
  for them, so an alias is refused at its line;
* a file over :data:`MAX_BYTES` is refused before it is parsed (a course file is a few KB);
* an empty file (or one of comments only) says so and what it should hold.

Every error is a :class:`~peerkit.core.errors.ConfigError` naming the file, the line and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node

from peerkit.core.errors import ConfigError, shown

MERGE_TAG: Final = "tag:yaml.org,2002:merge"
#: The largest course file read: the repository's course.yml is 20 KB.
MAX_BYTES: Final = 5_000_000


class _Refused(yaml.YAMLError):
    """A construct peerkit refuses in course files, with the line (1-based) it is on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class CourseFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases and keys repeated in one mapping."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            name = shown(event.anchor, 40)[1:-1]
            raise _Refused(
                event.start_mark.line + 1,
                f"alias '*{name}' repeats the value anchored as '&{name}': course files do not use"
                " YAML anchors and aliases; fix: write the value out where it is needed",
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue  # "<<": YAML's merge, which flatten_mapping resolves
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    earlier = first.get(key)
                except TypeError:
                    continue  # an unhashable key: the constructor below says so
                if earlier is not None:
                    raise _Refused(line, f"key {shown(key, 80)} appears twice (first on line {earlier}); fix: keep one")
                first[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, *, source: str) -> Any:
    """The document in *text* (a course file's content); :class:`ConfigError` naming *source*."""
    try:
        return yaml.load(text, Loader=CourseFileLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as exc:
        raise ConfigError(f"line {exc.line}: {exc.message}", source=source, where=f"line {exc.line}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(somewhere)"
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        fix = "correct the YAML there"
        if "'\\t'" in (exc.problem or "") or _tab_indented(text, mark):
            problem, fix = "a tab indents this line, and YAML indents with spaces only", "indent it with spaces"
        raise ConfigError(
            f"not valid YAML: {where}: {shown(problem, 200)[1:-1]}; fix: {fix}",
            source=source,
            where=where,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {shown(str(exc), 200)[1:-1]}", source=source) from None
    except RecursionError:
        raise ConfigError("not valid YAML: lists or mappings nested far too deeply", source=source) from None


def _tab_indented(text: str, mark: Any) -> bool:
    """Whether the line YAML stopped at (or the one before it) starts with a tab: PyYAML names the tab
    only when it cannot start a token; elsewhere it reports a mapping or a block it did not expect."""
    if mark is None:
        return False
    lines = text.splitlines()
    return any(
        0 <= n < len(lines) and lines[n][: len(lines[n]) - len(lines[n].lstrip())].count("\t") > 0
        for n in (mark.line, mark.line - 1)
    )


def read_yaml(file: Path, *, holds: str) -> Any:
    """Read and parse the course file *file*, which *holds* what its empty-file error says it should
    (``"the course: id, title and paths"``). Never returns None: an empty file is an error."""
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", source=str(file)) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(
            f"the file is over {MAX_BYTES:,} bytes, the limit for a course file; fix: keep it short"
            " (long texts belong in the notebooks)",
            source=str(file),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); fix: save the file as UTF-8", source=str(file)) from None
    doc = parse_yaml(text, source=str(file))
    if doc is None:
        raise ConfigError(f"the file is empty; it should hold {holds}", source=str(file), where="(top level)")
    return doc
