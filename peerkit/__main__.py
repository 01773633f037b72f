"""``python -m peerkit``: the README's entry point.

From a source checkout, ``python3 -m peerkit <command>`` first makes sure the project's own virtual
environment (``.venv`` beside ``pyproject.toml``) exists and is up to date, then runs the command
inside it. Two commands are special to a checkout:

``serve``  builds the demo course and serves it with Voilà (the click command of the same name);
``test``   provisions what the test suite needs (browser, servers) and runs the whole suite.

Everything else is handed to the ``peerkit`` click CLI. This module uses only the standard library,
because it runs before any dependency is installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType


def _checkout_bootstrap() -> ModuleType | None:
    """The checkout's own set-up module (``tests/bootstrap.py``), or None for an installed package.

    It is repository-only, like the suite it runs: the wheel holds neither, and an installed
    ``peerkit`` needs no virtual environment of its own.
    """
    root = Path(__file__).resolve().parent.parent
    file = root / "tests" / "bootstrap.py"
    if not ((root / "pyproject.toml").is_file() and file.is_file()):
        return None
    spec = importlib.util.spec_from_file_location("peerkit_checkout_bootstrap", file)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m peerkit`` with *argv* (defaults to ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    bootstrap = _checkout_bootstrap()
    checkout = bootstrap.source_checkout() if bootstrap is not None else None
    if bootstrap is not None and checkout is not None and not bootstrap.inside_project_venv(checkout):
        if os.environ.get("PEERKIT_NO_BOOTSTRAP"):
            pass  # the caller manages the environment (conda, tox, a packager)
        elif (answer := bootstrap.offline_answer(checkout, args)) is not None:
            # --help and --version install nothing: the full help from a ready .venv, else a short one
            if not bootstrap.venv_ready(checkout) or args[:1] == ["test"]:
                print(answer)
                return 0
            return int(bootstrap.reexec(bootstrap.venv_python(checkout), ["-m", "peerkit", *args]))
        else:
            # a checkout is a facilitator's or a developer's: the dashboard comes with `serve`
            extras = ("test",) if args[:1] == ["test"] else ("dashboard",)
            python = bootstrap.ensure_venv(checkout, extras=extras)
            return int(bootstrap.reexec(python, ["-m", "peerkit", *args]))
    if args[:1] == ["test"]:
        if bootstrap is None or checkout is None:
            print("`peerkit test` runs the test suite of a source checkout; none found.", file=sys.stderr)
            return 2
        return int(bootstrap.run_tests(checkout, args[1:]))
    from peerkit.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
