"""Reflection widgets for learning-path notebooks (ipywidgets; work in Voilà and JupyterLab).

Course notebooks only need :class:`PathPage`; the widget classes are exported for custom pages.
"""

from __future__ import annotations

from peerkit.nbgrader.config import skip_slow_iri_grammar

skip_slow_iri_grammar()  # a Voilà kernel never needs jsonschema's IRI grammar; see its docstring

from peerkit.widgets.page import PathPage  # noqa: E402
from peerkit.widgets.reflection import Reflection  # noqa: E402
from peerkit.widgets.session import PathSession  # noqa: E402
from peerkit.widgets.submit import SubmitPanel  # noqa: E402

__all__ = ["PathPage", "PathSession", "Reflection", "SubmitPanel"]
