"""``python3 -m peerkit``: ``--help`` and ``--version`` install nothing, and the short help they give
before the project environment exists names the CLI's real commands and serve's real options."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from peerkit.cli import cli
from tests import bootstrap

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """What ``python3 -m peerkit`` reads before it installs anything, copied without a .venv."""
    root = tmp_path / "checkout"
    (root / "peerkit").mkdir(parents=True)
    (root / "tests").mkdir()
    for name in ("pyproject.toml", "peerkit/__init__.py", "peerkit/__main__.py", "tests/bootstrap.py"):
        shutil.copy(REPO / name, root / name)
    return root


def run(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PEERKIT_NO_BOOTSTRAP", "PYTHONPATH"}}
    return subprocess.run(
        [sys.executable, "-m", "peerkit", *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--help"], "--dashboard-port INTEGER"),
        (["serve", "--port", "9000", "-h"], "Usage: python3 -m peerkit serve"),
        (["--help"], "serve        Build the demo course"),
        ([], "Commands:"),
        (["review", "--help"], "Peer-review rounds"),
        (["test", "--help"], "Usage: python3 -m peerkit test"),
        (["--version"], "peerkit, version 0.1.0"),
    ],
)
def test_help_and_version_need_no_installation(fresh_checkout: Path, args: list[str], expected: str) -> None:
    result = run(fresh_checkout, *args)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert not (fresh_checkout / ".venv").exists()


def test_real_work_still_sets_up_the_environment() -> None:
    assert bootstrap.offline_answer(REPO, ["serve"]) is None
    assert bootstrap.offline_answer(REPO, ["build", "alpha"]) is None


def test_the_short_help_names_the_real_commands_and_options() -> None:
    serve = cli.commands["serve"]
    assert set(bootstrap.COMMANDS) - {"test"} == set(cli.commands)
    real = {opt for param in serve.params for opt in param.opts if opt.startswith("--")} | {"--help"}
    named = {word for name, _ in bootstrap.SERVE_OPTIONS for word in name.replace(",", "").split() if word[:2] == "--"}
    assert named == real


def test_test_help_says_the_environment_is_missing_only_while_it_is(fresh_checkout: Path) -> None:
    """``test --help`` is answered here even with a ready .venv (``test`` is not a click command):
    the note that .venv is not set up yet must then be gone."""
    note = ".venv is not set up yet"
    assert note in run(fresh_checkout, "test", "--help").stdout
    python = bootstrap.venv_python(fresh_checkout)
    python.parent.mkdir(parents=True)
    python.write_text("")  # never run: `test --help` is answered before anything is run in .venv
    stamp = {"pyproject": hashlib.sha256((fresh_checkout / "pyproject.toml").read_bytes()).hexdigest()}
    (bootstrap.venv_dir(fresh_checkout) / bootstrap.STAMP).write_text(json.dumps(stamp))
    assert bootstrap.venv_ready(fresh_checkout)
    result = run(fresh_checkout, "test", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: python3 -m peerkit test" in result.stdout
    assert note not in result.stdout
