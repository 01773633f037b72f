"""What a keyboard and screen-reader user meets when a page answers back, in a real browser against one
`peerkit serve` of the course: the audit's findings on focus, status messages, refused input, reflow,
text spacing and button names.

- A status line is one persistent live region (the HTML widget's own box, role=status): a new message
  changes the text inside it; it is never a new node that arrives with its text already in it.
- A refused field is named by its label, says the fix, and is marked aria-invalid, described by that line.
- Focus never falls to <body> when Submit is disabled while it sends: it moves to the status line.
- Buttons are named without Font Awesome's private-use glyphs.
- At 320 CSS px no cell output scrolls sideways and no label is cut; with WCAG text spacing no button is.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ConsoleLog
from tests.ui.conftest import Served
from tests.ui.test_access_ui import tab_to, wait_ready
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

PATH = "why-and-when"  # its page has an example whose title is limited to 200 characters
LONG_TITLE = "A very long example title " * 12  # 312 characters

#: Each live region on the page, marked, so that a later look can tell the same node from a new one.
MARK_LIVE = """() => { let n = 0; for (const r of document.querySelectorAll('[role=status],[aria-live],[role=alert]')) {
  r.dataset.seen = String(++n); } return n; }"""
#: Live regions whose text changed since MARK_LIVE that are new nodes (announced unreliably, or not at all).
NEW_LIVE = """() => [...document.querySelectorAll('[role=status],[aria-live],[role=alert]')]
  .filter(r => !r.dataset.seen && r.textContent.trim()).map(r => r.textContent.trim().slice(0, 80))"""
SPACING = """() => { const s = document.createElement('style'); s.textContent = `* { line-height: 1.5 !important;
  letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }`;
  document.head.appendChild(s); }"""
CLIPPED = """() => [...document.querySelectorAll('#peerkit-main button, #peerkit-main .widget-label')]
  .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim().slice(0, 40))"""
SIDEWAYS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter(o => o.offsetParent && o.scrollWidth > o.clientWidth + 1)
  .map(o => (o.closest('[id^=cell-id]') || {}).id + ': ' + o.textContent.trim().slice(0, 50))"""


def test_status_focus_and_refusals_by_keyboard(browser: Any, served: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, f"{served.url}/voila/render/{PATH}/{PATH}.ipynb", console, width=1280)
    wait_ready(page)

    # Buttons are named by their words only (the icon glyph is aria-hidden).
    assert page.get_by_role("button", name="Submit my answers", exact=True).count() == 1
    assert page.locator("#peerkit-main button i.fa:not([aria-hidden=true])").count() == 0

    # An over-long title: refused in the learner's words, on the field, announced in place.
    page.evaluate(MARK_LIVE)
    title = page.get_by_role("textbox", name="Title of your example")
    title.focus()
    page.keyboard.insert_text(LONG_TITLE)
    page.keyboard.press("Tab")
    said = "Title of your example is 312 characters; shorten it to 200 or fewer."
    message = page.locator(".peerkit-live > .widget-html-content[role=status]", has_text=said)
    message.wait_for(timeout=15_000)
    assert "my-example" not in message.inner_text() and "Nothing is lost" in message.inner_text()
    # The field's refused mark comes as its own widget update, a moment after the message: waited for, not raced
    # (the full suite once read the field between the two).
    page.wait_for_function(
        "document.querySelector('.peerkit-answer-widget input[aria-invalid=true], "
        ".peerkit-answer-widget textarea[aria-invalid=true]') !== null",
        timeout=15_000,
    )
    assert title.get_attribute("aria-invalid") == "true"
    assert title.get_attribute("aria-describedby") == message.get_attribute("id")
    assert title.input_value() == LONG_TITLE  # nothing thrown away
    assert page.evaluate(NEW_LIVE) == [], "a status arrived as a new live region, already filled"
    title.fill("A desk swap")
    page.locator(".peerkit-live", has_text="saved").first.wait_for(timeout=15_000)
    page.wait_for_function("!document.querySelector('[aria-invalid=true]')", timeout=10_000)

    # Submit with blanks: "submit anyway?", then Enter again: focus goes to the status line, not <body>.
    tab_to(page, "button.peerkit-submit")
    page.keyboard.press("Enter")
    panel = page.locator(".peerkit-submit-panel .peerkit-live > .widget-html-content")
    panel.filter(has_text="submit anyway").wait_for(timeout=15_000)
    assert page.evaluate("document.activeElement.matches('button.peerkit-submit')")
    page.keyboard.press("Enter")
    panel.filter(has_text="Submitted").wait_for(timeout=30_000)
    focused = page.evaluate(
        "document.activeElement.closest('.peerkit-submit-panel') ? 'panel' : document.activeElement.tagName"
    )
    assert focused == "panel", f"focus fell to {focused} after Submit anyway"
    assert page.evaluate(NEW_LIVE) == [], "a status arrived as a new live region, already filled"

    # 320 CSS px: nothing scrolls sideways, no label cut; with text spacing no button or label is cut.
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(500)
    assert page.evaluate(SIDEWAYS) == []
    assert page.evaluate(CLIPPED) == []
    page.evaluate(SPACING)
    page.wait_for_timeout(300)
    assert page.evaluate(CLIPPED) == []
    close_tab(page)
