"""A learning-path page: the one object a course notebook creates.

A path notebook starts with::

    from peerkit.widgets import PathPage
    page = PathPage("what-is-peer-learning")
    page.banner()

and then uses ``page.reflection(...)`` and finally ``page.submit()`` in later cells; each returns a
widget that the cell displays.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.widgets.context import open_path
from peerkit.widgets.look import Look
from peerkit.widgets.reflection import Reflection
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import Tone, notice_box
from peerkit.widgets.submit import SubmitPanel

log = logging.getLogger(__name__)


def _preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


def reload_when_visited(session: PathSession) -> None:
    """In a preheated Voilà kernel, re-read the answers when a visitor is actually handed this kernel.

    Voilà runs preheated notebooks when the pool is filled, possibly long before the visit; answers
    saved since then (by the previous visit's kernel) would be missing from the page. Voilà's
    ``wait_for_request`` returns when the kernel is given to a request; reloading then puts the
    latest answers on the page before or as the browser connects.
    """
    if not _preheated() or not session.saves:
        return

    def wait_then_reload() -> None:
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception:
            log.warning("waiting for the Voilà request failed", exc_info=True)
        session.reload()

    threading.Thread(target=wait_then_reload, name="peerkit-reload-on-visit", daemon=True).start()


class PathPage:
    """The widgets of one path page, sharing one :class:`PathSession`."""

    def __init__(
        self,
        path_id: str,
        *,
        folder: Path | str | None = None,
        learner: str | None = None,
        config: Config | None = None,
        session: PathSession | None = None,
    ) -> None:
        self.session = session or open_path(path_id, folder=folder, learner=learner, config=config)
        self.look = Look()
        self.widgets: list[Any] = []
        reload_when_visited(self.session)

    def _keep(self, widget: Any) -> Any:
        self.widgets.append(widget)
        return widget

    def banner(self) -> Any:
        """A notice when answers are not being saved (preview) or were recovered; empty otherwise."""
        text = self.session.notice
        tone: Tone = "warn" if not self.session.saves else "info"
        html = notice_box(text, tone) if text else ""
        return self._keep(self.look.html_widget(html))

    def reflection(self, answer_id: str, prompt: str = "", **options: Any) -> Reflection:
        """A free-text reflection saved as *answer_id* (see :class:`Reflection` for options)."""
        widget: Reflection = self._keep(Reflection(self.session, answer_id, prompt, look=self.look, **options))
        return widget

    def submit(self, **options: Any) -> SubmitPanel:
        """The Submit control for this path."""
        widget: SubmitPanel = self._keep(SubmitPanel(self.session, look=self.look, **options))
        return widget

    def close(self) -> None:
        """Close every widget of the page (ipywidgets keeps a global registry of live widgets)."""
        for widget in self.widgets:
            for child in getattr(widget, "children", ()):
                child.close()
            widget.close()
        self.widgets.clear()
        self.look.close()
