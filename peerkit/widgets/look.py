"""Layout and style models shared by the widgets of one page.

Every ipywidgets control creates its own ``Layout`` and style model unless given one; each model
is one more object for the browser to fetch and build before the page is usable. The widgets of a
page share these instead: a two-question path page goes from 33 widget models to 18.
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_int import ProgressStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle
from traitlets import validate

#: The live-region attributes peerkit's status markup carries (peerkit.widgets.status, the checks' feedback).
_INNER_LIVE = re.compile(r' role="(?:status|alert)" aria-live="polite"')


class LiveHTML(widgets.HTML):
    """An HTML widget whose persistent box is the live region (the page's script gives its
    ``.widget-html-content`` role=status, from the class ``peerkit-live``): each new value is a change of
    text inside one live node, which screen readers announce. ipywidgets replaces the whole value on
    every update, so a role inside the value would be a new region, with its text already in it, each
    time (often not announced); those inner roles are dropped here, so there is one live region."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self.add_class("peerkit-live")

    @validate("value")
    def _one_live_region(self, proposal: dict[str, Any]) -> str:
        return _INNER_LIVE.sub("", str(proposal["value"]))


class Look:
    """Shared ``Layout``/style instances for one page's widgets."""

    def __init__(self) -> None:
        self.full_width = widgets.Layout(width="100%")
        self.block = widgets.Layout(width="100%", max_width="46rem", margin="12px 0")
        self.stacked = widgets.Layout(width="100%", flex_flow="column", align_items="stretch")
        self.panel = widgets.Layout(margin="16px 0", align_items="flex-start")
        self.auto = widgets.Layout(width="auto")
        self.html = HTMLStyle()
        # TextStyle is a DescriptionStyle: the same instance serves text boxes, radio buttons,
        # dropdowns, date pickers and tag inputs.
        self.text = TextStyle(description_width="initial")
        self.button = widgets.ButtonStyle()
        self.progress = ProgressStyle(description_width="initial")
        self.check = CheckboxStyle(description_width="initial")

    def html_widget(self, value: str = "") -> widgets.HTML:
        return widgets.HTML(value, layout=self.full_width, style=self.html)

    def live_widget(self, value: str = "") -> LiveHTML:
        """A status line whose every new message is announced (see :class:`LiveHTML`)."""
        return LiveHTML(value, layout=self.full_width, style=self.html)

    def close(self) -> None:
        shared = (
            self.full_width,
            self.block,
            self.stacked,
            self.panel,
            self.auto,
            self.html,
            self.text,
            self.button,
            self.progress,
            self.check,
        )
        for model in shared:
            model.close()
