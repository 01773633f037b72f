"""First paint and time to interactive of a learning-path page, beside an empty notebook and a
one-Textarea notebook on the same Voilà server, on a quiet machine and under CPU load.

    .venv/bin/python -m bench.page_load [--runs 7] [--no-preheat] [--quiet-only]

Each run starts a fresh headless Chromium and measures, in the page's own clock (checked on every
animation frame), from navigation start to two moments of one page load:

* first paint: the first content a reader can use. Empty notebook: its only line of text. Path
  page: the first activity's server-rendered placeholder (its label and the saved answer, see
  :mod:`peerkit.widgets.placeholder`; the questions above it are markdown, shown at the same time).
  One bare widget: its Textarea (nothing shows before it).
* interactive: the first answer box is visible and can be typed in (path page, one bare widget).

The one bare ipywidgets Textarea is the floor of any page whose answer box is a widget: it must wait
for Voilà's scripts, the kernel connection and the widget state. Runs rotate between the pages and
are spaced so that Voilà can refill its preheated kernel pools. Targets: path page interactive
≤ 1.1 × the one-Textarea floor; path page first paint ≤ 1.1 × the empty notebook. A second pass
repeats the runs with a busy loop on every core (a learner's laptop doing something else).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import sync_playwright

from bench.voila_site import Served, median, served_site, times_to_visible

TARGET_FLOOR = 1.1  # path page interactive / one bare widget
TARGET_PAINT = 1.1  # path page first paint / empty notebook
PATH = "what-is-peer-learning"
Results = dict[str, dict[str, list[float]]]


def pages(served: Served) -> dict[str, tuple[str, dict[str, str]]]:
    """Each page's URL and the selector of each moment."""
    return {
        "empty notebook": (served.empty_url, {"first paint": ".jp-RenderedMarkdown"}),
        "one bare widget": (served.one_widget_url, {"first paint": "textarea", "interactive": "textarea"}),
        "path page": (
            served.path_url(PATH),
            {"first paint": ".peerkit-placeholder, .peerkit-answer-widget", "interactive": "textarea"},
        ),
    }


def busy() -> None:
    while True:
        pass


@contextmanager
def cpu_load() -> Iterator[int]:
    """A busy loop on every core while the block runs; yields the number of loops."""
    loops = [multiprocessing.Process(target=busy, daemon=True) for _ in range(os.cpu_count() or 1)]
    for loop in loops:
        loop.start()
    try:
        yield len(loops)
    finally:
        for loop in loops:
            loop.terminate()
        for loop in loops:
            loop.join()


def measure(playwright: Any, served: Served, *, runs: int, gap: float, label: str) -> Results:
    targets = pages(served)
    results: Results = {name: {} for name in targets}
    for run in range(runs):
        names = list(targets)
        order = names[run % len(names) :] + names[: run % len(names)]
        for name in order:
            url, selectors = targets[name]
            for moment, seconds in times_to_visible(playwright, url, selectors).items():
                results[name].setdefault(moment, []).append(seconds)
            shown = ", ".join(f"{m} {v[-1]:.2f} s" for m, v in results[name].items())
            print(f"  {label} run {run + 1} {name}: {shown}", flush=True)
            time.sleep(gap)
    return results


def report(results: Results, title: str) -> bool:
    """Print one pass's table and ratios; return whether both targets are met."""
    print(f"\n{title}")
    print(f"{'page':<16} {'first paint':>12} {'interactive':>12}   (median; min-max)")
    for name, moments in results.items():
        cells = []
        for moment in ("first paint", "interactive"):
            values = moments.get(moment)
            cells.append(f"{median(values):12.2f}" if values else f"{'—':>12}")
        spread = "; ".join(f"{m} {min(v):.2f}-{max(v):.2f}" for m, v in moments.items())
        print(f"{name:<16} {cells[0]} {cells[1]}   ({spread})")
    empty = median(results["empty notebook"]["first paint"])
    floor = median(results["one bare widget"]["interactive"])
    path_paint = median(results["path page"]["first paint"])
    path_ready = median(results["path page"]["interactive"])
    to_floor, to_paint = path_ready / floor, path_paint / empty
    met_floor, met_paint = to_floor <= TARGET_FLOOR, to_paint <= TARGET_PAINT
    print(f"path page interactive / one bare widget: {to_floor:.2f} (target ≤ {TARGET_FLOOR}) {verdict(met_floor)}")
    print(f"path page first paint / empty notebook:  {to_paint:.2f} (target ≤ {TARGET_PAINT}) {verdict(met_paint)}")
    print(
        f"path page interactive / empty notebook:  {path_ready / empty:.2f} (the widget floor is {floor / empty:.2f})"
    )
    return met_floor and met_paint


def verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between runs (pool refill)")
    parser.add_argument("--no-preheat", action="store_true")
    parser.add_argument("--quiet-only", action="store_true", help="skip the CPU-loaded pass")
    args = parser.parse_args()
    with served_site(preheat=not args.no_preheat) as served, sync_playwright() as playwright:
        url, selectors = pages(served)["path page"]
        times_to_visible(playwright, url, selectors)  # warm the OS file cache once, not measured
        time.sleep(args.gap)
        quiet = measure(playwright, served, runs=args.runs, gap=args.gap, label="quiet")
        loaded: Results | None = None
        if not args.quiet_only:
            with cpu_load() as cores:
                loaded = measure(playwright, served, runs=args.runs, gap=args.gap, label=f"{cores} cores busy")
    mode = "cold kernels" if args.no_preheat else "preheated kernels"
    report(quiet, f"Quiet machine: {args.runs} runs each, {mode}, fresh Chromium per run (seconds)")
    if loaded is not None:
        report(loaded, f"CPU-loaded: a busy loop on every core, {args.runs} runs each, {mode} (seconds)")


if __name__ == "__main__":
    main()
