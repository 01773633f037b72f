"""People's text placed into Markdown, shown as the text itself.

Peer comments and a facilitator's reasons reach learners through a CommonMark renderer (nbgrader's
feedback page renders the gradebook comment with nbconvert's ``markdown2html``). HTML-escaping
alone stops tags but not Markdown: ``[notes](javascript:...)`` became a link, ``![t](http://...)`` a
tracking image, ``**x**``, ``# x`` and ``1. x`` bold, a heading and a list, a bare ``http://...``
an autolink. :func:`literal` turns text into Markdown that renders as exactly that text.
"""

from __future__ import annotations

import string

#: HTML's own characters become entities (so no renderer ever sees a raw ``<``); every other ASCII
#: punctuation character, each of which CommonMark allows to be backslash-escaped, is escaped.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_TABLE = str.maketrans({c: _ENTITIES.get(c, "\\" + c) for c in string.punctuation})


def literal(text: str) -> str:
    """*text* as Markdown that renders as the text itself: no link, image, emphasis, heading, list,
    table, math, HTML or autolink (``http://``, ``www.``, ``<http://...>``, e-mail) comes of it.

    Blank lines still separate paragraphs and a single newline is a line break; each line's leading
    and trailing blanks are dropped (indentation would make a code block, two trailing spaces a
    break). Put the result where a paragraph may start (its own line, or after a label on one)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        if line:
            paragraphs[-1].append(line.translate(_TABLE))
        elif paragraphs[-1]:
            paragraphs.append([])
    # "\" before a newline is CommonMark's hard line break; an escaped "\\" before it stays a pair.
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)
