"""Helpers behind peerkit's Voilà apps (course home; later the review app and the dashboard).

The apps themselves are small notebooks shipped in this package (``home.ipynb``) that a learner's
course folder receives a copy of.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

APP_NOTEBOOKS = ("home.ipynb",)


def app_notebook(name: str) -> Path:
    """The packaged app notebook *name* (e.g. ``home.ipynb``)."""
    return Path(str(resources.files("peerkit.apps").joinpath(name)))
