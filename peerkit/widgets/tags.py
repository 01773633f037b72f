"""A labelled field for a short list of tags, typed as comma-separated words.

ipywidgets' ``TagsInput`` renders no label for its input (its ``description`` is ignored by the
front end), so screen-reader users would meet an unnamed field; a labelled ``Text`` taking
"storytimes, coaching, video" is accessible and works at phone width.
"""

from __future__ import annotations

import ipywidgets as widgets

from peerkit.core.answers import MAX_LIST_ITEMS, MAX_SHORT_CHARS
from peerkit.widgets.look import Look


def parse_tags(text: str) -> list[str]:
    """Comma- or semicolon-separated tags, trimmed, without blanks or repeats (first spelling kept)."""
    seen: set[str] = set()
    tags = []
    for raw in text.replace(";", ",").split(","):
        tag = " ".join(raw.split())[:MAX_SHORT_CHARS]
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags[:MAX_LIST_ITEMS]


def tag_field(label: str, *, placeholder: str, look: Look) -> widgets.Text:
    field = widgets.Text(description=label, placeholder=placeholder, layout=look.stacked, style=look.text)
    field.add_class("peerkit-tags")
    return field


def show_tags(tags: object) -> str:
    return ", ".join(str(t) for t in tags) if isinstance(tags, list) else ""
