"""Preheated Voilà kernels run a notebook long before anyone visits: act when the visitor arrives."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from peerkit.config.settings import VISIT_KEY_VARIABLE
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
            wait_for_visit()
        except Exception:  # a failed wait must not break the page; refresh anyway
            log.warning("waiting for the Voilà request failed", exc_info=True)
        callback()

    threading.Thread(target=wait_then_call, daemon=True, name=name).start()


def visit_url(env: Mapping[str, str]) -> str:
    """Where this preheated kernel hears of its visitor: Voilà's ``/voila/query/<kernel id>`` (built from the
    variables Voilà gives its kernels, as ``voila.utils.wait_for_request`` builds it), with the key the server
    gave its kernels when ``peerkit serve`` runs it (its guard refuses the request without)."""
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    protocol, ip, port = (
        env.get("VOILA_WS_PROTOCOL", "ws"),
        env.get("VOILA_APP_IP", "127.0.0.1"),
        env.get("VOILA_APP_PORT"),
    )
    host = f"{protocol}://{ip}:{port or '8866'}"
    url = f"{host}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    key = env.get(VISIT_KEY_VARIABLE)
    return f"{url}?{urlencode({'key': key})}" if key else url


def wait_for_visit() -> None:
    """Wait until Voilà hands this preheated kernel to a visitor, then put the visit's request in the environment
    (``QUERY_STRING``, ``PATH_INFO``...), as ``voila.utils.wait_for_request`` does."""
    url, got = visit_url(os.environ), []

    def receive() -> None:
        # A loop of its own in a thread of its own, never made this thread's current loop (``asyncio.run`` here
        # left the calling thread without one, and the page's refresh after the visit then failed at times).
        loop = asyncio.new_event_loop()
        try:
            got.append(loop.run_until_complete(_request_info(url)))
        finally:
            loop.close()

    waiting = threading.Thread(target=receive, daemon=True, name="peerkit-visit")
    waiting.start()
    waiting.join()
    info = got[0] if got else None
    if info:
        for name, value in json.loads(info).items():
            os.environ[str(name)] = str(value)


async def _request_info(url: str) -> str | None:
    """The visit's request as Voilà sends it (its own client: ``voila.utils._get_request_info``, the one its
    ``wait_for_request`` uses, given the URL with the key)."""
    from voila.utils import _get_request_info

    message: Any = await _get_request_info(url)
    return message if isinstance(message, str) else None
