"""The service's tornado application and its process (``peerkit service``).

Run by JupyterHub as a managed service, it finds everything the hub hands a service in the
environment: where to listen (``JUPYTERHUB_SERVICE_URL``), its URL prefix
(``JUPYTERHUB_SERVICE_PREFIX``), its own API token and the hub's API (read by jupyterhub's
``HubAuth``). The course, its nbgrader root and the store come from ``peerkit service`` options.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tornado import web

from peerkit.config.settings import AUTH_CACHE_SECONDS
from peerkit.core.errors import ConfigError
from peerkit.service.api import NotFoundHandler
from peerkit.service.routes import routes
from peerkit.service.state import ServiceState

log = logging.getLogger(__name__)

#: Bodies larger than this are cut off by the HTTP server (the connection closed, no answer). Each
#: endpoint takes far less (:data:`peerkit.service.api.MAX_BODY_BYTES`) and answers a body over that
#: with a JSON 413, reading the rest without keeping it: up to here, so that a client which sends its
#: whole body before it reads the answer (browsers, urllib) gets to read the 413.
MAX_STREAM_BYTES = 64 * 1024 * 1024
#: How the HTTP server listens (``peerkit service``, and the tests' service).
SERVER_OPTIONS: dict[str, Any] = {"max_body_size": MAX_STREAM_BYTES, "xheaders": True}


@dataclass(frozen=True, slots=True)
class Listen:
    host: str
    port: int
    prefix: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Listen:
        """Where the hub told this service to listen, and under which prefix."""
        environ = dict(os.environ if env is None else env)
        url = environ.get("JUPYTERHUB_SERVICE_URL", "")
        if not url:
            raise ConfigError(
                "JUPYTERHUB_SERVICE_URL is not set: run peerkit service as a JupyterHub service "
                "(c.JupyterHub.services with a url and a command)"
            )
        parsed = urlparse(url)
        if parsed.hostname is None or parsed.port is None:
            raise ConfigError(f"JUPYTERHUB_SERVICE_URL {url!r} has no host and port")
        prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/peerkit/")
        if not prefix.endswith("/"):
            prefix += "/"
        return cls(host=parsed.hostname, port=parsed.port, prefix=prefix)


def make_hub_auth(*, cache_max_age: int = AUTH_CACHE_SECONDS) -> object:
    """jupyterhub's token checker, configured from the service's environment. Its cache serves reads
    only: every write asks the hub again (:meth:`~peerkit.service.api.ApiHandler.prepare`)."""
    from jupyterhub.services.auth import HubAuth

    # Tokens only in the Authorization header: never in URLs (logs, referrers) or cookies.
    return HubAuth(cache_max_age=cache_max_age, allow_token_in_url=False)


def make_app(state: ServiceState, prefix: str) -> web.Application:
    return web.Application(
        routes(prefix, state),
        default_handler_class=NotFoundHandler,
        serve_traceback=False,
        compress_response=True,
    )


async def serve(state: ServiceState, listen: Listen, *, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM or SIGINT (the hub stops its services with SIGTERM)."""
    app = make_app(state, listen.prefix)
    server = app.listen(listen.port, address=listen.host, **SERVER_OPTIONS)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(signum, stop.set)
    log.warning("peerkit service for %s on http://%s:%d%s", state.course.id, listen.host, listen.port, listen.prefix)
    steward = asyncio.create_task(keep_rolling(state, steward_interval())) if state.desk is not None else None
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        if steward is not None:
            steward.cancel()
        server.stop()
        await server.close_all_connections()
        state.close()


def steward_interval(env: dict[str, str] | None = None) -> float:
    """Seconds between two looks of rolling review (``PEERKIT_STEWARD_INTERVAL``, default 5)."""
    value = (env if env is not None else dict(os.environ)).get("PEERKIT_STEWARD_INTERVAL", "5")
    try:
        return max(0.5, float(value))
    except ValueError:
        raise ConfigError(f"PEERKIT_STEWARD_INTERVAL: expected seconds, not {value!r}") from None


async def keep_rolling(state: ServiceState, interval: float) -> None:
    """Rolling review's steward inside the service: a look every *interval* seconds, in the worker
    pool (nbgrader and the store block); a failing look is logged and the next one comes."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        try:
            for line in await loop.run_in_executor(state.executor, state.steward):
                log.warning("rolling review: %s", line)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("rolling review's look failed; trying again in %s s", interval)


def run(
    *,
    course_file: Path | None,
    store_url: str | None,
    course_root: Path | None,
    exchange_root: Path | None,
    group: str | None,
    auth_cache: int | None,
    workers: int,
) -> None:
    """``peerkit service``: open the store and the course, then serve."""
    from peerkit.config.settings import PeerkitConfig
    from peerkit.facilitator.api import Facilitator
    from peerkit.service.auth import facilitator_group
    from peerkit.storage.sql import SqlStore

    listen = Listen.from_env()
    # The service is the hub exchange: packets and feedback go to the store, not to files.
    config = PeerkitConfig.load(
        course_file=course_file,
        db_url=store_url,
        course_root=course_root,
        exchange=exchange_root,
        exchange_backend="hub",
        facilitator_group=group,
        auth_cache=auth_cache,
    )
    if not config.db_url:
        raise ConfigError("the service needs the store it shares with the facilitator: --db or PEERKIT_DB")
    if config.course_root is not None and config.exchange is None:
        raise ConfigError("--course-root needs --exchange (the nbgrader exchange root) too")
    desk = Facilitator.open(config, store=SqlStore.open(config.db_url, pool_size=workers))
    course = desk.course
    state = ServiceState(
        store=desk.store,
        course=course,
        hub_auth=make_hub_auth(cache_max_age=config.auth_cache),
        facilitator_group=config.facilitator_group or facilitator_group(course.id),
        desk=desk if config.course_root is not None else None,
        workers=workers,
        caller_memory=config.auth_cache,
    )
    asyncio.run(serve(state, listen))
