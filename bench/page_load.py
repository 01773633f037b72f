"""Time to interactive of a learning-path page versus an empty notebook on the same Voilà server.

    .venv/bin/python -m bench.page_load [--runs 7] [--no-preheat]

Each run starts a fresh headless Chromium and measures, in the page's own clock (checked on every
animation frame), from navigation start to the moment the first reflection box is visible (path
page) or the empty notebook's only cell is visible (baseline). A third page holds one bare
ipywidgets Textarea and nothing else: the floor for any page whose answer box is a widget (it must
wait for the kernel connection and the widget state). Runs rotate between the pages and are
spaced so that Voilà can refill its preheated kernel pools. Target: path page ≤ 1.2 × the empty
notebook.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from bench.voila_site import median, served_site, time_to_visible

TARGET = 1.2
PATH = "what-is-peer-learning"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between runs (pool refill)")
    parser.add_argument("--no-preheat", action="store_true")
    args = parser.parse_args()
    results: dict[str, list[float]] = {"empty notebook": [], "one bare widget": [], "path page": []}
    with served_site(preheat=not args.no_preheat) as served, sync_playwright() as playwright:
        targets = {
            "empty notebook": (served.empty_url, ".jp-RenderedMarkdown"),
            "one bare widget": (served.one_widget_url, "textarea"),
            "path page": (served.path_url(PATH), "textarea"),
        }
        time_to_visible(playwright, *targets["path page"])  # warm the OS file cache once, not measured
        time.sleep(args.gap)
        for run in range(args.runs):
            names = list(targets)
            order = names[run % len(names) :] + names[: run % len(names)]
            for name in order:
                results[name].append(time_to_visible(playwright, *targets[name]))
                print(f"  run {run + 1} {name}: {results[name][-1]:.2f} s", flush=True)
                time.sleep(args.gap)
    mode = "cold kernels" if args.no_preheat else "preheated kernels"
    print(f"Time to interactive, {args.runs} runs each, {mode}, fresh Chromium per run (seconds)")
    print(f"{'page':<16} {'median':>7} {'min':>7} {'max':>7} {'× empty':>8}")
    base = median(results["empty notebook"])
    for name, values in results.items():
        print(f"{name:<16} {median(values):7.2f} {min(values):7.2f} {max(values):7.2f} {median(values) / base:8.2f}")
    ratio = median(results["path page"]) / base
    floor = median(results["one bare widget"]) / base
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"path page / empty notebook: {ratio:.2f} (target ≤ {TARGET}) {verdict}")
    print(f"path page / one bare widget: {ratio / floor:.2f} (what peerkit adds over the widget floor)")


if __name__ == "__main__":
    main()
