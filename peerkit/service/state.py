"""What the service's handlers share: the store, the course, its nbgrader build, the hub's auth.

Any number of service processes (replicas behind the hub's proxy or a load balancer) share one
store, and nothing held in one process decides what is correct:

- The facilitator's steps (release, collect, open, reviews, close) take a store-wide lock per course
  and path (:func:`peerkit.storage.locks.exclusive`: a PostgreSQL advisory lock, released by the
  server if the replica dies); a second request for a step of that path while one runs, on any
  replica, gets 409.
- Learners' writes are single idempotent statements: a draft save is an upsert guarded by the
  version the writer saw (a replay of a save that went in is recognised, see
  :meth:`ServiceState.save_draft`), activity events are kept once by their unique id, learners' rows
  once by their unique name.
- What a process remembers is a cache whose staleness is harmless: the drafts a learner may keep
  (deliveries only add to them, and an id the cache lacks is looked up again before it is refused;
  a withdrawn packet stays writable for at most ``draft_ids_ttl`` seconds, and a draft only ever
  reaches a grade through the learner's submitted review), and learners' row ids (never renamed
  or removed). The ``_loading`` lock only spares one process from loading the same path twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from sqlalchemy import text

from peerkit.config.workspace import Workspace
from peerkit.core.errors import ConfigError, Conflict, ValidationError
from peerkit.core.models import Course
from peerkit.core.review import Draft
from peerkit.core.store import SubmissionRow
from peerkit.facilitator.api import Facilitator
from peerkit.facilitator.results import Grades
from peerkit.review.drafts import allowed_drafts, draft_documents
from peerkit.review.round import RoundStatus
from peerkit.service.tokens import RecentCallers
from peerkit.storage.engine import schema_status
from peerkit.storage.sql import SqlStore

#: The facilitator's steps of a round, in order (:meth:`ServiceState.facilitate`).
STEPS: Final = ("release", "collect", "open", "reviews", "close")


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
    #: nbgrader runs in this process and is not made for two runs at once in one process (its
    #: applications are process-wide singletons): steps of different paths take turns here. Across
    #: processes, the store's lock (:meth:`facilitate`) is what keeps a step from running twice.
    _in_process: threading.Lock = field(init=False, default_factory=threading.Lock)
    #: Seconds a learner's allowed draft ids are remembered (a withdrawn packet stays writable that long).
    draft_ids_ttl: float = 60.0
    _draft_ids: dict[tuple[str, str], tuple[float, frozenset[str]]] = field(init=False, default_factory=dict)
    _path_loaded: dict[str, float] = field(init=False, default_factory=dict)
    _loading: threading.Lock = field(init=False, default_factory=threading.Lock)
    #: Seconds the hub's answer about a token lets a write start before the hub's fresh answer
    #: (``auth_cache``; see :mod:`peerkit.service.tokens`).
    caller_memory: float = 30.0
    callers: RecentCallers = field(init=False)
    #: Writes now in a transaction begun before the hub's answer about their token (event loop only).
    overlapping: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="peerkit-service")
        self.callers = RecentCallers(self.caller_memory)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()

    def draft_ids(self, learner: str, path_id: str) -> frozenset[str]:
        """The drafts *learner* may keep on *path_id* (the rule: :func:`peerkit.review.drafts.allowed_drafts`)."""
        manifest, feedback = draft_documents(path_id)
        docs = self.store.documents(learner, [manifest, feedback])
        return allowed_drafts(docs.get(manifest, {}), docs.get(feedback, {}))

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
        with self._loading:
            loaded = self._path_loaded.get(path_id)
            if loaded is not None and time.monotonic() - loaded < self.draft_ids_ttl:
                return
            self.store.remember_learners()
            names = {name: n for n, name in enumerate(draft_documents(path_id))}
            found: dict[str, list[dict[str, Any]]] = {}
            for learner, name, doc in self.store.documents_named(names):
                found.setdefault(learner, [{}, {}])[names[name]] = doc
            for learner, (manifest, feedback) in found.items():
                self._draft_ids[(learner, path_id)] = (self._expiry(), allowed_drafts(manifest, feedback))
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

    def readiness(self) -> dict[str, bool | str]:
        """Whether this replica can serve: the store answers and its schema is at this peerkit's
        newest migration (a replica of a newer or older peerkit must not take traffic). When not,
        ``reason`` says why and what fixes it (both revisions; never the store's address)."""
        try:
            status = schema_status(self.store.engine)
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            reachable = self.store_reachable()
            why = "the store's schema revision could not be read" if reachable else "the store does not answer"
            return {"database": reachable, "migrations": False, "reason": why}
        if status.verdict != "up to date":
            return {"database": True, "migrations": False, "reason": status.reason()}
        return {"database": True, "migrations": True}

    def save_draft(
        self,
        learner: str,
        path_id: str,
        answer_id: str,
        answer: dict[str, Any],
        *,
        base: int | None,
        before_commit: Callable[[], None] | None = None,
    ) -> Draft:
        """Save a draft. A client that lost the answer to a save (a replica killed after the commit,
        a reset connection) sends it again with the same *base*; that replay finds its own save
        already in (version ``base + 1``, the same answer) and gets it back instead of a conflict.
        *before_commit* runs inside the save's transaction (see :meth:`SqlStore.save_draft`)."""
        try:
            return self.store.save_draft(learner, path_id, answer_id, answer, base=base, before_commit=before_commit)
        except Conflict:
            if base is None:
                raise
            for draft in self.store.drafts(learner, path_id):
                if draft.answer_id == answer_id and draft.version == base + 1 and draft.answer == answer:
                    return draft
            raise

    # -- facilitator views --------------------------------------------------------------------------

    def overview(self) -> list[dict[str, Any]]:
        return [asdict(row) for row in self._desk(read_only=True).overview()]

    def round_status(self, path_id: str) -> RoundStatus:
        return self._desk(read_only=True).round_status(path_id=path_id)

    def submissions(self, path_id: str) -> list[SubmissionRow]:
        """Who submitted *path_id*, as ``peerkit submissions`` shows it (status, blanks, lateness)."""
        return self._desk(read_only=True).submissions(path_ids=[path_id])

    def grades(self, path_id: str) -> Grades:
        return self._desk(read_only=True).grades(path_id=path_id)

    def _desk(self, *, read_only: bool = False) -> Facilitator:
        """The Facilitator API; a read-only service answers questions from the store alone."""
        if self.desk is not None:
            return self.desk
        if not read_only:
            raise ConfigError("this service was started without the course's nbgrader root (--course-root)")
        return Facilitator(store=self.store, workspace=Workspace.at("."), course=self.course)

    # -- facilitator steps --------------------------------------------------------------------------

    def facilitate(self, action: str, path_id: str, *, per_submission: int | None = None) -> dict[str, Any]:
        """Run one step of *path_id*'s round (one of :data:`STEPS`) and return its report."""
        if action not in STEPS:
            raise ValidationError(f"unknown step {action!r}; use one of {', '.join(STEPS)}", field="action")
        desk = self._desk()
        with self._in_process, desk.step(path_id, wait=0):  # one step of a path at a time; busy: 409 at once
            return _step(desk, action, path_id, per_submission)

    def steward(self) -> list[str]:
        """One look of rolling review at every rolling path (the periodic step of every replica): each
        path under the same store-wide lock as the facilitator's steps, so two replicas never take the
        same submission in twice; a path another replica is on is skipped this time. Returns the
        summaries of the paths where something happened."""
        if self.desk is None:
            return []
        with self._in_process:  # each path under its store-wide step lock; a busy path waits for the next look
            result = self.desk.steward()
        return [r.summary() for r in result.reports if r.changed]


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
    raise ValidationError(f"unknown step {action!r}; use one of {', '.join(STEPS)}", field="action")
