"""WCAG 2.2 AA and a clean console on the learner's pages, in a real browser against one `peerkit serve`
of the demo.

axe-core (tests/axe.py: every WCAG 2.0–2.2 A/AA rule and axe's best practices) must find nothing, of any
impact, on every page a learner sees: home, every path page, the review app's packets and feedback, the
progress page and the gallery. axe cannot see what the template's script (peerkit-access.js) and styles
fix, so the tests check those too: radio groups that are one named group with one shared ``name``, no
``title="null"``, a visible focus ring on every Tab stop, motion stopped for readers who ask.

Then one learner walks the course by keyboard only (``page.keyboard``, no click): home → a peer-reviewed
path (its first answer in at most 3 Tab presses), answer, submit (and "submit anyway"), home → the
review app, a whole review, submit it, the feedback that comes back, a rating, home → progress →
gallery, with axe run on every page and view it passes.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

from peerkit.apps import APP_NOTEBOOKS
from peerkit.config.course import load_course
from peerkit.config.settings import PeerkitConfig
from peerkit.facilitator.api import Facilitator
from tests.axe import axe_violations
from tests.browser import NAVIGATION_TIMEOUT_MS, WIDGETS_TIMEOUT_MS, ConsoleLog
from tests.conftest import COURSE_FILE
from tests.ui.conftest import Served, signed
from tests.ui.test_course_ui import close_tab, open_page

pytestmark = pytest.mark.ui

REVIEWED = "peer-learning-groups"  # a peer-reviewed path of the demo course (on its own rubric)
HOME = "/voila/render/home.ipynb"
MAX_TABS_TO_FIRST_ANSWER = 3
MAX_WARNINGS = 3

#: What the template's script is responsible for, read from the page (axe reports none of it).
OWN_CHECKS = """() => {
  const problems = [];
  if (document.querySelectorAll('[title="null"]').length) problems.push('title="null" on a label');
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
  for (const box of document.querySelectorAll('.widget-radio-box')) {
    if (!box.offsetParent) continue;
    const label = document.getElementById(box.getAttribute('aria-labelledby') || '');
    const names = new Set([...box.querySelectorAll('input[type=radio]')].map(i => i.name));
    if (box.getAttribute('role') !== 'radiogroup') problems.push('radio buttons not in a radiogroup');
    if (!label || !label.textContent.trim()) problems.push('a radio group without a name');
    if (names.size !== 1 || names.has('')) problems.push('radios of one group without one shared name');
  }
  for (const group of document.querySelectorAll('.widget-toggle-buttons [role=group]')) {
    if (group.querySelectorAll('button[aria-pressed=true]').length !== 1) problems.push('toggle without aria-pressed');
  }
  for (const link of document.querySelectorAll('#peerkit-main a[href]')) {
    if (link.offsetParent && !getComputedStyle(link).textDecorationLine.includes('underline')) {
      problems.push(`link not underlined: ${link.textContent.trim().slice(0, 40)}`);
    }
  }
  return problems;
}"""

#: The focused element, and how its focus is drawn.
ACTIVE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), type: e.type || '', cls: String(e.className || ''),
    href: e.getAttribute('href') || '',
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 80),
    answer: !!e.closest('.peerkit-answer-widget') && ['input', 'textarea', 'select'].includes(e.tagName.toLowerCase()),
    container: e.tabIndex < 0, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
  };
}"""


def luminance(color: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", color)[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def wait_ready(page: Any) -> None:
    """Voilà's spinner gone, the widgets drawn, the template's script applied."""
    page.wait_for_selector("#loading", state="detached", timeout=WIDGETS_TIMEOUT_MS)
    page.locator("#peerkit-main .jupyter-widgets").first.wait_for(timeout=60_000)
    page.wait_for_function("!document.querySelector('[title=\"null\"]')", timeout=10_000)
    page.wait_for_timeout(300)


def check_page(page: Any, what: str) -> None:
    """axe finds nothing, of any impact, and the page's own accessibility checks hold."""
    violations = axe_violations(page)
    assert violations == [], f"{what}: axe found\n" + "\n".join(violations)
    problems = page.evaluate(OWN_CHECKS)
    assert problems == [], f"{what}: {problems}"


def press_tab(page: Any, *, shift: bool = False) -> dict[str, Any]:
    """One Tab; the newly focused control must show a focus ring of 2px or more at 3:1 on white."""
    page.keyboard.press("Shift+Tab" if shift else "Tab")
    active: dict[str, Any] = page.evaluate(ACTIVE)
    if active["tag"] != "body" and not active["container"]:
        where = f"{active['tag']}.{active['cls']} {active['text']!r}"
        assert active["style"] != "none" and active["width"] >= 2, f"no visible focus ring on {where}: {active}"
        assert contrast(active["color"], "rgb(255, 255, 255)") >= 3, f"a faint focus ring on {where}: {active}"
    return active


def tab_to(page: Any, matches: str, *, limit: int = 250, backwards: bool = False) -> int:
    """Tab (Shift+Tab if *backwards*) until the focused element matches the CSS selector *matches*;
    the number of presses."""
    for presses in range(1, limit + 1):
        press_tab(page, shift=backwards)
        if page.evaluate("s => document.activeElement.matches(s)", matches):
            return presses
    raise AssertionError(f"{limit} Tab presses never reached {matches}")


def follow(page: Any, href: str, *, backwards: bool = False) -> None:
    """Reach the link whose address holds *href* by Tab (Shift+Tab), and follow it with Enter."""
    tab_to(page, f'a[href*="{href}"]', backwards=backwards)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_ready(page)


def submit(page: Any) -> str:
    """Enter on the focused Submit button, and Enter again if it asks "submit anyway?" (blanks left):
    "confirmed" or "sent" once the page says Submitted."""
    page.keyboard.press("Enter")
    said = page.locator(".peerkit-submit-panel:visible .peerkit-status").first
    said.filter(has_text=re.compile("submit anyway|Submitted")).wait_for(timeout=30_000)
    how = "sent"
    if "submit anyway" in said.inner_text():
        assert page.evaluate("document.activeElement.matches('button.peerkit-submit')")
        page.keyboard.press("Enter")
        how = "confirmed"
    page.locator(".peerkit-submit-panel:visible", has_text="Submitted").wait_for(timeout=30_000)
    return how


def wait_for_arrival(page: Any, title: str, *, timeout: float = 120) -> str:
    """On a rolling path's review page: wait until the view *title* is there ("here") or the page says
    that something arrived while it was open ("arrived", with a button to show it)."""
    picker = page.locator(".peerkit-packet-picker button", has_text=title)
    arrived = page.locator("button.peerkit-show-arrived:visible")
    for _ in range(int(timeout * 2)):
        if picker.count():
            return "here"
        if arrived.count():
            return "arrived"
        page.wait_for_timeout(500)
    raise AssertionError(f"nothing called {title!r} reached the review page in {timeout}s")


def type_words(page: Any, words: int) -> None:
    sentence = "The second paragraph names the desk, the people and the day, so a reader can picture it."
    page.keyboard.type(" ".join([sentence] * (words // len(sentence.split()) + 1)))


def test_every_learner_page_passes_axe_with_a_clean_console(browser: Any, served: Served) -> None:
    """Home, every path page, progress and gallery: nothing from axe, grouped radios, no title="null";
    and each page keeps a clean console: no error, at most :data:`MAX_WARNINGS` warnings (Voilà's known
    module-federation warnings are dropped by the peerkit template, the notebooks are signed, and only
    the widget extensions are loaded, so a warning left is news)."""
    course = load_course(COURSE_FILE)
    pages = [("home", HOME)]
    pages += [(f"path {p.id}", f"/voila/render/{p.id}/{p.id}.ipynb") for p in course.paths]
    pages += [(name.removesuffix(".ipynb"), f"/voila/render/{name}") for name in APP_NOTEBOOKS if name != "home.ipynb"]
    console = ConsoleLog()
    page = open_page(browser, served.url + HOME, console, width=1280)
    noisy: dict[str, list[str]] = {}
    for number, (what, url) in enumerate(pages):
        warnings_before = len(console.warnings)
        if number:
            page.goto(served.url + url)
        wait_ready(page)
        check_page(page, what)
        page.wait_for_timeout(500)  # late messages: widget views, the kernel's status
        if len(console.warnings) - warnings_before > MAX_WARNINGS:
            noisy[what] = console.warnings[warnings_before:]
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)
    assert not noisy, "\n".join(f"{what}: warnings {warnings}" for what, warnings in noisy.items())
    log = "".join(served.log)
    assert "is not trusted" not in log  # the served notebooks are signed for the serving user
    assert "susceptible to eavesdropping" not in log  # kernels get CurveZMQ keys


def test_activities_are_in_the_first_paint_and_shown_once(browser: Any, served: Served) -> None:
    """The server-rendered page already holds each activity's label (no script needed to read it), and
    once the widgets draw, the label is there once for eyes and screen readers alike."""
    path = "what-is-peer-learning"
    url = f"{served.url}/voila/render/{path}/{path}.ipynb"
    with urllib.request.urlopen(signed(url), timeout=60) as response:  # noqa: S310 - localhost
        first = response.read().decode()
    assert first.count('<div class="peerkit-placeholder">') >= 3  # HTML in the page, not JSON for a script
    assert "Your moment: what happened, and what made it work?</p>" in first

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page.goto(signed(url))
    page.locator("textarea").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "document.querySelectorAll('.peerkit-answer-widget').length >= 3"
        " && [...document.querySelectorAll('.peerkit-placeholder')].every(e => e.offsetParent === null)",
        timeout=10_000,
    )  # once the widgets render, their placeholders are gone for eyes and screen readers alike
    label = "Your moment: what happened, and what made it work?"
    shown = page.evaluate(
        "label => [...document.querySelectorAll('label, p')]"
        ".filter(e => e.textContent.trim() === label && e.offsetParent !== null).length",
        label,
    )
    assert shown == 1
    close_tab(page)


def test_motion_stops_when_the_reader_asks(browser: Any, served: Served) -> None:
    """Voilà's loading spinner turns forever; with prefers-reduced-motion it stands still."""
    spinner = """() => {
      const svg = document.createElement('div');
      svg.className = 'spinner';
      document.body.appendChild(svg);
      return getComputedStyle(svg).animationName;
    }"""
    console = ConsoleLog()
    page = open_page(browser, served.url + "/voila/render/gallery.ipynb", console)
    wait_ready(page)
    assert page.evaluate(spinner) == "rotation"  # the spinner's own rule applies: the check can fail
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(spinner) == "none"
    close_tab(page)


def test_a_learner_completes_a_path_by_keyboard_only(browser: Any, served: Served) -> None:
    console = ConsoleLog()
    page = open_page(browser, served.url + HOME, console, width=1280)
    wait_ready(page)
    check_page(page, "home")

    # Home → the peer-reviewed path.
    follow(page, f"{REVIEWED}.ipynb")
    check_page(page, "the path page")

    # The first answer in at most 3 Tab presses: the skip link, Enter, then the first control.
    first = press_tab(page)
    assert "peerkit-skip" in first["cls"], f"the first Tab stop is not the skip link: {first}"
    page.keyboard.press("Enter")
    presses = 1
    while not page.evaluate(ACTIVE)["answer"]:
        press_tab(page)
        presses += 1
        assert presses <= MAX_TABS_TO_FIRST_ANSWER, (
            f"the first answer is more than {MAX_TABS_TO_FIRST_ANSWER} Tabs away"
        )
    active = page.evaluate(ACTIVE)
    in_check = page.evaluate("!!document.activeElement.closest('.peerkit-answer-widget.peerkit-check')")
    if active["type"] == "checkbox":
        page.keyboard.press("Space")
    elif active["type"] == "radio":
        page.keyboard.press("ArrowDown")
    elif active["tag"] != "select":
        page.keyboard.type("Staff from the adult desk meet on Fridays.")
    if in_check:  # a check of understanding is saved when it is checked: its button, by keyboard too
        tab_to(page, ".peerkit-check button.peerkit-check-button")
        page.keyboard.press("Enter")
        page.locator(".peerkit-check-feedback", has_text="Why:").first.wait_for(timeout=15_000)
        check_page(page, "the path page, a check answered")
    page.locator(".peerkit-answer-widget .peerkit-status", has_text=re.compile("saved")).first.wait_for(timeout=15_000)

    # Submit, and confirm: the other answers are still blank.
    tab_to(page, "button.peerkit-submit")
    assert submit(page) == "confirmed"
    check_page(page, "the path page after Submit")

    # The path is reviewed as work comes in: back up to the page's navigation, home, → the review page.
    follow(page, "home.ipynb", backwards=True)
    page.locator(f'.peerkit-review-card[data-path="{REVIEWED}-review"] a').first.wait_for(timeout=30_000)
    check_page(page, "home with a review to do")
    follow(page, f"{REVIEWED}-review.ipynb")
    page.locator(".peerkit-practice").first.wait_for(timeout=60_000)  # practice comes before the first review
    check_page(page, "the review app, practice first")
    if wait_for_arrival(page, "Submission 1") == "arrived":  # classmates' work came while the page was open
        check_page(page, "the review app, work arrived")
        tab_to(page, "button.peerkit-show-arrived")
        page.keyboard.press("Enter")
        page.locator(".peerkit-packet-picker button", has_text="Submission 1").wait_for(timeout=30_000)
    pickers = page.locator(".peerkit-packet-picker button")
    for index in range(1, pickers.count()):  # every other packet, chosen with the keyboard
        tab_to(page, f".peerkit-packet-picker button:nth-of-type({index + 1})")
        page.keyboard.press("Enter")
        chosen = f"document.querySelectorAll('.peerkit-packet-picker button')[{index}].getAttribute('aria-pressed')"
        page.wait_for_function(f"{chosen} === 'true'")
        check_page(page, f"the review app, view {index + 1}")
    tab_to(page, ".peerkit-packet-picker button:nth-of-type(2)")  # the first classmate's submission
    page.keyboard.press("Enter")

    # One whole review: a level per criterion (arrow keys in one radio group each), two comments.
    form = page.locator(".peerkit-review:visible")
    levels = form.locator(".peerkit-level")
    criteria = levels.count()
    for index in range(criteria):
        tab_to(page, ".peerkit-review .peerkit-level input[type=radio]")
        assert page.evaluate("document.activeElement.closest('.peerkit-level')") is not None
        page.keyboard.press("Space")  # nothing chosen yet: the first radio has the focus
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert levels.nth(index).locator("input:checked").count() == 1
    for prompt in ("strengths", "suggestion"):
        tab_to(page, f".peerkit-prompt-{prompt} textarea")
        type_words(page, 20)
    form.locator(".peerkit-status", has_text=re.compile(r"complete \(\d+ words")).wait_for(timeout=15_000)
    assert form.locator(".peerkit-level input:checked").count() == levels.count()
    tab_to(page, "button.peerkit-submit")
    submit(page)
    check_page(page, "the review app after Submit")

    # Classmates review the learner back; the feedback, and a rating given with the arrow keys.
    wait_for_arrival(page, "Your feedback")
    page.reload()
    wait_ready(page)
    page.locator(".peerkit-packet").first.wait_for(timeout=60_000)
    tab_to(page, ".peerkit-packet-picker button:last-of-type")
    assert page.evaluate("document.activeElement.innerText").strip() == "Your feedback"
    page.keyboard.press("Enter")
    page.locator(".peerkit-rating:visible").first.wait_for(timeout=30_000)
    check_page(page, "the feedback")
    tab_to(page, ".peerkit-rating input[type=radio]")
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    rating = page.locator(".peerkit-rating:visible").first
    assert rating.locator("input:checked").count() == 1
    rating.locator(".peerkit-status", has_text="rated 4 of 5").wait_for(timeout=15_000)  # the kernel has it
    page.locator(".peerkit-ratings-sent", has_text="Sent to your facilitator").first.wait_for(timeout=30_000)
    check_page(page, "the feedback, rated")

    # Progress → gallery → home, through the pages' navigation.
    follow(page, "progress.ipynb", backwards=True)
    check_page(page, "progress")
    follow(page, "gallery.ipynb")
    check_page(page, "gallery")
    follow(page, "home.ipynb")
    check_page(page, "home at the end")
    close_tab(page)
    assert console.errors == [], "\n".join(console.errors)

    # The facilitator's export holds everything this learner gave: answers, the review, the rating.
    learner = load_course(COURSE_FILE).demo_learner
    desk = Facilitator.open(PeerkitConfig.load(env={}, course_file=COURSE_FILE, workdir=served.workdir))
    try:
        desk.collect_reviews(path_id=REVIEWED)
        export = json.loads(desk.export(kind="round", path_ids=[REVIEWED], names=True).text)
    finally:
        desk.close()
    mine = [s for s in export["submissions"] if s["learner"] == learner]
    assert len(mine) == 1 and mine[0]["answers"] >= 1, export["submissions"]
    given = [r for r in export["reviews"] if r["reviewer"] == learner and r["kind"] == "peer"]
    assert given and len(given[0]["scores"]) == criteria, export["reviews"]
    rated = [r for r in export["ratings"] if r["rater"] == learner]
    assert rated and rated[0]["helpful"] == 4, export["ratings"]
