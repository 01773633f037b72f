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

import os
import sys

from peerkit import _bootstrap


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m peerkit`` with *argv* (defaults to ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    checkout = _bootstrap.source_checkout()
    if checkout is not None and not _bootstrap.inside_project_venv(checkout):
        if os.environ.get("PEERKIT_NO_BOOTSTRAP"):
            pass  # the caller manages the environment (conda, tox, a packager)
        else:
            extras = ("test",) if args[:1] == ["test"] else ()
            python = _bootstrap.ensure_venv(checkout, extras=extras)
            return _bootstrap.reexec(python, ["-m", "peerkit", *args])
    if args[:1] == ["test"]:
        if checkout is None:
            print("`peerkit test` runs the test suite of a source checkout; none found.", file=sys.stderr)
            return 2
        return _bootstrap.run_tests(checkout, args[1:])
    from peerkit.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
