"""The browser every browser test and benchmark drives: Debian's chromium, never Playwright's own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A Voilà page's "load" comes once its notebook has run. Several pages visited in a row empty their
# kernel pools, which all refill at once: on a busy two-core machine a page then took over 30 s
# (Playwright's default) to load; the tests wait as long for a page's widgets.
WIDGETS_TIMEOUT_MS = 90_000
NAVIGATION_TIMEOUT_MS = WIDGETS_TIMEOUT_MS


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                where = message.location.get("url", "") if isinstance(message.location, dict) else ""
                self.errors.append(f"{message.text} ({where})" if where else message.text)
            elif message.type == "warning":  # the peerkit template already drops Voilà's known ones
                self.warnings.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _request_failed(self, request: Any) -> None:
        # Voilà's unload handler shuts the kernel down with navigator.sendBeacon; the browser
        # reports the beacon as aborted because the page is gone (the server does receive it,
        # which the tests check in the server log). A static file (a web font) still loading when
        # the test moves to the next page is cancelled the same way; a missing one is an HTTP error
        # (`_response`), and a server that is down fails differently (ERR_CONNECTION_REFUSED).
        aborted = "ERR_ABORTED" in str(request.failure)
        if aborted and ("/voila/api/shutdown/" in request.url or "/static/" in request.url):
            return
        self.errors.append(f"request failed: {request.url} {request.failure}")
