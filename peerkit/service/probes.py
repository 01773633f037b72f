"""Probes without a token, for load balancers and Kubernetes: ``health`` (liveness) and ``ready``
(readiness). They never ask the hub, so a slow hub cannot get a healthy replica restarted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tornado import web
from tornado.ioloop import IOLoop

from peerkit.service.state import ServiceState


class ProbeHandler(web.RequestHandler):
    """Probes without a token, for load balancers and Kubernetes: cheap, and never asking the hub."""

    def initialize(self, state: ServiceState) -> None:
        self.state = state

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    def answer(self, ok: bool, **details: Any) -> None:
        self.set_status(200 if ok else 503)
        self.finish(json.dumps({"ok": ok, "course": self.state.course.id, **details}))


class HealthHandler(ProbeHandler):
    """``health``: the process is up and its event loop answers (a liveness probe). Nothing else is
    checked: a database restart must not get every replica killed and restarted."""

    def get(self) -> None:
        self.answer(True)


class ReadyHandler(ProbeHandler):
    """``ready`` (and ``api/health``): this replica may take traffic: the store answers and its schema
    is at this peerkit's newest migration. Answered within ``TIMEOUT`` seconds, else not ready; a
    replica that is not ready says why in ``reason``."""

    TIMEOUT = 3.0

    async def get(self) -> None:
        loop = IOLoop.current()
        try:
            checks = await asyncio.wait_for(
                loop.run_in_executor(self.state.executor, self.state.readiness), self.TIMEOUT
            )
        except TimeoutError:
            checks = {
                "database": False,
                "migrations": False,
                "reason": f"the store did not answer within {self.TIMEOUT:g} s",
            }
        self.answer(checks["database"] is True and checks["migrations"] is True, **checks)
