"""The ``peerkit-settings`` directive: the table of every setting of :class:`PeerkitConfig`, read from
the class itself (its traits, their help, variables and options), so the page cannot drift from the code."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from traitlets import TraitType, Undefined

HEADERS = ("In peerkit_config.py", "Environment variable", "Option", "Default", "What it is")
WIDTHS = (22, 20, 14, 12, 32)

#: A cell: text shown as code (True) or as prose (False).
Cell = tuple[str, bool]


def _default(cls: type, name: str, trait: TraitType[Any, Any]) -> Cell:
    if trait.default_value is Undefined or name in getattr(cls, "_trait_default_generators", {}):
        return "computed, see description", False
    value = trait.default_value
    return ("—", False) if value is None or value == "" else (repr(value), True)


def settings_rows() -> list[tuple[Cell, ...]]:
    """One row per configurable trait of :class:`PeerkitConfig`, in declaration order."""
    from peerkit.config.settings import PeerkitConfig

    rows = []
    for name, trait in vars(PeerkitConfig).items():
        if not isinstance(trait, TraitType) or not trait.metadata.get("config"):
            continue
        env = str(trait.metadata.get("env", ""))
        option = str(trait.metadata.get("option", ""))
        help_text = " ".join(str(trait.metadata.get("help", "")).split())
        rows.append(
            (
                (f"c.PeerkitConfig.{name}", True),
                (env, True) if env else ("—", False),
                (option, True) if option else ("—", False),
                _default(PeerkitConfig, name, trait),
                (f"{help_text} ({trait.info()})", False),
            )
        )
    return rows


def _entry(cell: Cell) -> nodes.entry:
    text, code = cell
    inline: nodes.Node = nodes.literal(text, text) if code else nodes.Text(text)
    return nodes.entry("", nodes.paragraph("", "", inline))


def _row(cells: tuple[Cell, ...]) -> nodes.row:
    return nodes.row("", *(_entry(cell) for cell in cells))


class SettingsTable(SphinxDirective):
    """Renders :func:`settings_rows` as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        group = nodes.tgroup(cols=len(HEADERS))
        group += [nodes.colspec(colwidth=width) for width in WIDTHS]
        group += nodes.thead("", _row(tuple((h, False) for h in HEADERS)))
        group += nodes.tbody("", *(_row(row) for row in settings_rows()))
        table = nodes.table("", group, classes=["peerkit-settings"])
        return [table]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("peerkit-settings", SettingsTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
