"""HTTP to the course's hub service (``peerkit service``), from a learner's Voilà kernel (standard library only).

Under JupyterHub the spawner hands each server ``PEERKIT_SERVICE_URL`` (see the deployment docs) and
the hub hands it ``JUPYTERHUB_API_TOKEN``; :meth:`ServiceClient.from_env` finds both. Without them the
learner's pages use the files exchange instead: same notebooks.

When the service answers 502, 503 or 504 (its database or a replica is restarting) or cannot be reached
(connection refused or reset, an answer cut off), requests are retried
with growing pauses for up to ``patience`` seconds, telling ``on_wait`` why, before giving up with
a :class:`~peerkit.core.errors.ServiceError` that says so.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from peerkit.core.errors import ServiceError

log = logging.getLogger(__name__)

URL_VARIABLE = "PEERKIT_SERVICE_URL"
RETRY_STATUSES = {502, 503, 504}

#: ``on_wait(message, seconds)``: told before each pause while the service is away.
WaitListener = Callable[[str, float], None]


class ServiceClient:
    """JSON over HTTP to the course's peerkit service, as the token's owner."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 10.0,
        patience: float = 30.0,
        on_wait: WaitListener | None = None,
    ) -> None:
        if urllib.parse.urlparse(url).scheme not in {"http", "https"}:
            raise ServiceError(f"the course service URL {url!r} is not http(s)")
        if not url.endswith("/"):
            url += "/"
        self.url = url
        self.token = token
        self.timeout = timeout
        self.patience = patience
        self.on_wait = on_wait

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **options: Any) -> ServiceClient | None:
        """The client configured for this server, or None outside JupyterHub."""
        environ = os.environ if env is None else env
        url = environ.get(URL_VARIABLE, "").strip()
        token = environ.get("JUPYTERHUB_API_TOKEN", "").strip()
        if not url or not token:
            return None
        return cls(url, token, **options)

    # -- requests ---------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, *, missing_ok: bool = False) -> Any:
        """Send one request; return the decoded JSON (None for a 404 when *missing_ok*)."""
        data = None if body is None else json.dumps(body).encode()
        deadline = time.monotonic() + self.patience
        pause = 0.25
        while True:
            req = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method)  # noqa: S310 - http(s) only
            req.add_header("Authorization", f"token {self.token}")
            req.add_header("Accept", "application/json")
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                reason = _reason(exc)
                if exc.code == 404 and missing_ok:
                    return None
                if exc.code not in RETRY_STATUSES:
                    raise ServiceError(f"the course service refused ({exc.code}): {reason}", status=exc.code) from None
                wait = _retry_after(exc, pause)
                problem = f"the course service is busy or restarting ({reason})"
            except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
                # refused, reset, or cut off mid-answer (a replica killed, a proxy restarting): the
                # request is sent again, which is safe: a draft save carries the version it was
                # based on, and the service recognises the replay of a save that went in.
                wait = pause
                problem = f"the course service cannot be reached ({getattr(exc, 'reason', exc)})"
            except ValueError as exc:
                raise ServiceError(f"the course service sent something that is not JSON: {exc}", status=0) from None
            if time.monotonic() + wait > deadline:
                raise ServiceError(f"{problem}; tried for {self.patience:.0f} s, try again later", status=503)
            if self.on_wait is not None:
                self.on_wait(f"{problem}; trying again in {wait:.0f} s", wait)
            log.info("%s; retrying in %.1f s", problem, wait)
            time.sleep(wait)
            pause = min(pause * 2, 4.0)

    def get(self, path: str, *, missing_ok: bool = False) -> Any:
        return self.request("GET", path, missing_ok=missing_ok)

    # -- the learner's documents ------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        return dict(self.get("api/whoami"))

    def round(self, path_id: str) -> bytes | None:
        """The learner's round manifest as JSON bytes (parse with peerkit.core.packets), or None."""
        return _dumped(self.get(f"api/paths/{_q(path_id)}/round", missing_ok=True))

    def packet(self, path_id: str, token: str) -> bytes | None:
        return _dumped(self.get(f"api/paths/{_q(path_id)}/packets/{_q(token)}", missing_ok=True))

    def feedback(self, path_id: str) -> dict[str, Any] | None:
        doc = self.get(f"api/paths/{_q(path_id)}/feedback", missing_ok=True)
        return doc if isinstance(doc, dict) else None

    def drafts(self, path_id: str) -> dict[str, dict[str, Any]]:
        """answer id -> {"answer": {...}, "version": n, "updated": time}."""
        doc = self.get(f"api/paths/{_q(path_id)}/drafts")
        return {d["answer_id"]: d for d in doc.get("drafts", []) if isinstance(d, dict) and "answer_id" in d}

    def save_draft(self, path_id: str, answer_id: str, answer: dict[str, Any], *, base: int | None) -> dict[str, Any]:
        """Save one draft; raises ServiceError(status=409) if another save came in after *base*."""
        return dict(
            self.request("PUT", f"api/paths/{_q(path_id)}/drafts/{_q(answer_id)}", {"answer": answer, "base": base})
        )


def _q(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def _dumped(doc: Any) -> bytes | None:
    return None if doc is None else json.dumps(doc).encode()


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        doc = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return exc.reason if isinstance(exc.reason, str) else str(exc.code)
    return str(doc.get("error") or exc.reason) if isinstance(doc, dict) else str(exc.reason)


def _retry_after(exc: urllib.error.HTTPError, default: float) -> float:
    try:
        return max(default, min(float(exc.headers.get("Retry-After", default)), 10.0))
    except (TypeError, ValueError):
        return default
