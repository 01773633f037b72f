"""Submit latency: from the click on Submit to the confirmation on the page, against nbgrader's CLI.

    .venv/bin/python -m bench.submit_latency [--runs 7]

Measured in the page's own clock (a MutationObserver on the submit panel): the click, the kernel
copying the path into nbgrader's exchange in-process, and the confirmation coming back. Three
situations: a learner who has been on the page a while (the usual case), a click as soon as the
page shows, and the same on a server without preheated kernels (the kernel has only just started
importing nbgrader in the background). Printed beside them, in the same run and for the same
assignment folder: the in-process submit alone, a fresh Python process doing import + submit, and
`nbgrader submit` from the command line. Target: click to confirmation ≤ 1.0 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.voila_site import Served, launch_browser, median, served_site

TARGET = 1.0
PATH = "what-is-peer-learning"

CLICK_TO_CONFIRMATION = """
async () => {
  const panel = document.querySelector('.peerkit-submit-panel');
  const status = () => panel.querySelector('.peerkit-status').innerText;
  const before = status();
  let t0 = performance.now();
  let confirmed = false;
  return await new Promise((resolve) => {
    const done = () => {
      const text = status();
      if (!confirmed && text.includes('submit anyway?')) {
        // blank answers: the panel asks first; the timed step is the confirming click's submit
        confirmed = true; t0 = performance.now(); panel.querySelector('button').click(); return;
      }
      if (text.startsWith('Submitted') && text !== before) { observer.disconnect(); resolve(performance.now() - t0); }
      if (text.startsWith('Submit failed')) { observer.disconnect(); resolve(-1); }
    };
    const observer = new MutationObserver(done);
    observer.observe(panel, { subtree: true, childList: true, characterData: true });
    panel.querySelector('button').click();
  });
}
"""


def open_path_page(playwright: Any, served: Served) -> tuple[Any, Any]:
    browser = launch_browser(playwright)
    page = browser.new_page()
    page.goto(served.path_url(PATH))
    page.locator("textarea").first.wait_for(timeout=60_000)
    page.wait_for_selector(".peerkit-submit-panel button:not([disabled])", timeout=60_000)
    return browser, page


def inbound_count(served: Served) -> int:
    inbound = served.site.workspace.exchange / served.site.course.id / "inbound"
    return sum(1 for p in inbound.iterdir() if p.name.startswith(f"{served.site.learner}+{PATH}+"))


def click_submit(page: Any, served: Served) -> float:
    """One click, timed in the page; checks that nbgrader's exchange really got one more submission."""
    before = inbound_count(served)
    elapsed_ms: float = page.evaluate(CLICK_TO_CONFIRMATION)
    if elapsed_ms < 0:
        raise RuntimeError("Submit failed: " + page.inner_text(".peerkit-submit-panel"))
    if inbound_count(served) != before + 1:
        raise RuntimeError("the page confirmed a submission that is not in the exchange")
    return elapsed_ms / 1000


def browser_runs(served: Served, runs: int, *, settle: float) -> list[float]:
    """*runs* submits on one page, after *settle* seconds on the page."""
    with sync_playwright() as playwright:
        browser, page = open_path_page(playwright, served)
        try:
            page.locator("textarea").first.fill("A reflection written for the submit benchmark.")
            time.sleep(settle)
            results = []
            for _ in range(runs):
                results.append(click_submit(page, served))
                time.sleep(1.1)  # confirmations show seconds: the next one must differ
            page.goto("about:blank")
            return results
        finally:
            browser.close()


def first_click_runs(served: Served, runs: int) -> list[float]:
    """A fresh page each time, Submit clicked as soon as it is enabled."""
    results = []
    with sync_playwright() as playwright:
        for _ in range(runs):
            browser, page = open_path_page(playwright, served)
            try:
                results.append(click_submit(page, served))
                page.goto("about:blank")
            finally:
                browser.close()
            time.sleep(4)  # let Voilà refill the pool
    return results


IN_PROCESS = """
import sys, time
t0 = time.perf_counter()
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import submit
from pathlib import Path
config = load_config([Path(sys.argv[1])])
folder = Path(sys.argv[2])
submit(config, folder, learner=sys.argv[3])
t1 = time.perf_counter()
submit(config, folder, learner=sys.argv[3])
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f}")
"""


def python_runs(served: Served, runs: int) -> tuple[list[float], list[float], list[float]]:
    site = served.site
    config_dir = site.learner_home / ".jupyter"
    folder = site.course_dir / PATH
    fresh, warm, cli = [], [], []
    env_python = sys.executable
    for _ in range(runs):
        out = subprocess.run(
            [env_python, "-c", IN_PROCESS, str(config_dir), str(folder), site.learner],
            capture_output=True,
            text=True,
            check=True,
            env=_learner_env(site.learner_home),
        )
        first, second = map(float, out.stdout.split())
        fresh.append(first)
        warm.append(second)
        t0 = time.perf_counter()
        subprocess.run(
            [str(Path(env_python).parent / "nbgrader"), "submit", PATH, f"--student={site.learner}"],
            cwd=site.course_dir,
            capture_output=True,
            check=True,
            env=_learner_env(site.learner_home),
        )
        cli.append(time.perf_counter() - t0)
    return fresh, warm, cli


def _learner_env(home: Path) -> dict[str, str]:
    from peerkit.voila.serve import voila_env

    return voila_env(home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    with served_site() as served:
        rows["browser: click → confirmation (page open 3 s)"] = browser_runs(served, args.runs, settle=3)
        rows["browser: click as soon as the page shows"] = first_click_runs(served, max(3, args.runs // 2))
        fresh, warm, cli = python_runs(served, max(3, args.runs // 2))
    with served_site(preheat=False) as served:
        rows["browser, no preheat: click as soon as it shows"] = first_click_runs(served, max(3, args.runs // 2))
    rows["in-process submit, nbgrader already imported"] = warm
    rows["fresh python: import + in-process submit"] = fresh
    rows["`nbgrader submit` CLI (baseline)"] = cli
    print("Submit latency (seconds)")
    print(f"{'measurement':<50} {'n':>3} {'median':>7} {'min':>7} {'max':>7}")
    for name, values in rows.items():
        print(f"{name:<50} {len(values):>3} {median(values):7.3f} {min(values):7.3f} {max(values):7.3f}")
    usual = median(rows["browser: click → confirmation (page open 3 s)"])
    verdict = "PASS" if usual <= TARGET else "FAIL"
    print(f"click → confirmation: {usual:.3f} s (target ≤ {TARGET} s) {verdict}")


if __name__ == "__main__":
    main()
