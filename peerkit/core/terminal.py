"""Text made safe to print on a terminal: what learners wrote, shown as written but never obeyed.

Learners' answers, reviews, reflections and titles may hold any character but NUL, so a comment can
carry an escape sequence (``ESC [ 2 J`` clears the facilitator's screen, ``ESC ] 8`` plants a
disguised hyperlink) or a bidi override (U+202E turns the rest of a line around). :func:`terminal_safe`
keeps every character visible and none active: ``\\n`` and ``\\t`` stay, ``\\r\\n`` becomes ``\\n``,
the other C0 controls become their Unicode control pictures (ESC → ``␛``), and C1 controls, format
characters (bidi controls, zero-width spaces) and line/paragraph separators become ``\\u202e``-style
escapes. The zero-width joiner and non-joiner stay: scripts and emoji need them and they move nothing.
Pure, and idempotent: what it returns comes back unchanged.
"""

from __future__ import annotations

import unicodedata
from typing import Final

#: Kept as written: line breaks and tabs, and the joiners that shape Arabic, Persian, Indic scripts and emoji.
_KEPT: Final = frozenset("\n\t\u200c\u200d")
_BREAKS: Final = frozenset("\n\t")
#: Controls, format characters, line and paragraph separators, and lone surrogates (no terminal prints them).
_ESCAPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control picture: ESC → ␛, CR → ␍, LF → ␊
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def terminal_safe(text: str, *, one_line: bool = False) -> str:
    """*text* with every control and format character shown visibly instead of passed through
    (see the module's docstring); plain text comes back as it is. *one_line*: line breaks and tabs
    are shown too (``␊``, ``␉``), for a table's cell or a line of a list that a learner's text must
    not break into lines of its own."""
    kept = _KEPT - _BREAKS if one_line else _KEPT
    if text.isprintable() or not any(_active(c, kept) for c in text):
        return text
    return "".join(_visible(c) if _active(c, kept) else c for c in text.replace("\r\n", "\n"))


def _active(char: str, kept: frozenset[str]) -> bool:
    return char not in kept and unicodedata.category(char) in _ESCAPED_CATEGORIES
