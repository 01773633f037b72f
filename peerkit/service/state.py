"""What the service's handlers share: the store, the course, its nbgrader build, the hub's auth.

The facilitator's steps (release, collect, open, reviews, close) drive nbgrader in-process, which is
not made for two runs at once: they take turns on one lock. Learners' requests (documents, drafts)
only touch the store and run side by side on the worker threads.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import text

from peerkit.config.workspace import Workspace
from peerkit.core.errors import ConfigError, PeerkitError
from peerkit.core.models import Course
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore


@dataclass
class ServiceState:
    store: SqlStore
    course: Course
    hub_auth: Any  # jupyterhub.services.auth.HubAuth (untyped)
    facilitator_group: str
    #: The Facilitator API on the course's nbgrader root and exchange, for the facilitator's steps
    #: (None: a read-only service).
    desk: Facilitator | None = None
    workers: int = 16
    executor: ThreadPoolExecutor = field(init=False)
    facilitating: threading.Lock = field(init=False, default_factory=threading.Lock)
    #: Seconds a learner's allowed draft ids are remembered (a withdrawn packet stays writable that long).
    draft_ids_ttl: float = 60.0
    _draft_ids: dict[tuple[str, str], tuple[float, set[str]]] = field(init=False, default_factory=dict)
    _path_loaded: dict[str, float] = field(init=False, default_factory=dict)
    _loading: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="peerkit-service")

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()

    def draft_ids(self, learner: str, path_id: str) -> set[str]:
        """The drafts *learner* may keep on *path_id*: a review of each packet delivered to them, their
        self-assessment, a rating of each review they received."""
        from peerkit.exchange.base import feedback_file, round_file

        docs = self.store.documents(learner, [round_file(path_id), feedback_file(path_id)])
        return _draft_ids(docs.get(round_file(path_id), {}), docs.get(feedback_file(path_id), {}))

    def may_draft(self, learner: str, path_id: str, answer_id: str) -> bool:
        """Whether *learner* may save draft *answer_id*. Remembered for a while (each entry for
        ``draft_ids_ttl`` seconds, jittered so that entries do not all expire together): a learner
        saves the same few drafts again and again as they type. Deliveries only add to what one may
        draft, so an id not remembered is looked up again before it is refused."""
        key = (learner, path_id)
        cached = self._draft_ids.get(key)
        if cached is None:
            self._load_path(path_id)
            cached = self._draft_ids.get(key)
        if cached is not None and time.monotonic() < cached[0] and answer_id in cached[1]:
            return True
        ids = self.draft_ids(learner, path_id)
        if len(self._draft_ids) > 200_000:
            self._draft_ids.clear()
            self._path_loaded.clear()
        self._draft_ids[key] = (self._expiry(), ids)
        return answer_id in ids

    def _load_path(self, path_id: str) -> None:
        """Load the draft grants of every learner on *path_id* in one query, at most once per TTL.
        A workshop's learners open the review app in the same minute: without this their first
        saves would queue behind hundreds of single lookups. Threads that arrive meanwhile wait for
        the load instead of starting their own."""
        from peerkit.exchange.base import feedback_file, round_file

        with self._loading:
            loaded = self._path_loaded.get(path_id)
            if loaded is not None and time.monotonic() - loaded < self.draft_ids_ttl:
                return
            self.store.remember_learners()
            names = {round_file(path_id): 0, feedback_file(path_id): 1}
            found: dict[str, list[dict[str, Any]]] = {}
            for learner, name, doc in self.store.documents_named(names):
                found.setdefault(learner, [{}, {}])[names[name]] = doc
            for learner, (manifest, feedback) in found.items():
                self._draft_ids[(learner, path_id)] = (self._expiry(), _draft_ids(manifest, feedback))
            self._path_loaded[path_id] = time.monotonic()

    def _expiry(self) -> float:
        return time.monotonic() + self.draft_ids_ttl * random.uniform(0.5, 1.5)  # noqa: S311 - jitter

    def store_reachable(self) -> bool:
        try:
            with self.store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False
        return True

    # -- facilitator views --------------------------------------------------------------------------

    def overview(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self._desk(read_only=True).overview()]

    def round_status(self, path_id: str) -> Any:
        return self._desk(read_only=True).round_status(path_id=path_id)

    def _desk(self, *, read_only: bool = False) -> Facilitator:
        """The Facilitator API; a read-only service answers questions from the store alone."""
        if self.desk is not None:
            return self.desk
        if not read_only:
            raise ConfigError("this service was started without the course's nbgrader root (--course-root)")
        return Facilitator(store=self.store, workspace=Workspace.at("."), course=self.course)

    # -- facilitator steps --------------------------------------------------------------------------

    def facilitate(self, action: str, path_id: str, *, per_submission: int | None = None) -> dict[str, Any]:
        """Run one step of *path_id*'s round and return its report."""
        desk = self._desk()
        with self.facilitating:
            return _step(desk, action, path_id, per_submission)


def _step(desk: Facilitator, action: str, path_id: str, per_submission: int | None) -> dict[str, Any]:
    if action == "release":
        built = desk.release(path_id=path_id)
        return {"path": path_id, "released": [r.path_id for r in built.paths if r.released]}
    if action == "collect":
        ingested = desk.collect(path_id=path_id).ingested
        assert ingested is not None  # noqa: S101 - collect ingests unless told not to
        return {"summary": ingested.summary(), "report": ingested}
    if action == "open":
        opened = desk.open_round(path_id=path_id, per_submission=per_submission, collect=False).opened
        return {"summary": opened.summary(), "report": opened}
    if action == "reviews":
        reviews = desk.collect_reviews(path_id=path_id)
        return {"summary": reviews.summary(), "report": reviews}
    if action == "close":
        closed = desk.close_round(path_id=path_id, collect=False).closed
        return {"summary": closed.table(), "report": closed}
    raise PeerkitError(f"unknown step {action!r}")


def _draft_ids(manifest: dict[str, Any], feedback: dict[str, Any]) -> set[str]:
    ids = {f"r-{t}" for t in manifest.get("packets", []) if isinstance(t, str)}
    if manifest.get("self"):
        ids.add("self")
    ids |= {f"h-{r['token']}" for r in feedback.get("reviews", []) if isinstance(r, dict) and "token" in r}
    return ids
