"""Helpers behind peerkit's Voilà apps: the learner's course home, "my progress" page, example
gallery and review app, and the facilitator's dashboard.

The apps themselves are small notebooks shipped in this package: a learner's course folder receives
a copy of each of :data:`APP_NOTEBOOKS`; the facilitator's dashboard (:data:`DASHBOARD_NOTEBOOK`) is
served from a folder of the facilitator's own (``peerkit serve`` runs it on a second port).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

APP_NOTEBOOKS = ("home.ipynb", "progress.ipynb", "gallery.ipynb")
#: The apps a learner opens first, kept warm in preheated kernels (the others start when visited).
PREHEATED_APPS = ("home.ipynb",)
DASHBOARD_NOTEBOOK = "dashboard.ipynb"


def app_notebook(name: str) -> Path:
    """The packaged app notebook *name* (e.g. ``home.ipynb``)."""
    return Path(str(resources.files("peerkit.apps").joinpath(name)))


def install_app(name: str, folder: Path) -> bool:
    """Copy the packaged app notebook *name* into *folder* (atomically) unless the same file is
    already there; True if it was written."""
    from peerkit.storage.atomic import write_atomic

    target, source = folder / name, app_notebook(name).read_bytes()
    if target.is_file() and target.read_bytes() == source:
        return False
    write_atomic(target, source)
    return True
