"""What a facilitator works with: the course, the exchange beside it, the store; and a refresh.

The dashboard app and the ``peerkit dashboard|notes|gallery|export`` commands start from
:meth:`Facilitator.open`, which takes the same three settings as every facilitator command
(``--course``, ``--workdir``, ``--db``), and in the Voilà app from the environment of the
facilitator's server (:func:`settings_from_env`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peerkit.activity import ActivityReport, ensure_activity_root, ingest_activity
from peerkit.config.course import default_course_file, load_course
from peerkit.config.workspace import DEFAULT_WORKDIR, Workspace
from peerkit.core.models import Course
from peerkit.facilitator.data import Cohort, load_cohort
from peerkit.public import ensure_public_root
from peerkit.storage.sql import SqlStore

ENV_COURSE, ENV_WORKDIR, ENV_DB = "PEERKIT_COURSE", "PEERKIT_WORKDIR", "PEERKIT_DB"
#: The nbgrader exchange, when it is not the work folder's own (a hub's shared exchange).
ENV_EXCHANGE = "PEERKIT_EXCHANGE"


@dataclass(frozen=True, slots=True)
class Settings:
    course_file: Path
    workdir: Path
    db_url: str | None = None
    exchange: Path | None = None


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """The facilitator's settings from ``PEERKIT_COURSE``, ``PEERKIT_WORKDIR``, ``PEERKIT_DB`` and
    ``PEERKIT_EXCHANGE`` (``peerkit serve`` sets them for the dashboard's server, the hub for its
    course service), with the demo's defaults."""
    environ = os.environ if env is None else env
    course = environ.get(ENV_COURSE)
    workdir = environ.get(ENV_WORKDIR)
    exchange = environ.get(ENV_EXCHANGE)
    return Settings(
        course_file=Path(course) if course else default_course_file(),
        workdir=Path(workdir) if workdir else DEFAULT_WORKDIR,
        db_url=environ.get(ENV_DB) or None,
        exchange=Path(exchange) if exchange else None,
    )


@dataclass
class Facilitator:
    course: Course
    workspace: Workspace
    store: SqlStore
    #: The nbgrader exchange when it is not the work folder's (under JupyterHub, the shared one).
    exchange: Path | None = None

    @classmethod
    def open(
        cls, *, course_file: Path, workdir: Path, db_url: str | None = None, exchange: Path | None = None
    ) -> Facilitator:
        course = load_course(course_file)
        workspace = Workspace.at(workdir)
        store = SqlStore.open(db_url or workspace.store_url)
        return cls(course=course, workspace=workspace, store=store, exchange=exchange)

    @property
    def exchange_root(self) -> Path:
        return self.exchange or self.workspace.exchange

    def prepare(self) -> None:
        """Create the course's activity and public folders beside the exchange (idempotent)."""
        ensure_activity_root(self.exchange_root, self.course.id)
        ensure_public_root(self.exchange_root, self.course.id)

    def refresh(self) -> ActivityReport:
        """Ingest what learners' pages recorded since the last refresh."""
        self.prepare()
        return ingest_activity(self.store, self.exchange_root, self.course.id)

    def cohort(self, *, now: datetime | None = None) -> Cohort:
        return load_cohort(self.store, self.course, now=now)

    def close(self) -> None:
        self.store.close()
