"""peerkit's optional parts (``pip install 'peerkit[dashboard]'``...) and a clear error when one is missing.

A learner's server installs peerkit alone; the facilitator's dashboard, the hub service and the
PostgreSQL store need more. Those imports are made lazily, where they are used, so a learner's page
never needs them; :func:`require` turns a missing one into the command that installs it.
"""

from __future__ import annotations

from importlib.util import find_spec

from peerkit.core.errors import ConfigError

#: Each extra of pyproject.toml and the modules it brings (tests/test_dependencies.py keeps them in step).
EXTRAS: dict[str, tuple[str, ...]] = {
    "dashboard": ("matplotlib", "sklearn"),
    "hub": ("jupyterhub",),
    "postgres": ("psycopg",),
}


def missing(extra: str) -> tuple[str, ...]:
    """The modules of *extra* that cannot be imported here (none when the extra is installed)."""
    return tuple(module for module in EXTRAS[extra] if find_spec(module) is None)


def require(extra: str, *, for_what: str) -> None:
    """Raise :class:`ConfigError` naming the install command when *extra* is not installed."""
    absent = missing(extra)
    if absent:
        raise ConfigError(
            f"{for_what} needs {', '.join(absent)}: pip install 'peerkit[{extra}]'", source=f"peerkit[{extra}]"
        )
