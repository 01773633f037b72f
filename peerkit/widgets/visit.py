"""Preheated Voilà kernels run a notebook long before anyone visits: act when the visitor arrives."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from peerkit.widgets import resync

log = logging.getLogger(__name__)


def preheated() -> bool:
    return os.environ.get("VOILA_PREHEAT") == "True"


def when_visited(callback: Callable[[], None], *, name: str) -> None:
    """In a preheated kernel, call *callback* (in a thread) once Voilà hands the kernel to a visitor.

    The callback must update existing widgets in place: the browser is loading the page's widgets
    while it runs, and must never be referred to a widget it has not received.
    """
    if not preheated():
        return
    resync.install()  # the callback changes widgets while the visitor's page may be loading them

    def wait_then_call() -> None:
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception:  # a failed wait must not break the page; refresh anyway
            log.warning("waiting for the Voilà request failed", exc_info=True)
        callback()

    threading.Thread(target=wait_then_call, daemon=True, name=name).start()
