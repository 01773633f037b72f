"""What every endpoint of the service's HTTP API shares: the caller's token checked with the hub,
answers and errors in JSON, and where each request's time went. The endpoints themselves:
:mod:`peerkit.service.learners`, :mod:`peerkit.service.facilitators` and :mod:`peerkit.service.probes`;
their URLs: :mod:`peerkit.service.routes`.

Every request carries the caller's hub token. Reads trust the hub's answer about it for
``auth_cache`` seconds (``PeerkitConfig.auth_cache``, 30 by default); every write (PUT, POST: drafts,
activity, the facilitator's steps) asks the hub again, so a revoked token writes nothing more. A draft
save whose token the hub vouched for within ``auth_cache`` seconds asks while its transaction runs and
commits only on the hub's fresh yes (:mod:`peerkit.service.tokens`); other writes ask first.

Every answer says where its time went in a ``Server-Timing`` header (``hub``: the hub's token check,
``queue``: waiting for a worker thread, ``db``: the store's work, ``wait``: a transaction waiting for
the hub's answer after its own work, ``app``: the whole request), for browsers' network panels and
the service benchmark.

Errors are JSON ``{"status": 4xx, "error": "why"}``; a broken request never gets a 500 or a
traceback. A body is read as it arrives and never kept past :data:`MAX_BODY_BYTES`: one over it is
answered 413, however large (the HTTP server cuts off only past
:data:`peerkit.service.app.MAX_STREAM_BYTES`); a field an endpoint does not take is refused by name, and
an id in the URL is quoted back at most :data:`MAX_ID_SHOWN` characters long. When the store is
unreachable (PostgreSQL restarting) the answer is 503 with ``Retry-After``: nothing was written, and
clients retry.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from tornado import web
from tornado.ioloop import IOLoop

from peerkit.core.errors import (
    AllocationError,
    Conflict,
    IdentityError,
    NotFound,
    PeerkitError,
    ServiceError,
    StorageError,
    Unavailable,
    ValidationError,
    WorkflowError,
    shown,
)
from peerkit.core.models import LearningPath
from peerkit.service.auth import Caller, caller_from_model
from peerkit.service.state import ServiceState

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The largest request body an endpoint takes: a draft is one review, rubric choices and comments
#: (answers.py caps each text); activity is at most 200 small events.
MAX_BODY_BYTES = 256 * 1024
#: An id in the URL (a path, a packet token, a draft id) is quoted back in an error at most this long.
MAX_ID_SHOWN = 60
RETRY_AFTER = 2
#: Requests that change nothing: the only ones answered on the hub's cached word about a token.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Seconds a transaction waits for the hub's answer about its writer's token before giving up.
CONFIRM_TIMEOUT = 30.0


class ApiError(web.HTTPError):
    """An HTTP error whose reason is safe to show to the caller."""

    def __init__(self, status: int, reason: str, *, retry_after: int | None = None) -> None:
        super().__init__(status, log_message=reason)
        self.reason_text = reason
        self.retry_after = retry_after


def jsonable(value: Any) -> Any:
    """Reports and records as JSON: dataclasses as objects, datetimes as ISO 8601, durations as
    seconds, paths as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    return value


def error_for(exc: PeerkitError) -> ApiError:
    """The HTTP answer to a peerkit error: a 4xx that says why, 503 when the store is away."""
    message = str(exc)
    if isinstance(exc, Unavailable):
        return ApiError(
            503,
            "the course database is unavailable for a moment; nothing was saved, try again",
            retry_after=RETRY_AFTER,
        )
    if isinstance(exc, ServiceError):
        return ApiError(exc.status or 502, message)
    if isinstance(exc, ValidationError | IdentityError):
        return ApiError(400, message)
    if isinstance(exc, NotFound):
        return ApiError(404, message)
    if isinstance(exc, Conflict | WorkflowError | AllocationError):
        return ApiError(409, message)
    if isinstance(exc, StorageError):
        return ApiError(500, "the course database failed; the facilitator can find details in the service log")
    return ApiError(400, message)


@web.stream_request_body
class ApiHandler(web.RequestHandler):
    """Authenticates every request through the hub and answers in JSON. The body is taken as it
    arrives (:meth:`data_received`) and kept only up to :data:`MAX_BODY_BYTES`."""

    state: ServiceState
    caller: Caller
    #: A write that may start its database work on the hub's recent word about its token, asking the
    #: hub meanwhile; it must await :meth:`confirm` (in its transaction) before anything is committed.
    overlaps_check: ClassVar[bool] = False

    def initialize(self, state: ServiceState) -> None:
        self.state = state
        self.started = time.perf_counter()
        self.timing: dict[str, float] = {}
        self.check: asyncio.Task[Caller] | None = None
        self.released = False
        self.chunks: list[bytes] = []
        self.received = 0

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def check_xsrf_cookie(self) -> None:
        """Only ``Authorization`` header tokens are accepted, never cookies: no cross-site risk."""

    @property
    def writes(self) -> bool:
        """Whether this request may change something (every method but GET, HEAD and OPTIONS)."""
        return self.request.method not in READ_METHODS

    def data_received(self, chunk: bytes) -> None:
        """A piece of the body: kept while the body is within :data:`MAX_BODY_BYTES`, else dropped
        (:meth:`json_body` refuses it), so that a client gets its 413 without the service holding
        what it sent."""
        self.received += len(chunk)
        if self.received > MAX_BODY_BYTES:
            self.chunks.clear()
        else:
            self.chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """The request body (:meth:`json_body` refuses one over :data:`MAX_BODY_BYTES`)."""
        return b"".join(self.chunks)

    async def prepare(self) -> None:
        token = self.state.hub_auth.get_token(self, in_cookie=False)
        if not token:
            raise ApiError(401, "send your JupyterHub API token in the Authorization header (token <value>)")
        # A write started before the hub answers holds a worker thread and a database connection until
        # it does: when the hub is slow, that many writes waiting would starve every other request, so
        # past half the workers a write asks the hub first again.
        if self.writes and self.overlaps_check and self.state.overlapping < self.state.workers // 2:
            presumed = self.state.callers.recent(token)
            if presumed is not None:  # start now as that caller; the hub's fresh answer decides the commit
                self.caller = presumed
                self.state.overlapping += 1
                self.check = asyncio.ensure_future(self.ask_hub(token, use_cache=False))
                return
        # Reads may trust the hub's cached answer (``auth_cache`` seconds); a write asks the hub
        # again, so a revoked token or a facilitator removed from the group writes nothing more.
        self.caller = await self.ask_hub(token, use_cache=not self.writes)

    async def ask_hub(self, token: str, *, use_cache: bool) -> Caller:
        """Who the hub says owns *token* (refused: 401, 403, or 502 when the hub cannot say)."""
        auth = self.state.hub_auth
        started = time.perf_counter()
        try:
            model = await auth.user_for_token(token, use_cache=use_cache, sync=False)
        except web.HTTPError as exc:
            log.warning("token check with the hub failed: %s", exc)
            raise ApiError(
                502, "the hub could not check your token right now; try again", retry_after=RETRY_AFTER
            ) from None
        finally:
            self.timing["hub"] = time.perf_counter() - started
        if not model:
            self.state.callers.remember(token, None)
            raise ApiError(401, "the hub does not know this token (expired or revoked?)")
        if auth.access_scopes and not auth.check_scopes(auth.access_scopes, model):
            self.state.callers.remember(token, None)
            wanted = ", ".join(sorted(auth.access_scopes))
            raise ApiError(403, f"this token lacks the scope to use the service ({wanted})")
        caller = caller_from_model(model, group=self.state.facilitator_group)
        if not use_cache:  # the hub's word just now (a cached answer would not renew how recent it is)
            self.state.callers.remember(token, caller)
        return caller

    async def confirm(self) -> None:
        """For a write begun on the hub's recent word about its token: the hub's fresh answer, which
        must name the same caller (else 401 or 403, and the write must not commit)."""
        if self.check is None:
            return
        fresh = await self.check
        if (fresh.name, fresh.kind) != (self.caller.name, self.caller.kind):
            raise ApiError(401, "the hub's answer about this token changed; nothing was saved, try again")

    def confirm_in_worker(self) -> Callable[[], None]:
        """:meth:`confirm`, for a worker thread about to commit: blocks it until the hub has answered."""
        loop = asyncio.get_running_loop()

        def wait() -> None:
            if self.check is None:
                return
            started = time.perf_counter()
            try:
                asyncio.run_coroutine_threadsafe(self.confirm(), loop).result(timeout=CONFIRM_TIMEOUT)
            except concurrent.futures.TimeoutError:
                raise ApiError(
                    502, "the hub could not check your token right now; nothing was saved, try again"
                ) from None
            finally:
                self.timing["wait"] = time.perf_counter() - started

        return wait

    @contextlib.asynccontextmanager
    async def confirmed(self) -> AsyncIterator[None]:
        """Answer a write only after the hub's fresh word about its token: a token refused meanwhile
        gets that refusal (401, 403), whatever else became of the request."""
        try:
            yield
        except Exception:
            await self.confirm()
            raise
        finally:
            self.release()
        await self.confirm()

    def on_finish(self) -> None:
        """A check left behind by a request that ended before its write (a 405, say) is not awaited."""
        self.release()
        if self.check is not None and not self.check.done():
            self.check.cancel()

    def release(self) -> None:
        """This request no longer counts among the writes waiting for the hub in a transaction."""
        if self.check is not None and not self.released:
            self.released = True
            self.state.overlapping -= 1

    def server_timing(self) -> None:
        self.timing["app"] = time.perf_counter() - self.started
        self.set_header("Server-Timing", ", ".join(f"{k};dur={v * 1000:.1f}" for k, v in self.timing.items()))

    def write_json(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.server_timing()
        self.finish(json.dumps(jsonable(value), ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            reason = exc.reason_text
            if exc.retry_after is not None:
                self.set_header("Retry-After", str(exc.retry_after))
        elif isinstance(exc, web.HTTPError) and status_code < 500:
            reason = exc.log_message or self._reason
        elif status_code >= 500:
            reason = "the service failed; the facilitator can find details in the service log"
        else:
            reason = self._reason
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.server_timing()
        self.finish(json.dumps({"status": status_code, "error": reason}))

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking store or nbgrader work on the service's worker threads."""
        queued = time.perf_counter()

        def run() -> T:
            started = time.perf_counter()
            self.timing["queue"] = self.timing.get("queue", 0.0) + started - queued
            try:
                return fn(*args, **kwargs)
            finally:  # the store's own work: a transaction's wait for the hub is counted apart
                spent = time.perf_counter() - started - self.timing.get("wait", 0.0)
                self.timing["db"] = self.timing.get("db", 0.0) + spent

        try:
            return await IOLoop.current().run_in_executor(self.state.executor, run)
        except PeerkitError as exc:
            raise error_for(exc) from exc

    def json_body(self, *fields: str) -> dict[str, Any]:
        """The body as a JSON object holding only *fields* (any of them may be left out); anything else,
        a body over :data:`MAX_BODY_BYTES`, not JSON or nested too deep is refused with a 4xx that says so."""
        if self.received > MAX_BODY_BYTES:  # read to its end, and dropped: a client that sends all of
            # its body before it reads the answer (browsers, urllib) gets to read this one
            raise ApiError(
                413, f"the request body is over {MAX_BODY_BYTES // 1024} KiB: send one draft or fewer events"
            )
        try:
            doc = json.loads(self.body or b"{}")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested thousands deep
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(doc, dict):
            raise ApiError(400, "the request body must be a JSON object")
        unknown = sorted(str(key) for key in doc if key not in fields)
        if unknown:
            taken = ", ".join(f"'{f}'" for f in fields) if fields else "no fields (an empty body or {})"
            raise ApiError(
                400, f"the request body holds {', '.join(shown(k, 40) for k in unknown[:3])}: send only {taken}"
            )
        return doc

    def reviewed_path(self, path_id: str) -> LearningPath:
        for path in self.state.course.reviewed_paths():
            if path.id == path_id:
                return path
        raise ApiError(404, f"this course has no peer-reviewed path {shown(path_id, MAX_ID_SHOWN)}")


class NotFoundHandler(web.RequestHandler):
    """Any other URL: a JSON 404 (without asking the hub first)."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def prepare(self) -> None:
        raise web.HTTPError(404)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(json.dumps({"status": status_code, "error": "no such endpoint"}))


class WhoAmIHandler(ApiHandler):
    """``api/whoami``: who the hub says owns the token, for learners and facilitators alike."""

    async def get(self) -> None:
        self.write_json(
            {
                "name": self.caller.name,
                "kind": self.caller.kind,
                "facilitator": self.caller.facilitator,
                "course": self.state.course.id,
            }
        )
