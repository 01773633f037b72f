"""``literal``: any text, put into Markdown, renders as that text, through the renderer nbgrader's
feedback page uses (nbconvert's ``markdown2html``: mistune with math, tables, autolinked URLs ...)."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peerkit.core.markdown import literal
from tests.review.test_feedback import HOSTILE, parsed


@pytest.fixture(scope="module")
def render() -> Callable[[str], str]:
    """nbconvert's markdown2html, the filter nbgrader's feedback template renders comments with."""
    from nbconvert.exporters import HTMLExporter

    exporter = HTMLExporter()  # type: ignore[no-untyped-call]
    return lambda markdown: str(exporter.markdown2html({}, markdown))


def shown(text: str) -> str:
    """*text* as a browser shows it: each line's blanks collapsed, lines kept, paragraphs run on."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return " ".join("\n".join(re.sub(r"\s+", " ", line).strip() for line in p.split("\n")) for p in paragraphs)


CHARS = st.sampled_from(
    [*string.ascii_letters[:6], *string.digits[:3], *string.punctuation, " ", "\t", "\n", *"é—“”日\u00a0"]
)


@settings(max_examples=400, deadline=None)
@given(st.text(CHARS, max_size=60))
def test_any_text_renders_as_itself(render: Callable[[str], str], text: str) -> None:
    fragment = render(literal(text))
    result = parsed(fragment)
    assert {tag for tag, _ in result.tags} <= {"p", "br"}, fragment
    assert "".join(result.text).strip() == shown(text).strip(), fragment


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_only_text(render: Callable[[str], str], text: str) -> None:
    result = parsed(render(literal(text)))
    assert {tag for tag, _ in result.tags} <= {"p", "br"}
    assert "".join(result.text).strip() == shown(text)


def test_urls_are_not_links(render: Callable[[str], str]) -> None:
    fragment = render(literal("http://a.example www.b.example <https://c.example> d@e.example"))
    assert "<a" not in fragment and "http://a.example www.b.example &lt;https://c.example&gt;" in fragment


def test_line_breaks_and_paragraphs_are_kept() -> None:
    assert literal("  one\r\ntwo  \n\n\n    three\n") == "one\\\ntwo\n\nthree"
    assert literal("") == "" and literal(" \n\t\n") == ""


def test_plain_words_stay_plain() -> None:
    assert literal("Zoë wrote a fine essay") == "Zoë wrote a fine essay"
    assert literal("It's “good” — 3 < 4") == "It\\'s “good” — 3 &lt; 4"
