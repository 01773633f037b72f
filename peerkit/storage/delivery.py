"""What the store delivers to learners and keeps for them: documents and review drafts.

Documents are the round manifests, packets and feedback that the files exchange
(:mod:`peerkit.exchange.files.channels`) also writes as files; under JupyterHub, where every learner
runs as the same Unix user and files cannot keep learners apart, the hub service serves them from
here instead, each learner only their own.
Drafts are a learner's unsubmitted review answers, saved through the service as they type.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from peerkit.config.identity import check_learner_id
from peerkit.core.errors import Conflict, ValidationError
from peerkit.core.review import Draft
from peerkit.storage.engine import SqlBase, _utc, insert_for
from peerkit.storage.schema import DocumentRecord, DraftRecord, LearnerRow

#: One delivery: (learner, document name, the JSON document).
Delivery = tuple[str, str, dict[str, Any]]

MAX_NAME = 100


class DeliveryMethods(SqlBase):
    # -- documents --------------------------------------------------------------------------------

    def deliver(self, items: Sequence[Delivery], *, now: datetime | None = None) -> int:
        """Store each document for its learner, replacing an older one of the same name."""
        if not items:
            return 0
        now = now or datetime.now(UTC)
        for learner, name, _ in items:
            check_learner_id(learner)
            if not name or len(name) > MAX_NAME or "/" in name:
                raise ValidationError(f"unsafe document name {name!r}", field="name")
        latest = {(learner, name): doc for learner, name, doc in items}
        with self.transaction() as session:
            ids = self._learner_ids(session, {learner for learner, _ in latest}, now)
            names = {name for _, name in latest}
            existing = {
                (lid, name): rid
                for rid, lid, name in session.execute(
                    select(DocumentRecord.id, DocumentRecord.learner_id, DocumentRecord.name).where(
                        DocumentRecord.learner_id.in_(set(ids.values())), DocumentRecord.name.in_(names)
                    )
                )
            }
            updates, inserts = [], []
            for (learner, name), doc in latest.items():
                rid = existing.get((ids[learner], name))
                if rid is None:
                    inserts.append({"learner_id": ids[learner], "name": name, "doc": doc, "updated_at": now})
                else:
                    updates.append({"id": rid, "doc": doc, "updated_at": now})
            if inserts:  # in bulk: a round's delivery is tens of thousands of documents
                session.execute(insert(DocumentRecord), inserts)
            if updates:
                session.execute(update(DocumentRecord), updates)
        return len(latest)

    def document(self, learner: str, name: str) -> dict[str, Any] | None:
        """The learner's document *name*, or None (also when it belongs to someone else)."""
        return self.documents(learner, [name]).get(name)

    def documents(self, learner: str, names: Collection[str]) -> dict[str, dict[str, Any]]:
        """The learner's documents among *names*, by name, in one query (missing ones left out)."""
        table, learners = DocumentRecord.__table__, LearnerRow.__table__
        with self.connection() as connection:
            rows = connection.execute(
                select(table.c.name, table.c.doc)
                .join(learners, learners.c.id == table.c.learner_id)
                .where(learners.c.name == learner, table.c.name.in_(list(names)))
            )
            return {name: doc for name, doc in rows if isinstance(doc, dict)}

    def delivered(self, wanted: Collection[tuple[str, str]], *, batch: int = 2000) -> set[tuple[str, str]]:
        """Which of the *wanted* ``(learner, document name)`` pairs the store holds (a delivery cut
        short finds what it still owes), in a few queries of *batch* names each."""
        table, learners = DocumentRecord.__table__, LearnerRow.__table__
        names = sorted({name for _, name in wanted})
        found: set[tuple[str, str]] = set()
        with self.connection() as connection:
            for start in range(0, len(names), batch):
                rows = connection.execute(
                    select(learners.c.name, table.c.name)
                    .join(learners, learners.c.id == table.c.learner_id)
                    .where(table.c.name.in_(names[start : start + batch]))
                )
                found.update((learner, name) for learner, name in rows)
        return found & set(wanted)

    def documents_named(self, names: Collection[str], *, batch: int = 2000) -> Iterator[Delivery]:
        """Every learner's documents among *names*, streamed in batches (the hub
        service loads a path's draft grants with it)."""
        table, learners = DocumentRecord.__table__, LearnerRow.__table__
        with self.connection() as connection:
            rows = connection.execution_options(yield_per=batch).execute(
                select(learners.c.name, table.c.name, table.c.doc)
                .join(learners, learners.c.id == table.c.learner_id)
                .where(table.c.name.in_(list(names)))
            )
            for learner, name, doc in rows:
                if isinstance(doc, dict):
                    yield learner, name, doc

    # -- drafts -----------------------------------------------------------------------------------

    def drafts(self, learner: str, path_id: str) -> list[Draft]:
        """The learner's drafts of reviews on *path_id*."""
        with self.transaction() as session:
            rows = session.scalars(
                select(DraftRecord)
                .join(LearnerRow, LearnerRow.id == DraftRecord.learner_id)
                .where(LearnerRow.name == learner, DraftRecord.path_id == path_id)
                .order_by(DraftRecord.answer_id)
            ).all()
            return [_draft(learner, row) for row in rows]

    def save_draft(
        self,
        learner: str,
        path_id: str,
        answer_id: str,
        answer: dict[str, Any],
        *,
        base: int | None = None,
        now: datetime | None = None,
        before_commit: Callable[[], None] | None = None,
    ) -> Draft:
        """Save a draft. With *base* (the version the writer last saw) the save is refused with
        :class:`Conflict` when another save came in between; without it, the last write wins.
        *before_commit* runs inside the transaction, after the write: if it raises, nothing is saved
        (the hub service waits there for the hub's fresh word about the writer's token)."""
        now = now or datetime.now(UTC)
        table = DraftRecord.__table__
        key = {"learner_id": self.learner_id(learner), "path_id": path_id, "answer_id": answer_id}
        # One statement per save (an upsert that bumps the version): no lost update on SQLite or
        # PostgreSQL, and one round trip, for hundreds of learners saving as they type.
        upsert = insert_for(self.engine.dialect.name)(table).values(**key, answer=answer, version=1, updated_at=now)
        if base == 0:  # the writer saw no draft: only a first save may go in
            statement = upsert.on_conflict_do_nothing()
        else:
            statement = upsert.on_conflict_do_update(
                index_elements=list(key),
                set_={"answer": upsert.excluded.answer, "version": table.c.version + 1, "updated_at": now},
                where=None if base is None else table.c.version == base,
            )
        with self.connection() as connection:
            version = connection.execute(statement.returning(table.c.version)).scalar_one_or_none()
            if version is None or (base not in (None, 0) and version == 1):
                current = connection.execute(
                    select(table.c.version).where(*(table.c[k] == v for k, v in key.items()))
                ).scalar_one_or_none()
                if version == 1:  # an insert where the writer expected an existing draft: undone
                    raise Conflict(f"draft {answer_id!r} does not exist (expected version {base})")
                raise Conflict(f"draft {answer_id!r} was saved elsewhere meanwhile (version {current}, you had {base})")
            if before_commit is not None:
                before_commit()
        return Draft(learner, path_id, answer_id, dict(answer), int(version), _utc(now))


def _draft(learner: str, row: DraftRecord) -> Draft:
    return Draft(
        learner=learner,
        path_id=row.path_id,
        answer_id=row.answer_id,
        answer=dict(row.answer),
        version=row.version,
        updated=_utc(row.updated_at),
    )
