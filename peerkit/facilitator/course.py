"""A course as a facilitator opens it: its definition, nbgrader build, exchange and store, opened once.

:class:`~peerkit.facilitator.api.Facilitator` is this plus every step a facilitator takes; here is
only what the steps work with: each part opened on first use (so store-only questions work without a
course, and a build without a store), the store's own upkeep (its schema's revision and upgrade,
``peerkit db``), the path step locks that keep two steps of a path apart
(across processes and replicas), the roster and redactor built from the gradebook, and the steward of
rolling review, kept between its ticks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from peerkit.config.course import load_course
from peerkit.config.settings import PeerkitConfig
from peerkit.config.workspace import Workspace
from peerkit.core.errors import NotFound, StorageError
from peerkit.core.models import Course
from peerkit.core.redaction import Person, Redactor
from peerkit.exchange.base import CourseExchange
from peerkit.exchange.registry import open_course_exchange
from peerkit.facilitator.build import committed_config
from peerkit.nbgrader.build import CourseBuild
from peerkit.nbgrader.gradebook import course_roster
from peerkit.review.people import course_redactor
from peerkit.review.rolling import Steward
from peerkit.storage.engine import make_engine, normalise_url, read_schema, upgrade_schema
from peerkit.storage.locks import exclusive
from peerkit.storage.revision import Applied, SchemaStatus, Upgraded
from peerkit.storage.sql import SqlStore

#: How a command finds the course's store, for the messages that say it was not found.
FIND_THE_STORE = (
    "run the command from the course folder (the one holding course/course.yml and its peerkit_config.py), "
    "or pass --workdir (the course's work folder) or --db (the store's URL)"
)


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite store *url* (``sqlite:///FILE`` or a bare path), None for another
    database or an in-memory one."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().absolute()


class OpenedCourse:
    """A course, its nbgrader build and exchange, and its store, opened once.

    The course definition and the store are opened on first use, so store-only questions (who
    submitted, where a round stands) work without a course, and a build without a store."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        store: SqlStore | None = None,
        course: Course | None = None,
        exchange: Path | None = None,
        config: PeerkitConfig | None = None,
        build: CourseBuild | None = None,
        create_store: bool = True,
    ) -> None:
        self.workspace = workspace
        #: Whether opening the store may create it; when not, an SQLite store that is not there is
        #: refused (a command that only reads, run from the wrong folder or given a mistyped --db).
        self.create_store = create_store
        #: The nbgrader exchange when it is not the work folder's (under JupyterHub, the shared one).
        self.exchange = exchange
        self.config = config or PeerkitConfig(workdir=workspace.root, exchange=exchange)
        if store is not None:
            self.__dict__["store"] = store
        if course is not None:
            self.__dict__["course"] = course
        if build is not None:
            self.__dict__["course_build"] = build
        #: The path step locks this Facilitator holds (a step that runs another step keeps its lock).
        self._held: set[str] = set()

    @cached_property
    def store(self) -> SqlStore:
        """The peerkit store, opened on first use (building a course needs none) and migrated to this
        peerkit's schema. Unless :attr:`create_store`, an SQLite store that does not exist is
        refused, never created."""
        url = self._store_url(create=self.create_store)
        file = sqlite_file(url)
        try:
            return SqlStore.open(url)
        except StorageError as exc:
            if file is not None and not file.parent.is_dir():
                raise StorageError(
                    f"{exc} (the folder {file.parent} does not exist): {FIND_THE_STORE}", path=str(file)
                ) from exc
            raise

    def _store_url(self, *, create: bool) -> str:
        """The store's URL; unless *create*, an SQLite store that does not exist is refused."""
        url = self.config.store_url
        file = sqlite_file(url)
        if file is not None and not create and not file.is_file():
            raise NotFound(
                f"there is no peerkit store at {file}: {FIND_THE_STORE}; in the course folder, "
                "the store is made by the first `peerkit collect PATH`",
                path=str(file),
            )
        return url

    @contextmanager
    def store_engine(self) -> Iterator[Engine]:
        """The store's engine as it is, neither created nor migrated (the store's own upkeep:
        ``peerkit db``): the open store's if it is open, else one for the block."""
        if "store" in self.__dict__:
            yield self.store.engine
            return
        engine = make_engine(self._store_url(create=False))
        try:
            yield engine
        finally:
            engine.dispose()

    # -- the store's schema (its upkeep: `peerkit db`) ----------------------------------------------

    def store_schema(self) -> SchemaStatus:
        """Where the store's schema stands against this peerkit's migrations: up to date, behind or
        newer (``peerkit db current``). Reads one row; never creates nor migrates the store."""
        with self.store_engine() as engine:
            return read_schema(engine)

    def upgrade_store(self, *, applied: Applied | None = None) -> Upgraded:
        """Migrate the store to this peerkit's newest revision (``peerkit db upgrade``), under the
        same lock and in the same transaction as the migration at opening; *applied* hears each
        migration as it goes in. Idempotent. A store a newer peerkit has migrated is refused
        (:class:`~peerkit.core.errors.StorageError` naming both revisions), as is an SQLite store
        that does not exist."""
        with self.store_engine() as engine:
            return upgrade_schema(engine, applied=applied)

    @cached_property
    def course(self) -> Course:
        return load_course(self.config.course_file)

    @property
    def exchange_root(self) -> Path:
        return self.exchange or self.workspace.exchange

    @cached_property
    def course_build(self) -> CourseBuild:
        """Where nbgrader builds the course: the configured course root (else the work folder's) and
        exchange; channel files beside the exchange unless the hub delivers packets and feedback."""
        return CourseBuild(
            course=self.course,
            course_root=self.config.course_root_path if self.config.course_root else self.workspace.course_root,
            exchange_root=self.exchange_root,
            committed_config=committed_config(self.course),
            channel_files=self.config.exchange_backend == "files",
        )

    @cached_property
    def course_exchange(self) -> CourseExchange:
        """The course's side of the exchange: notes, gallery, activity (and, through the review
        package, packets and feedback). Files beside nbgrader's exchange unless configured otherwise."""
        chosen = self.config.exchange_backend if "exchange_backend" in self.config.sources else None
        return open_course_exchange(
            course_id=self.course.id,
            exchange_root=self.exchange_root,
            store=self.store,
            backend_name=chosen,
            unix_users=self.config.unix_users,
        )

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    def _path(self, path_id: str) -> str:
        self.course.path(path_id)  # an unknown path is refused before anything is read or written
        return path_id

    def _reviewed(self, path_id: str) -> str:
        """*path_id*, a peer-reviewed path of the course: an unknown path, or one that is not peer
        reviewed, is refused before anything is collected, read or written."""
        self.course.rubric_for(path_id)
        return path_id

    #: How long a step waits for another holder of its path before it is refused (:meth:`step`).
    step_wait: float = 30.0

    @contextmanager
    def step(self, path_id: str, *, wait: float | None = None) -> Iterator[None]:
        """Hold *path_id*'s step lock for the block: one step of a path at a time, across processes
        and service replicas (the store's lock: a PostgreSQL advisory lock, a file lock beside an
        SQLite file), so a facilitator's ``review open`` and the rolling steward, or two replicas,
        never take the same submission in twice. Re-entrant within this Facilitator. While another
        holds it, it is tried again for *wait* seconds (a steward's look takes well under one), then
        :class:`~peerkit.core.errors.Conflict` names the step."""
        wait = self.step_wait if wait is None else wait
        name = f"peerkit:step:{self.course.id}:{path_id}"
        if name in self._held:
            yield
            return
        with exclusive(self.store.engine, name, what=f"a step of path {path_id}'s round", wait=wait):
            self._held.add(name)
            try:
                yield
            finally:
                self._held.discard(name)

    def people(self) -> dict[str, Person]:
        """Every learner as nbgrader's gradebook knows them (id, first and last name, e-mail)."""
        return course_roster(self.course_build.config())

    def redactor(self) -> Redactor:
        """What every text one learner wrote loses before others read it (review packets, the gallery,
        summary notes): every name of every learner and the course's ``redact`` terms (see
        :func:`~peerkit.review.people.course_redactor`). Built afresh: the gradebook may have changed."""
        return course_redactor(self.store, self.course, self.people())

    @cached_property
    def rolling(self) -> Steward:
        """The steward of the course's rolling paths (kept: it holds each path's pool between ticks)."""
        build = self.course_build
        return Steward(
            self.store,
            self.course,
            config=build.config(),
            course_root=build.course_root,
            inbound=self.exchange_root / self.course.id / "inbound",
            exchange=open_course_exchange(course_id=self.course.id, exchange_root=build.channel_root, store=self.store),
            unix_users=self.config.unix_users,
            people=self.people,
        )
