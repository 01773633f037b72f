"""Learners' activity in the SQL store: events ingested from their activity files, once each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select

from peerkit.core.activity import MAX_PER_KIND, ActivityEvent
from peerkit.storage.engine import SqlBase, _utc, insert_for
from peerkit.storage.schema import ActivityRecord, LearnerRow

_CHUNK = 500  # ids per IN (...) query: well under every driver's parameter limit


class ActivityMethods(SqlBase):
    def record_activity(self, events: Sequence[ActivityEvent], *, cap: int = MAX_PER_KIND) -> int:
        """Keep the events the store does not have yet (by event id), up to *cap* of each learner, path
        and kind of event (the earliest kept; the rest left out); return how many were added."""
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
            held: dict[tuple[int, str, str], int] = {}  # events the store holds, by learner, path and kind
            who = sorted(set(learner_ids.values()))
            for start in range(0, len(who), _CHUNK):
                counted = session.execute(
                    select(ActivityRecord.learner_id, ActivityRecord.path_id, ActivityRecord.event, func.count())
                    .where(ActivityRecord.learner_id.in_(who[start : start + _CHUNK]))
                    .group_by(ActivityRecord.learner_id, ActivityRecord.path_id, ActivityRecord.event)
                )
                held.update({(learner_id, path_id, event): n for learner_id, path_id, event, n in counted})
            kept: list[ActivityEvent] = []
            for e in sorted(fresh.values(), key=lambda e: (e.at, e.id)):
                key = (learner_ids[e.learner], e.path_id, e.event)
                if held.get(key, 0) < cap:
                    held[key] = held.get(key, 0) + 1
                    kept.append(e)
            if not kept:
                return 0
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
                    for e in kept
                ],
            )
            return len(kept)

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
