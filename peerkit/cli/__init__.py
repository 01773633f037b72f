"""The ``peerkit`` command line: thin shims over the Python API.

Each command parses options, calls one API function and prints its result. Errors the API raises
on purpose (:class:`~peerkit.core.errors.PeerkitError`) become a one-line message and exit code 1.
Commands live in :mod:`peerkit.cli.course`, :mod:`peerkit.cli.review` and
:mod:`peerkit.cli.service`; importing them registers them on :data:`cli`.
"""

from __future__ import annotations

from collections.abc import Sequence

from peerkit.cli import config as _config  # noqa: F401 - registers `peerkit config show`
from peerkit.cli import course as _course  # noqa: F401 - registers the course commands
from peerkit.cli import dashboard as _dashboard  # noqa: F401 - registers the dashboard commands
from peerkit.cli import db as _db  # noqa: F401 - registers `peerkit db current` and `peerkit db upgrade`
from peerkit.cli import init as _init  # noqa: F401 - registers `peerkit init`
from peerkit.cli import review as _review  # noqa: F401 - registers the review commands
from peerkit.cli import service as _service  # noqa: F401 - registers the hub service command
from peerkit.cli.common import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return its exit code (for ``python -m peerkit`` and the console script)."""
    from peerkit.nbgrader.config import skip_slow_iri_grammar

    skip_slow_iri_grammar()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="peerkit", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


__all__ = ["cli", "main"]
