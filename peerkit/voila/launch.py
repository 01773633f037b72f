"""``python -m peerkit.voila.launch ARGS``: Voilà's own command line, started without jsonschema's IRI grammar,
as peerkit's Voilà (:class:`peerkit.voila.guard.PeerkitVoila`: this machine's names only, a token required).

Voilà's server imports jupyter-events, which imports jsonschema, which builds the ``rfc3987-syntax`` Lark
grammar at import: 1.1 s of a 1.6 s import on a quiet machine, for two format checks no schema of Voilà,
Jupyter Server or peerkit uses (:func:`peerkit.nbgrader.config.skip_slow_iri_grammar`). ``peerkit serve``
starts its Voilà servers through this module; the arguments are Voilà's, and, where the temporary folder's
path is too long for its kernels' sockets, one more that moves them (:func:`peerkit.voila.sockets.voila_arguments`).
"""

from __future__ import annotations

import sys

from peerkit.nbgrader.config import skip_slow_iri_grammar


def main(argv: list[str] | None = None) -> None:
    """Run Voilà's command line with *argv* (default: this process's arguments)."""
    skip_slow_iri_grammar()
    from peerkit.voila.guard import launch
    from peerkit.voila.sockets import voila_arguments

    launch([*(sys.argv[1:] if argv is None else argv), *voila_arguments()])


if __name__ == "__main__":
    main()
