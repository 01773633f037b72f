"""The store's engine: opening (with migrations), transactions, error translation, learners.

Opening a store brings its schema up to date with alembic (through alembic's Python API, never
its command line), and says so in the log (``store ... upgraded from 0007 to 0008``); a store a
newer peerkit has migrated is refused with both revisions and the fix (see
:mod:`peerkit.storage.revision`; ``peerkit db current`` and ``peerkit db upgrade`` do the same on
demand). Every public method runs in one transaction and turns driver errors into
:class:`~peerkit.core.errors.StorageError`, so callers never see SQLAlchemy's exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from alembic import command
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from peerkit.config.identity import check_learner_id
from peerkit.core.errors import Conflict, StorageError, Unavailable
from peerkit.core.store import Learner
from peerkit.storage.locks import driver_reason, lock_key, migration_lock
from peerkit.storage.revision import (
    Applied,
    Migration,
    SchemaStatus,
    Upgraded,
    alembic_config,
    current_revisions,
    migration,
    newer_than_this,
    newest,
)
from peerkit.storage.schema import LearnerRow

#: The advisory lock that lets one process at a time migrate a PostgreSQL store.
MIGRATION_LOCK = "peerkit:migrate"

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; a bare path means an SQLite file."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given minus nothing secret we can find
        return url.split("@")[-1]


def migrate(engine: Engine, revision: str = "head", *, applied: Applied | None = None) -> Upgraded:
    """Bring the database to *revision* with alembic's Python API, in one transaction; *applied*
    hears each migration as it goes in. A store at a revision this peerkit does not know (a newer
    peerkit migrated it) is refused with :class:`StorageError`, and nothing is changed."""
    config = alembic_config()
    store = redact(str(engine.url))
    done: list[Migration] = []

    def step(*, step: Any, **_: Any) -> None:
        if step.is_upgrade:
            done.append(migration(step.up_revision_id))
            if applied is not None:
                applied(done[-1])

    with migration_lock(engine, MIGRATION_LOCK), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Replicas of the service start together on one database: one migrates, the others wait
            # for it here (the lock ends with the transaction) and then find the schema at head.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(MIGRATION_LOCK)})
        before = SchemaStatus(store=store, current=current_revisions(connection), newest=newest())
        if before.verdict == "newer":
            raise newer_than_this(before)
        if engine.dialect.name == "sqlite" and before.verdict == "behind":
            # Python's sqlite3 opens a transaction before INSERT/UPDATE/DELETE only: each CREATE or
            # ALTER before the first of them was committed on its own, so a migration killed part-way
            # left tables of a revision the store did not record ("table ... already exists" on every
            # rerun). Opened here, the transaction holds every migration and the revision, or none
            # (and a store already at head is only read, as before).
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = connection
        config.attributes["on_version_apply"] = step
        command.upgrade(config, revision)
        after = current_revisions(connection)
    if done and before.current:
        log.warning("store %s upgraded from %s to %s", store, before.shown, "+".join(after))
    elif done:
        log.info("store %s created at schema %s", store, "+".join(after))
    return Upgraded(store=store, before=before.current, after=after, applied=tuple(done))


def schema_status(engine: Engine) -> SchemaStatus:
    """Where the database's schema stands against this peerkit's migrations (one indexed one-row
    read; the scripts are read from disk once per process)."""
    with engine.connect() as connection:
        current = current_revisions(connection)
    return SchemaStatus(store=redact(str(engine.url)), current=current, newest=newest())


def make_engine(url: str, *, pool_size: int | None = None) -> Engine:
    """An engine on the store at *url* (a file path, ``sqlite:///file`` or ``postgresql://...``),
    without touching the database; a missing driver is a :class:`StorageError` naming the extra."""
    full = normalise_url(url)
    try:
        if full.startswith("sqlite"):
            engine = create_engine(full, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        sizing = {"pool_size": pool_size, "max_overflow": max(4, pool_size // 4)} if pool_size else {}
        # pre-ping: a connection the server dropped (a restart) is replaced before use
        return create_engine(full, pool_pre_ping=True, **sizing)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the store at {redact(full)}: {driver_reason(exc)}", path=redact(full)) from exc
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"cannot open the store at {redact(full)}: the driver {exc.name!r} is not installed "
            "(pip install 'peerkit[postgres]' for PostgreSQL)",
            path=redact(full),
        ) from exc


def read_schema(engine: Engine) -> SchemaStatus:
    """:func:`schema_status`, with the driver's failures as :class:`StorageError` (``peerkit db current``)."""
    try:
        return schema_status(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot read the store at {redact(str(engine.url))}: {driver_reason(exc)}") from exc


def upgrade_schema(engine: Engine, *, applied: Applied | None = None) -> Upgraded:
    """:func:`migrate` to this peerkit's newest revision, with the driver's failures as
    :class:`StorageError` (``peerkit db upgrade``)."""
    try:
        return migrate(engine, applied=applied)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot upgrade the store at {redact(str(engine.url))}: {driver_reason(exc)}") from exc


def _utc(moment: datetime) -> datetime:
    """Datetimes come back naive from SQLite; peerkit stores and returns UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) never block the writer
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class SqlBase:
    """Engine, transactions and learners; the submission and review methods build on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._learner_ids_seen: dict[str, int] = {}  # learner rows are never renamed or removed

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, pool_size: int | None = None) -> Self:
        """Open (and by default migrate) the store at *url*: ``sqlite:///file``, a file path, or
        ``postgresql://user@host/db``. *pool_size* keeps that many PostgreSQL connections open (the
        hub service sizes it to its worker threads, so that no request waits for a new connection)."""
        engine = make_engine(url, pool_size=pool_size)
        if upgrade:
            try:
                migrate(engine)
            except SQLAlchemyError as exc:
                engine.dispose()
                full = redact(str(engine.url))
                raise StorageError(f"cannot open the store at {full}: {driver_reason(exc)}", path=full) from exc
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            _rollback_quietly(session)
            raise self._translate(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """One unit of work on a bare connection (SQLAlchemy Core), for the hot paths of the hub
        service: the same commit, rollback and error translation as :meth:`transaction`."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: SQLAlchemyError) -> StorageError:
        if isinstance(exc, IntegrityError):
            return Conflict(f"the store refused a conflicting write: {driver_reason(exc)}")
        if _unreachable(exc):
            return Unavailable(
                f"the store is unavailable right now ({driver_reason(exc)}); nothing was written, try again",
                path=redact(str(self.engine.url)),
            )
        return StorageError(f"the store failed: {driver_reason(exc)}", path=redact(str(self.engine.url)))

    # -- learners ----------------------------------------------------------------------------------

    def _learner(self, session: Session, name: str) -> LearnerRow:
        """The learner's row, created on first sight."""
        row = session.scalars(select(LearnerRow).where(LearnerRow.name == name)).one_or_none()
        if row is None:
            self._learner_ids(session, {check_learner_id(name)}, datetime.now(UTC))
            row = session.scalars(select(LearnerRow).where(LearnerRow.name == name)).one()
        return row

    def _learner_ids(self, session: Session, names: set[str], now: datetime) -> dict[str, int]:
        ids = {
            name: lid
            for lid, name in session.execute(select(LearnerRow.id, LearnerRow.name).where(LearnerRow.name.in_(names)))
        }
        missing = sorted(names - set(ids))
        if missing:
            # Another replica may create the same learners at the same moment: whoever comes second
            # skips the rows (the unique name decides) and reads the winner's ids.
            session.execute(
                insert_for(self.engine.dialect.name)(LearnerRow).on_conflict_do_nothing(index_elements=["name"]),
                [{"name": name, "circle": None, "created_at": now} for name in missing],
            )
            ids.update(
                {
                    name: lid
                    for lid, name in session.execute(
                        select(LearnerRow.id, LearnerRow.name).where(LearnerRow.name.in_(missing))
                    )
                }
            )
        return ids

    def learner_id(self, name: str) -> int:
        """The row id of learner *name* (created on first sight), remembered for this store's life."""
        known = self._learner_ids_seen.get(name)
        if known is None:
            with self.transaction() as session:
                known = self._learner(session, name).id
            self._learner_ids_seen[name] = known
        return known

    def remember_learners(self) -> int:
        """Load every learner's row id at once (the hub service, before a class's first saves);
        returns how many are known."""
        table = LearnerRow.__table__
        with self.connection() as connection:
            rows = connection.execute(select(table.c.id, table.c.name))
            self._learner_ids_seen.update({name: lid for lid, name in rows})
        return len(self._learner_ids_seen)

    def add_learner(self, name: str, *, circle: str | None = None) -> None:
        check_learner_id(name)
        with self.transaction() as session:
            row = self._learner(session, name)
            if circle is not None:
                row.circle = circle[:100]

    def learners(self) -> list[Learner]:
        with self.connection() as connection:
            rows = connection.execute(select(LearnerRow.name, LearnerRow.circle).order_by(LearnerRow.name)).all()
        return [Learner(name=name, circle=circle) for name, circle in rows]


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT with ON CONFLICT (PostgreSQL and SQLite both have it)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _rollback_quietly(session: Session) -> None:
    """Roll back; on a dead connection the rollback itself fails, which changes nothing."""
    try:
        session.rollback()
    except SQLAlchemyError:
        log.debug("rollback on a broken connection failed", exc_info=True)


def _unreachable(exc: SQLAlchemyError) -> bool:
    """Whether *exc* means the database server could not be reached (as opposed to a bad query)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError)
