"""Learners saving review drafts through the hub while something breaks, and the check afterwards.

The same mechanism as ``bench/service_drafts.py`` (each learner saves their self-assessment every
``interval`` seconds, with their own hub token; afterwards every learner's stored draft must be their
last acknowledged save), with the learner's own client (:class:`~peerkit.exchange.hub.client.ServiceClient`,
as the review app's kernel uses it: retries on a refused or reset connection and on 502/503/504 within
its patience, every save carrying the version it was based on). An error the client raises is what
a learner's page would show: every one is counted.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from peerkit.core.errors import PeerkitError
from peerkit.exchange.hub.client import ServiceClient
from peerkit.storage.sql import SqlStore

PATH = "essay"
DRAFT = "self"


def answer(n: int, learner: str) -> dict[str, Any]:
    text = f"Draft {n} by {learner}: the story was specific, the lesson could name one next step."
    return {
        "kind": "review",
        "value": {"scores": {"clarity": 2}, "comments": {"strengths": text}},
        "updated": "2026-11-22T12:00:00Z",
    }


@dataclass
class Learner:
    name: str
    token: str
    saved: int = 0  # the n of the last acknowledged save (-1: none)
    version: int | None = None  # the version the service acknowledged last
    acked: int = 0
    errors: list[str] = field(default_factory=list)
    waits: list[str] = field(default_factory=list)


@dataclass
class Load:
    """*learners* each saving every *interval* seconds for *seconds*, through *url*."""

    url: str
    tokens: dict[str, str]
    seconds: float
    interval: float = 2.0
    patience: float = 45.0
    learners: list[Learner] = field(default_factory=list)
    started: float = 0.0

    def run(self, during: Callable[[float], None] | None = None) -> None:
        """Run the load; *during(elapsed)* runs in this thread meanwhile (the fault)."""
        self.learners = [Learner(name, token, saved=-1) for name, token in sorted(self.tokens.items())]
        self.started = time.monotonic()
        stop = self.started + self.seconds
        with ThreadPoolExecutor(len(self.learners)) as pool:
            futures = [pool.submit(self._learner, learner, stop, i) for i, learner in enumerate(self.learners)]
            if during is not None:
                during(self.started)
            for future in futures:
                future.result()

    def _learner(self, learner: Learner, stop: float, seed: int) -> None:
        rng = random.Random(seed)
        client = ServiceClient(
            self.url, learner.token, patience=self.patience, on_wait=lambda m, _s: learner.waits.append(m)
        )
        time.sleep(rng.uniform(0, self.interval))  # learners do not start in lockstep
        n = 0
        while time.monotonic() < stop:
            began = time.monotonic()
            try:
                saved = client.save_draft(PATH, DRAFT, answer(n, learner.name), base=learner.version)
            except PeerkitError as exc:  # what the review page would show the learner
                learner.errors.append(f"{type(exc).__name__}: {exc}")
            else:
                learner.saved, learner.version, learner.acked = n, int(saved["version"]), learner.acked + 1
            n += 1
            time.sleep(max(0.0, self.interval - (time.monotonic() - began)) * rng.uniform(0.8, 1.2))

    # -- afterwards ---------------------------------------------------------------------------------

    @property
    def errors(self) -> list[str]:
        return [f"{learner.name}: {e}" for learner in self.learners for e in learner.errors]

    @property
    def retried(self) -> int:
        return sum(len(learner.waits) for learner in self.learners)

    @property
    def acknowledged(self) -> int:
        return sum(learner.acked for learner in self.learners)

    def lost(self, store: SqlStore) -> list[str]:
        """Learners whose stored draft is not their last acknowledged save (text and version)."""
        lost = []
        for learner in self.learners:
            drafts = {d.answer_id: d for d in store.drafts(learner.name, PATH)}
            stored = drafts.get(DRAFT)
            if learner.version is None:
                continue
            if (
                stored is None
                or stored.answer != answer(learner.saved, learner.name)
                or stored.version != learner.version
            ):
                found = "nothing" if stored is None else f"version {stored.version}: {stored.answer}"
                lost.append(
                    f"{learner.name}: acknowledged save {learner.saved} (version {learner.version}), stored {found}"
                )
        return lost


def at(moment: float, started: float) -> None:
    """Sleep until *moment* seconds after *started*."""
    time.sleep(max(0.0, started + moment - time.monotonic()))
