"""Activity records sent to the course's hub service (the hub backend's learner side)."""

from __future__ import annotations

import json
import logging
import queue
import threading

from peerkit.core.activity import ActivityEvent, event_line, new_event
from peerkit.exchange.hub.client import ServiceClient

log = logging.getLogger(__name__)


class ServiceActivityLog:
    """Sends *learner*'s events to the course's hub service (JupyterHub, where learners share one Unix
    user and a file of one's own cannot be told from a forged one). Sent on a background thread, a
    few at a time; a service that is away loses nothing the page needs, and is warned about once."""

    def __init__(self, client: ServiceClient, learner: str) -> None:
        self.client = client
        self.learner = learner
        self._queue: queue.Queue[ActivityEvent] = queue.Queue(maxsize=1000)
        self._thread: threading.Thread | None = None
        self._warned = False

    def record(self, event: str, path_id: str, detail: str = "") -> None:
        try:
            self._queue.put_nowait(new_event(self.learner, event, path_id, detail))
            if self._thread is None:
                self._thread = threading.Thread(target=self._send, name="peerkit-activity", daemon=True)
                self._thread.start()
        except Exception as exc:  # noqa: BLE001 - the learner's page carries on
            self._warn(exc)

    def _send(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < 50 and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                self.client.request("POST", "api/activity", {"events": [json.loads(event_line(e)) for e in batch]})
            except Exception as exc:  # noqa: BLE001 - see record
                self._warn(exc)
            finally:
                for _ in batch:
                    self._queue.task_done()

    def flush(self) -> None:
        """Wait until every recorded event was sent (or given up on): for tests and shutdown."""
        self._queue.join()

    def _warn(self, exc: BaseException) -> None:
        if not self._warned:
            log.warning("activity not sent to the course service: %s", exc)
            self._warned = True
