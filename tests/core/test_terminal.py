"""terminal_safe: learners' text printed on a terminal is shown as written, never obeyed."""

from __future__ import annotations

import unicodedata

import pytest

from peerkit.core.terminal import terminal_safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[31mred", "␛[2J␛[31mred"),  # CSI: clear the screen, colour
        ("\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\", "␛]8;;http://evil.example/␛\\click␛]8;;␛\\"),  # OSC 8
        ("\x9b2J", "\\u009b2J"),  # the one-character C1 CSI
        ("a\u202eevil\u202c", "a\\u202eevil\\u202c"),  # bidi override
        ("\u2066x\u2069 \u200bzero\ufeff", "\\u2066x\\u2069 \\u200bzero\\ufeff"),  # isolates, zero-width space, BOM
        ("bell\x07 back\x08 del\x7f", "bell␇ back␈ del␡"),
        ("over\rwrite", "over␍write"),  # a lone CR would overwrite the line
        ("one\r\ntwo\n\tthree", "one\ntwo\n\tthree"),  # a textarea's line ends: kept as line breaks
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_controls_are_shown_not_passed_through(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


@pytest.mark.parametrize(
    "text",
    ["plain text", "Ünïcödé, 日本語, العربية, עברית", "👨\u200d👩\u200d👧 family", "می\u200cخواهم", "a\n\tb", ""],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert terminal_safe(text) == text


def test_one_line_shows_line_breaks_and_tabs_too() -> None:
    assert terminal_safe("a\nb\tc\r\nd", one_line=True) == "a␊b␉c␊d"


def test_no_control_or_format_character_survives_and_it_is_idempotent() -> None:
    every = "".join(chr(c) for c in range(0x2100)) + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
    once = terminal_safe(every)
    left = {c for c in once if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t\u200c\u200d"}
    assert left == set()
    assert terminal_safe(once) == once
