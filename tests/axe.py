"""axe-core, the accessibility engine, from the npm registry, run over a page in the browser tests.

``axe-core`` is installed on first use into the checkout's ``.peerkit/tools`` (beside the hub tests'
configurable-http-proxy). :func:`axe_violations` runs every WCAG 2.0–2.2 A/AA rule and axe's best
practices (``region``, ``landmark-one-main`` and ``skip-link`` are best practices only) and returns
the violations as short readable lines, so a failing assertion says what and where.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

TOOLS = Path(__file__).resolve().parent.parent / ".peerkit" / "tools"
AXE_PACKAGE = "axe-core@4.10"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_script() -> Path:
    """The path of ``axe.min.js``, installed with npm when missing (a skip outside CI if npm cannot)."""
    if not AXE.is_file():
        TOOLS.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error", AXE_PACKAGE],
            check=False,
            capture_output=True,
            text=True,
        )
        if not AXE.is_file():
            message = f"npm install {AXE_PACKAGE} failed: {result.stderr[-500:]}"
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                raise AssertionError(message)
            pytest.skip(message)
    return AXE


def axe_violations(page: Any, *, include: str | None = None, disable: tuple[str, ...] = ()) -> list[str]:
    """Run axe over *page* (or the part matching the CSS selector *include*); one line per violation
    and element: ``rule (impact): help — target``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    options = {"runOnly": {"type": "tag", "values": TAGS}, "rules": {rule: {"enabled": False} for rule in disable}}
    context = {"include": [[include]]} if include else None
    result = page.evaluate("([context, options]) => axe.run(context || document, options)", [context, options])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {' '.join(map(str, node['target']))}: "
        f"{node.get('failureSummary', '').splitlines()[-1] if node.get('failureSummary') else ''}"
        for v in result["violations"]
        for node in v["nodes"]
    ]
