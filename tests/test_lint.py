"""ruff (lint and format) and mypy --strict are clean: enforced, not hoped for.

ruff covers every Python source of the repository: the package, setup.py, the tests, the benchmarks, the
deployment examples in docs/ and the code cells of the course notebooks.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.lint

LINTED = ("peerkit", "tests", "bench", "docs", "notebooks", "setup.py")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_check() -> None:
    out = run("ruff", "check", *LINTED)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format() -> None:
    out = run("ruff", "format", "--check", *LINTED)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_sees_the_notebooks_and_the_docs() -> None:
    """A lint gate that silently skips a kind of file is no gate: every notebook and docs' Python is linted."""
    out = run("ruff", "check", "--show-files", *LINTED)
    assert out.returncode in (0, 1), out.stderr
    seen = {line.strip() for line in out.stdout.splitlines()}
    notebooks = [*sorted((REPO / "notebooks").glob("*.ipynb")), *sorted((REPO / "peerkit").rglob("*.ipynb"))]
    docs = sorted((REPO / "docs").rglob("*.py"))
    assert notebooks and docs, "the course's notebooks and the hub's config files are where this test looks"
    expected = notebooks + docs
    missing = [str(path.relative_to(REPO)) for path in expected if str(path) not in seen]
    assert missing == [], f"ruff does not see {missing}"


def test_mypy_strict() -> None:
    out = run("mypy", "--strict", "peerkit")
    assert out.returncode == 0, out.stdout + out.stderr
