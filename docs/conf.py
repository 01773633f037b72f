"""Sphinx configuration of peerkit's documentation (MyST Markdown, the way Jupyter projects document
themselves). Built by ``tests/test_docs.py`` with warnings as errors, so a broken link, a docstring
Sphinx cannot read or a command that changed under its reference page fails the test suite."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # the settings table (peerkit_settings) and nitpicky references (peerkit_refs)

project = "Peer Learning Paths"
author = "Peer Learning Paths contributors"
copyright = "Peer Learning Paths contributors"


def _release() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("peerkit")
    except PackageNotFoundError:
        return "unknown"


release = _release()
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_click",
    "peerkit_settings",
    "peerkit_refs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
# docs/hub holds the deployment's files (configs, values, the image), not pages.
exclude_patterns = ["_build", "hub", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
autosummary_generate = False
napoleon_google_docstring = False
napoleon_numpy_docstring = False

html_theme = "pydata_sphinx_theme"
html_title = "Peer Learning Paths"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []
