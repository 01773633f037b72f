"""What the facilitator curates, in the SQL store: summary notes per path, decisions on the gallery."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from peerkit.core.curation import GalleryDecision, GalleryStatus, SummaryNote
from peerkit.core.errors import NotFound
from peerkit.storage.engine import SqlBase, _utc
from peerkit.storage.schema import GalleryRecord, LearnerRow, NoteRecord


def _when(moment: datetime | None) -> datetime | None:
    return _utc(moment) if moment is not None else None


def _note(r: NoteRecord) -> SummaryNote:
    return SummaryNote(
        path_id=r.path_id,
        draft=r.draft,
        text=r.text,
        sources=r.sources,
        drafted_at=_when(r.drafted_at),
        edited_by=r.edited_by,
        edited_at=_when(r.edited_at),
        released_text=r.released_text,
        released_at=_when(r.released_at),
        released_by=r.released_by,
    )


class CurationMethods(SqlBase):
    # -- summary notes -----------------------------------------------------------------------------

    def note(self, path_id: str) -> SummaryNote | None:
        with self.transaction() as session:
            row = session.scalars(select(NoteRecord).where(NoteRecord.path_id == path_id)).one_or_none()
            return None if row is None else _note(row)

    def notes(self) -> list[SummaryNote]:
        with self.transaction() as session:
            return [_note(r) for r in session.scalars(select(NoteRecord).order_by(NoteRecord.path_id)).all()]

    def save_note_draft(self, path_id: str, draft: str, *, sources: int, keep_edits: bool = True) -> SummaryNote:
        """Store a fresh machine draft. It becomes the working text too, unless the facilitator has
        edited that text and *keep_edits* is set."""
        now = datetime.now(UTC)
        with self.transaction() as session:
            row = session.scalars(select(NoteRecord).where(NoteRecord.path_id == path_id)).one_or_none()
            if row is None:
                row = NoteRecord(path_id=path_id, draft=draft, text=draft, sources=sources, drafted_at=now)
                session.add(row)
            else:
                row.draft, row.sources, row.drafted_at = draft, sources, now
                if not (keep_edits and row.edited_by):
                    row.text, row.edited_by, row.edited_at = draft, None, None
            session.flush()
            return _note(row)

    def edit_note(self, path_id: str, text: str, *, by: str) -> SummaryNote:
        """Replace the working text of *path_id*'s notes (the released text stays until released again)."""
        now = datetime.now(UTC)
        with self.transaction() as session:
            row = session.scalars(select(NoteRecord).where(NoteRecord.path_id == path_id)).one_or_none()
            if row is None:
                row = NoteRecord(path_id=path_id, draft="", text=text, sources=0, drafted_at=None)
                session.add(row)
            row.text, row.edited_by, row.edited_at = text, by[:100], now
            session.flush()
            return _note(row)

    def release_note(
        self, path_id: str, *, by: str, text: str | None = None, at: datetime | None = None
    ) -> SummaryNote:
        """Mark *text* (default: the working text) as released at *at* (default: now): what every
        learner now reads."""
        with self.transaction() as session:
            row = session.scalars(select(NoteRecord).where(NoteRecord.path_id == path_id)).one_or_none()
            if row is None:
                raise NotFound(f"no summary notes for {path_id!r} yet (peerkit notes draft {path_id})")
            row.released_text = row.text if text is None else text
            row.released_by, row.released_at = by[:100], at or datetime.now(UTC)
            session.flush()
            return _note(row)

    # -- the gallery -------------------------------------------------------------------------------

    def decide_example(
        self,
        learner: str,
        path_id: str,
        answer_id: str,
        status: GalleryStatus,
        *,
        content: Mapping[str, Any],
        checksum: str,
        by: str,
    ) -> GalleryDecision:
        """Approve or hide one example; approving keeps *content* as what is published."""
        now = datetime.now(UTC)
        with self.transaction() as session:
            learner_id = self._learner_ids(session, {learner}, now)[learner]
            row = session.scalars(
                select(GalleryRecord).where(
                    GalleryRecord.learner_id == learner_id,
                    GalleryRecord.path_id == path_id,
                    GalleryRecord.answer_id == answer_id,
                )
            ).one_or_none()
            values = {
                "status": status,
                "content": dict(content),
                "checksum": checksum,
                "decided_by": by[:100],
                "decided_at": now,
            }
            if row is None:
                session.add(GalleryRecord(learner_id=learner_id, path_id=path_id, answer_id=answer_id, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        return GalleryDecision(learner, path_id, answer_id, status, dict(content), checksum, by[:100], now)

    def gallery_decisions(self) -> list[GalleryDecision]:
        with self.transaction() as session:
            rows = session.execute(
                select(GalleryRecord, LearnerRow.name)
                .join(LearnerRow, LearnerRow.id == GalleryRecord.learner_id)
                .order_by(GalleryRecord.path_id, LearnerRow.name, GalleryRecord.answer_id)
            ).all()
            return [
                GalleryDecision(
                    learner=name,
                    path_id=r.path_id,
                    answer_id=r.answer_id,
                    status=r.status,  # type: ignore[arg-type]  # written by decide_example only
                    content=dict(r.content or {}),
                    checksum=r.checksum,
                    decided_by=r.decided_by,
                    decided_at=_utc(r.decided_at),
                )
                for r, name in rows
            ]
