"""Reflection widgets for learning-path notebooks (ipywidgets; work in Voilà and JupyterLab).

Course notebooks only need :class:`PathPage`; the widget classes are exported for custom pages.
"""

from __future__ import annotations

from peerkit.nbgrader.config import skip_slow_iri_grammar

skip_slow_iri_grammar()  # a Voilà kernel never needs jsonschema's IRI grammar; see its docstring

from peerkit.widgets.checklist import Checklist  # noqa: E402
from peerkit.widgets.example import Example  # noqa: E402
from peerkit.widgets.page import PathPage  # noqa: E402
from peerkit.widgets.plan import ActionPlan  # noqa: E402
from peerkit.widgets.profile import Profile  # noqa: E402
from peerkit.widgets.progress import PathProgress  # noqa: E402
from peerkit.widgets.reflection import Reflection  # noqa: E402
from peerkit.widgets.scale import Scale  # noqa: E402
from peerkit.widgets.session import PathSession  # noqa: E402
from peerkit.widgets.submit import SubmitPanel  # noqa: E402

__all__ = [
    "ActionPlan",
    "Checklist",
    "Example",
    "PathPage",
    "PathProgress",
    "PathSession",
    "Profile",
    "Reflection",
    "Scale",
    "SubmitPanel",
]
