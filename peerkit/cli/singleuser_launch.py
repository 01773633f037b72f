"""``python -m peerkit.cli.singleuser_launch ARGS``: ``jupyterhub-singleuser`` started without jsonschema's IRI grammar.

A learner's server on the hub imports jupyter-events, which imports jsonschema, which builds the
``rfc3987-syntax`` Lark grammar at import: 1.1 s of every server start, for two format checks no schema of
JupyterHub, Jupyter Server, Voilà or peerkit uses (:func:`peerkit.nbgrader.config.skip_slow_iri_grammar`).
``peerkit-singleuser`` and ``peerkit-course-service`` become this command (:mod:`peerkit.cli.singleuser`);
the arguments are ``jupyterhub-singleuser``'s, unchanged. Where the server's runtime folder is too deep for its
kernels' sockets, it moves to a private temporary folder first (:func:`peerkit.voila.sockets.use_short_runtime_dir`).
"""

from __future__ import annotations

import sys

from peerkit.nbgrader.config import skip_slow_iri_grammar


def main(argv: list[str] | None = None) -> None:
    """Run ``jupyterhub-singleuser``'s command line with *argv* (default: this process's arguments)."""
    skip_slow_iri_grammar()
    # Chooses the server's form (an extension of Jupyter Server 2, or the older app) from the environment,
    # as the jupyterhub-singleuser script does.
    try:
        from jupyterhub.singleuser import main as singleuser_main
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != "jupyterhub":
            raise
        raise SystemExit(
            f"peerkit: a server on the hub needs JupyterHub in this Python ({sys.executable}): "
            "install it with  pip install 'peerkit[hub]'"
        ) from exc

    from peerkit.voila.sockets import use_short_runtime_dir

    use_short_runtime_dir()
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    singleuser_main()


if __name__ == "__main__":
    main()
