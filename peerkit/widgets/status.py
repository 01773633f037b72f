"""Small, escaped HTML fragments shared by the widgets: status lines, notices, times.

Every piece of text that reaches an ``HTML`` widget passes through :func:`html.escape` here, so
nothing a learner (or an error message quoting a learner's input) wrote can become markup.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Literal

Tone = Literal["info", "ok", "warn", "error", "muted"]

_COLORS: dict[Tone, str] = {
    "info": "#1d4f91",
    "ok": "#1a6b37",
    "warn": "#8a5300",
    "error": "#a11d1d",
    "muted": "#55595f",
}


def status_line(text: str, tone: Tone = "muted", *, role: str = "status") -> str:
    """A one-line status message; ``role="status"`` lets screen readers announce changes politely."""
    color = _COLORS[tone]
    return (
        f'<div class="peerkit-status peerkit-{tone}" role="{role}" aria-live="polite" '
        f'style="color:{color};font-size:0.9em;margin:2px 0 0 0">{html.escape(text)}</div>'
    )


def notice_box(text: str, tone: Tone = "info") -> str:
    """A framed notice at the top of a page (preview mode, a recovered answers file)."""
    color = _COLORS[tone]
    return (
        f'<div class="peerkit-notice peerkit-{tone}" role="note" style="border-left:4px solid {color};'
        f'padding:8px 12px;margin:8px 0;background:#f6f7f9;color:#1f2328">{html.escape(text)}</div>'
    )


def clock(moment: datetime) -> str:
    """A time of day for status lines, in UTC so every reader sees the same thing: ``15:04:09 UTC``."""
    return moment.astimezone(UTC).strftime("%H:%M:%S UTC")


def day_and_time(moment: datetime, *, seconds: bool = False) -> str:
    """A date and time: ``22 Nov 2026, 15:04 UTC`` (``15:04:09 UTC`` with *seconds*)."""
    return moment.astimezone(UTC).strftime(f"%d %b %Y, %H:%M{':%S' if seconds else ''} UTC").lstrip("0")
