"""HTML pieces for showing an answer to a peer: every learner's string is escaped, structure is added around it."""

from __future__ import annotations

import html
from typing import Any


def paragraphs(value: Any) -> str:
    """Escaped text with paragraphs and line breaks kept."""
    found = [p for p in str(value).replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not found:
        return '<p class="peerkit-empty"><em>(no answer)</em></p>'
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in found)


def items(values: Any) -> str:
    """An escaped, comma-separated list, or "(none)"."""
    if not isinstance(values, list) or not values:
        return "<em>(none)</em>"
    return ", ".join(html.escape(str(v)) for v in values)


def labelled(label: str, body: str) -> str:
    """A line "**label:** body"; *body* must already be HTML (escaped)."""
    return f'<p style="margin:2px 0"><strong>{html.escape(label)}:</strong> {body}</p>'


def preformatted(value: Any) -> str:
    """Any value as escaped preformatted text: how a kind without its own view is shown."""
    return f"<pre>{html.escape(str(value))}</pre>"


def escape(value: Any) -> str:
    return html.escape(str(value))
