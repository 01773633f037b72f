"""Render what the facilitator releases to everyone (summary notes, gallery examples) as safe HTML.

Summary notes are Markdown written by peerkit and edited by the facilitator, with learners' words
quoted in them; gallery examples are learners' own text. :func:`markdown_html` understands only a
small subset (headings, bullet and numbered lists, paragraphs, ``**bold**`` and ``*italic*``) and
escapes every character first, so no text can become a tag, a link or a script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")


def inline(text: str) -> str:
    """Escape *text*, then turn ``**bold**`` and ``*italic*`` / ``_italic_`` into tags."""
    escaped = html.escape(text, quote=True)
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escaped))


def markdown_html(text: str) -> str:
    """A safe rendering of a small subset of Markdown (see the module)."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def close_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            close_paragraph()
            close_list()
        elif heading:
            close_paragraph()
            close_list()
            level = min(6, len(heading.group(1)) + 2)  # "#" is a section of the page, not its title
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            close_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            item = bullet.group(1) if bullet else numbered.group(1)  # type: ignore[union-attr]
            out.append(f"<li>{inline(item)}</li>")
        else:
            close_list()
            paragraph.append(line.strip())
    close_paragraph()
    close_list()
    return "".join(out)


def _without_own_heading(text: str) -> str:
    """The note's text without a first heading that only repeats the section's own summary line
    ("## Summary notes: ..."): the page showed the same heading twice, one under the other."""
    lines = text.lstrip("\n").split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("#") and first.lstrip("#").strip().lower().startswith("summary notes"):
        return "\n".join(lines[1:]).lstrip("\n")
    return text


def render_notes(doc: Mapping[str, Any], *, open_: bool = False) -> str:
    """One released summary note as a collapsible section."""
    title = html.escape(str(doc.get("path_title", doc.get("path", ""))))
    body = markdown_html(_without_own_heading(str(doc.get("text", ""))))
    return (
        f'<details class="peerkit-notes" data-path="{html.escape(str(doc.get("path", "")))}"{" open" if open_ else ""} '
        'style="border:1px solid #d0d7de;border-radius:8px;padding:8px 14px;margin:8px 0">'
        f'<summary style="cursor:pointer;font-weight:600">Summary notes: {title}</summary>{body}</details>'
    )


def render_example(item: Mapping[str, Any]) -> str:
    """One gallery example: title, story (paragraphs kept), tags, the path it came from; all escaped."""
    title = html.escape(str(item.get("title", "")) or "(untitled example)")
    story = "".join(
        f"<p>{html.escape(p.strip())}</p>"
        for p in str(item.get("story", "")).replace("\r\n", "\n").split("\n\n")
        if p.strip()
    )
    tags = [html.escape(str(t)) for t in item.get("tags", []) if str(t).strip()]
    chips = "".join(
        f'<span class="peerkit-tag" style="display:inline-block;background:#eef2f7;border-radius:10px;'
        f'padding:0 8px;margin:0 4px 4px 0;font-size:0.85em">{t}</span>'
        for t in tags
    )
    path = html.escape(str(item.get("path_title", "")))
    return (
        '<article class="peerkit-example" style="border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;'
        f'margin:8px 0;max-width:46rem"><h3 style="margin:0 0 4px 0;font-size:1.1em">{title}</h3>'
        f'<p style="margin:0 0 6px 0;color:#55595f;font-size:0.9em">From “{path}”</p>'
        f"{story}<div>{chips}</div></article>"
    )
