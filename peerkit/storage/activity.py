"""Learners' activity in the SQL store: events ingested from their activity files, once each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from peerkit.core.activity import ActivityEvent
from peerkit.storage.engine import SqlBase, _utc, insert_for
from peerkit.storage.schema import ActivityRecord, LearnerRow

_CHUNK = 500  # ids per IN (...) query: well under every driver's parameter limit


class ActivityMethods(SqlBase):
    def record_activity(self, events: Sequence[ActivityEvent]) -> int:
        """Keep the events the store does not have yet (by event id); return how many were added."""
        fresh = {e.id: e for e in events}
        if not fresh:
            return 0
        now = datetime.now(UTC)
        with self.transaction() as session:
            ids = list(fresh)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                for known in session.scalars(select(ActivityRecord.event_id).where(ActivityRecord.event_id.in_(chunk))):
                    fresh.pop(known, None)
            if not fresh:
                return 0
            learner_ids = self._learner_ids(session, {e.learner for e in fresh.values()}, now)
            # The same events may arrive twice at once (a client retrying on another replica): the
            # unique event id keeps one, and the second insert skips it instead of failing.
            session.execute(
                insert_for(self.engine.dialect.name)(ActivityRecord).on_conflict_do_nothing(
                    index_elements=["event_id"]
                ),
                [
                    {
                        "event_id": e.id,
                        "learner_id": learner_ids[e.learner],
                        "path_id": e.path_id,
                        "event": e.event,
                        "detail": e.detail,
                        "at": e.at,
                        "ingested_at": now,
                    }
                    for e in sorted(fresh.values(), key=lambda e: (e.at, e.id))
                ],
            )
            return len(fresh)

    def activity(self, path_ids: Sequence[str] | None = None) -> list[ActivityEvent]:
        """Every ingested event (of *path_ids* only, if given), oldest first."""
        # Columns, not ORM objects: a cohort's snapshot reads a hundred thousand events, and building
        # and tracking an ActivityRecord for each costs several times the query.
        query = (
            select(
                ActivityRecord.event_id,
                ActivityRecord.at,
                LearnerRow.name,
                ActivityRecord.event,
                ActivityRecord.path_id,
                ActivityRecord.detail,
            )
            .join(LearnerRow, LearnerRow.id == ActivityRecord.learner_id)
            .order_by(ActivityRecord.at, ActivityRecord.id)
        )
        if path_ids is not None:
            query = query.where(ActivityRecord.path_id.in_(list(path_ids)))
        with self.connection() as connection:
            rows = connection.execute(query).all()
        return [
            ActivityEvent(id=event_id, at=_utc(at), learner=name, event=event, path_id=path_id, detail=detail)
            for event_id, at, name, event, path_id, detail in rows
        ]
