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
    return status_markup(html.escape(text), tone, role=role)


def status_markup(markup: str, tone: Tone = "muted", *, role: str = "status") -> str:
    """:func:`status_line` around *markup* that is already escaped (text with :func:`local_time` in it)."""
    color = _COLORS[tone]
    return (
        f'<div class="peerkit-status peerkit-{tone}" role="{role}" aria-live="polite" '
        f'style="color:{color};font-size:0.9em;margin:2px 0 0 0">{markup}</div>'
    )


def local_time(moment: datetime, *, seconds: bool = False, style: str = "datetime") -> str:
    """A moment as ``<time>`` HTML: its text names UTC (``22 Nov 2026, 15:04 UTC``), and the page's
    script rewrites it in the reader's own time zone, named (the kernel cannot know that zone).

    *style*: ``datetime`` (date and time), ``time`` (time of day) or ``date``."""
    utc = moment.astimezone(UTC)
    if style == "time":
        text, fmt = clock(utc) if seconds else utc.strftime("%H:%M UTC"), "seconds" if seconds else "time"
    elif style == "date":
        text, fmt = utc.strftime("%d %b %Y").lstrip("0"), "date"
    else:
        text, fmt = day_and_time(utc, seconds=seconds), "datetime"
    return (
        f'<time class="peerkit-time" datetime="{utc.strftime("%Y-%m-%dT%H:%M:%SZ")}" data-format="{fmt}">'
        f"{html.escape(text)}</time>"
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
