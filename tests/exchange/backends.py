"""Every exchange backend, set up for the contract suite: its course side, and a learner side per learner.

``files`` runs on temporary folders. ``hub`` runs the real course service (``peerkit.service``'s
tornado application and handlers, over HTTP on localhost) in a thread, on an SQLite store; only the
hub's token check is stood in for (a token maps to a hub user), so it runs without JupyterHub. The
``hub-real`` case of the suite (marked ``hub``) reaches the same service through a real JupyterHub.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from peerkit.core.models import Course
from peerkit.core.review import channel_key
from peerkit.exchange.base import CourseExchange, LearnerExchange
from peerkit.exchange.files import FilesCourseExchange, FilesLearnerExchange
from peerkit.exchange.registry import backend
from peerkit.storage.sql import SqlStore
from tests.ports import free_port

PATH = "essay"


class Setup(Protocol):
    name: str
    course: CourseExchange
    store: SqlStore

    def learner(self, name: str) -> LearnerExchange: ...

    def key(self, name: str) -> str | None: ...


@dataclass
class FilesSetup:
    """The files backend on temporary folders; each learner has submitted once (a secret in their cache)."""

    root: Path
    course_id: str
    store: SqlStore
    name: str = "files"
    secrets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.course: CourseExchange = FilesCourseExchange(self.course_id, self.root / "exchange", self.store)
        self.course.prepare()

    def cache(self, learner: str) -> Path:
        return self.root / "cache" / learner

    def key(self, name: str) -> str | None:
        if name not in self.secrets:
            secret = hashlib.sha256(name.encode()).hexdigest() * 2  # nbgrader's: 128 hex digits
            folder = self.cache(name) / self.course_id / f"{name}+{PATH}+2026-11-22 10:00:00.000000 UTC"
            folder.mkdir(parents=True)
            (folder / "submission_secret.txt").write_text(secret)
            self.secrets[name] = secret
        return channel_key(PATH, self.secrets[name])

    def learner(self, name: str) -> LearnerExchange:
        self.key(name)
        return FilesLearnerExchange(name, self.course_id, self.root / "exchange", self.cache(name))


class StubHubAuth:
    """Stands in for jupyterhub's HubAuth: each token belongs to one hub user. Like the real one, it
    remembers each answer and gives it again while asked with ``use_cache`` (a revoked token's old
    answer stays in the cache); ``checks`` lists every call as (token, use_cache)."""

    def __init__(self) -> None:
        self.access_scopes: set[str] = set()
        self.users: dict[str, str] = {}
        self.cache: dict[str, dict[str, Any] | None] = {}
        self.checks: list[tuple[str, bool]] = []

    def get_token(self, handler: Any, in_cookie: bool = True) -> str | None:
        header = handler.request.headers.get("Authorization", "")
        return header[len("token ") :] if header.startswith("token ") else None

    async def user_for_token(self, token: str, use_cache: bool = True, sync: bool = True) -> dict[str, Any] | None:
        self.checks.append((token, use_cache))
        if use_cache and token in self.cache:
            return self.cache[token]
        name = self.users.get(token)
        model = None if name is None else {"name": name, "kind": "user", "groups": [], "scopes": []}
        if use_cache:
            self.cache[token] = model
        return model

    def check_scopes(self, scopes: Any, model: Any) -> bool:
        return True


@dataclass
class HubSetup:
    """The hub backend against the course service in a thread of this process."""

    root: Path
    course: Any
    store: SqlStore
    definition: Course
    url: str
    auth: StubHubAuth
    name: str = "hub"

    def key(self, name: str) -> str | None:
        return None

    def learner(self, name: str) -> LearnerExchange:
        token = f"token-of-{name}"
        self.auth.users[token] = name
        return backend("hub").learner(
            learner=name,
            course_id=self.definition.id,
            exchange_root=self.root / "exchange",
            cache_dir=None,
            service_url=self.url,
            token=token,
        )


def running_service(definition: Course, store: SqlStore, auth: StubHubAuth) -> Iterator[str]:
    """Serve the course service on a free port until the generator is closed; yield its URL."""
    from peerkit.service.app import SERVER_OPTIONS, make_app
    from peerkit.service.state import ServiceState

    state = ServiceState(store=store, course=definition, hub_auth=auth, facilitator_group=f"formgrade-{definition.id}")
    port = free_port()
    prefix = "/services/peerkit/"
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = make_app(state, prefix).listen(port, address="127.0.0.1", **SERVER_OPTIONS)  # as in production
        started.set()
        loop.run_forever()
        server.stop()

    thread = threading.Thread(target=serve, name="peerkit-test-service", daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        state.executor.shutdown(wait=False, cancel_futures=True)
