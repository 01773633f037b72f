"""The test suite's own hostile text: script and HTML payloads, markdown tricks and unicode tricks.

Every payload that could run code sets ``window.__pwned`` (or opens a dialog), so a browser test
only has to check that the sentinel stays unset and no dialog opened. Each payload starts with a
distinct marker (``PWN03`` ...) that a test looks for in the page's visible text: a payload that
vanished was interpreted as markup, not shown as text. Owned here, not taken from a library, so
that the list is reviewed with the tests and stays stable.
"""

from __future__ import annotations

from typing import Final

#: What a payload sets when it runs.
SENTINEL: Final = "window.__pwned"
_SET = "window.__pwned=1"

#: (marker, payload). The marker is plain ASCII and comes first, so it survives any escaping.
PAYLOADS: Final[tuple[tuple[str, str], ...]] = (
    ("PWN01", f"PWN01 <script>{_SET}</script>"),
    ("PWN02", f'PWN02 <img src=x onerror="{_SET}">'),
    ("PWN03", f'PWN03 <svg onload="{_SET}"></svg>'),
    ("PWN04", f'PWN04 <a href="javascript:{_SET}">click me</a>'),
    ("PWN05", f'PWN05 <iframe srcdoc="<script>parent.{_SET}</script>"></iframe>'),
    ("PWN06", f"PWN06 <body onload={_SET}><details open ontoggle={_SET}>"),
    ("PWN07", "PWN07 <style>body{display:none!important}</style></textarea></pre></div></td></table>"),
    ("PWN08", f'PWN08 "><script>{_SET}</script><input value="'),
    ("PWN09", f"PWN09 '><img src=x onerror='{_SET}'>"),
    ("PWN10", f'PWN10 [click](javascript:{_SET}) ![img](x" onerror="{_SET})'),
    ("PWN11", f"PWN11 <math><mtext><table><mglyph><style><img src=x onerror={_SET}>"),
    ("PWN12", f"PWN12 {{{{constructor.constructor('{_SET}')()}}}} ${{{_SET}}}"),
    ("PWN13", "PWN13 \u202etxt.exe\u202c \u200b\u200d zero width, a \u0007 bell"),
    ("PWN14", f"PWN14 &lt;script&gt;{_SET}&lt;/script&gt; &#60;img src=x onerror={_SET}&#62;"),
    ("PWN15", f'PWN15 <object data="javascript:{_SET}"></object><embed src="javascript:{_SET}">'),
    ("PWN16", f"PWN16 $$\\href{{javascript:{_SET}}}{{x}}$$ <!-- comment --> `<b>code</b>`"),
)

MARKERS: Final = tuple(marker for marker, _ in PAYLOADS)


def payload(i: int) -> str:
    """The *i*-th payload, cycling: enough for any number of planted fields."""
    return PAYLOADS[i % len(PAYLOADS)][1]


def short_payload(i: int, limit: int = 200) -> str:
    """The *i*-th payload cut to *limit* characters (titles, tags and other short fields)."""
    return payload(i)[:limit]
