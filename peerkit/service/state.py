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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from peerkit.core.errors import ConfigError, PeerkitError
from peerkit.core.models import Course
from peerkit.nbgrader.build import CourseBuild
from peerkit.storage.sql import SqlStore


@dataclass
class ServiceState:
    store: SqlStore
    course: Course
    hub_auth: Any  # jupyterhub.services.auth.HubAuth (untyped)
    facilitator_group: str
    #: The course's nbgrader root and exchange, for the facilitator's steps (None: read-only service).
    build: CourseBuild | None = None
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
        from peerkit.review.channel import feedback_file, round_file

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
        from peerkit.review.channel import feedback_file, round_file

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
        from peerkit.review.round import round_status

        rows = []
        for path in self.course.reviewed_paths():
            status = round_status(self.store, path.id)
            rows.append(
                {
                    "path": path.id,
                    "title": path.title,
                    "submissions": len(self.store.submissions(path.id)),
                    "round_open": status.round is not None and status.round.closed_at is None,
                    "reviews_to_do": sum(s.to_do for s in status.learners),
                    "waiting_for_reviews": sum(1 for s in status.learners if s.waiting),
                }
            )
        return rows

    def round_status(self, path_id: str) -> Any:
        from peerkit.review.round import round_status

        return round_status(self.store, path_id)

    # -- facilitator steps --------------------------------------------------------------------------

    def facilitate(self, action: str, path_id: str, *, per_submission: int | None = None) -> dict[str, Any]:
        """Run one step of *path_id*'s round and return its report."""
        build = self.build
        if build is None:
            raise ConfigError("this service was started without the course's nbgrader root (--course-root)")
        with self.facilitating:
            return self._step(build, action, path_id, per_submission)

    def _step(self, build: CourseBuild, action: str, path_id: str, per_submission: int | None) -> dict[str, Any]:
        from peerkit.review.round import open_round

        course, store = self.course, self.store
        if action == "release":
            from peerkit.nbgrader.build import build_course

            results = build_course(build, paths=[path_id])
            return {"path": path_id, "released": [r.path_id for r in results if r.released]}
        if action == "collect":
            from peerkit.nbgrader.ingest import collect_and_ingest

            ingested = collect_and_ingest(build.config(), store, path_id)
            return {"summary": ingested.summary(), "report": ingested}
        if action == "open":
            opened = open_round(store, course, path_id, exchange_root=build.channel_root, per_submission=per_submission)
            return {"summary": opened.summary(), "report": opened}
        if action == "reviews":
            from peerkit.review.collect import collect_reviews

            reviews = collect_reviews(build.config(), store, course, path_id)
            return {"summary": reviews.summary(), "report": reviews}
        if action == "close":
            from peerkit.review.feedback import close_round

            closed = close_round(store, course, build, path_id)
            return {"summary": closed.table(), "report": closed}
        raise PeerkitError(f"unknown step {action!r}")


def _draft_ids(manifest: dict[str, Any], feedback: dict[str, Any]) -> set[str]:
    ids = {f"r-{t}" for t in manifest.get("packets", []) if isinstance(t, str)}
    if manifest.get("self"):
        ids.add("self")
    ids |= {f"h-{r['token']}" for r in feedback.get("reviews", []) if isinstance(r, dict) and "token" in r}
    return ids
