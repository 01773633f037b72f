"""Submissions in the SQL store: recording (one at a time or in bulk), current versions, history."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from peerkit.config.identity import check_learner_id
from peerkit.core.answers import AnswerSheet, check_answer_id, parse_sheet, parse_time
from peerkit.core.completeness import STATUSES, Status, completeness
from peerkit.core.errors import Conflict
from peerkit.core.store import NewSubmission, Outcome, StoredSubmission, SubmissionRow, SubmissionState
from peerkit.storage.engine import SqlBase, _utc
from peerkit.storage.schema import AnswerRecord, LearnerRow, SubmissionRecord


class SubmissionMethods(SqlBase):
    # -- submissions -------------------------------------------------------------------------------

    def record_submission(
        self, learner: str, path_id: str, *, submitted_at: datetime, sheet: AnswerSheet, source: str = ""
    ) -> Outcome:
        item = NewSubmission(learner=learner, path_id=path_id, submitted_at=submitted_at, sheet=sheet, source=source)
        return self.record_submissions([item])[0]

    def record_submissions(self, items: Sequence[NewSubmission]) -> list[Outcome]:
        """Record many submissions in one transaction with a handful of queries (bulk ingest)."""
        for item in items:
            check_learner_id(item.learner)
        if not items:
            return []
        now = datetime.now(UTC)
        with self.transaction() as session:
            learner_ids = self._learner_ids(session, {item.learner for item in items}, now)
            versions: dict[tuple[int, str], list[_Version]] = {}
            paths = {item.path_id for item in items}
            for row in session.execute(
                select(
                    SubmissionRecord.id,
                    SubmissionRecord.learner_id,
                    SubmissionRecord.path_id,
                    SubmissionRecord.submitted_at,
                    SubmissionRecord.checksum,
                    SubmissionRecord.status,
                    SubmissionRecord.blank,
                ).where(SubmissionRecord.learner_id.in_(learner_ids.values()), SubmissionRecord.path_id.in_(paths))
            ):
                versions.setdefault((row.learner_id, row.path_id), []).append(
                    _Version(
                        id=row.id,
                        submitted_at=_utc(row.submitted_at),
                        checksum=row.checksum,
                        status=(_known(row.status), int(row.blank or 0)),
                    )
                )
            outcomes: list[Outcome] = []
            new_rows: list[tuple[NewSubmission, dict[str, Any], _Version]] = []
            demoted: set[int] = set()
            rechecked: dict[int, tuple[Status, int]] = {}
            for item in items:
                key = (learner_ids[item.learner], item.path_id)
                known = versions.setdefault(key, [])
                text = item.sheet.to_json()
                checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
                when = _utc(item.submitted_at)
                status = _status(item)
                same = next((v for v in known if v.submitted_at == when), None)
                if same is not None:
                    if same.checksum == checksum:
                        if same.status != status and same.id is not None:  # checked again (a fixed notebook)
                            rechecked[same.id] = status
                            same.status = status
                        outcomes.append("unchanged")
                        continue
                    self._replace(session, same, text, checksum, item.sheet, now)
                    if same.id is not None:
                        rechecked[same.id] = status
                    outcomes.append("replaced")
                    continue
                newest = max((v.submitted_at for v in known), default=None)
                current = newest is None or when > newest
                if current:
                    demoted.update(v.id for v in known if v.id is not None)
                    for v in known:
                        v.current = False
                outcomes.append("older" if not current else ("replaced" if known else "added"))
                values = {
                    "learner_id": key[0],
                    "path_id": item.path_id,
                    "submitted_at": when,
                    "ingested_at": now,
                    "current": current,
                    "source": item.source[:200],
                    "checksum": checksum,
                    "sheet": text,
                    "channel_key": item.channel_key,
                    "status": status[0],
                    "blank": status[1],
                }
                version = _Version(id=None, submitted_at=when, checksum=checksum, current=current, status=status)
                known.append(version)
                new_rows.append((item, values, version))
            for sid, (state, blank) in rechecked.items():
                session.execute(
                    update(SubmissionRecord).where(SubmissionRecord.id == sid).values(status=state, blank=blank)
                )
            if demoted:
                session.execute(update(SubmissionRecord).where(SubmissionRecord.id.in_(demoted)).values(current=False))
            if new_rows:
                for _, values, version in new_rows:  # a later item of this batch may have superseded one
                    values["current"] = version.current
                ids = session.scalars(
                    insert(SubmissionRecord).returning(SubmissionRecord.id, sort_by_parameter_order=True),
                    [values for _, values, _ in new_rows],
                ).all()
                answers = [
                    {"submission_id": sid, **row}
                    for sid, (item, _, _) in zip(ids, new_rows, strict=True)
                    for row in _answer_values(item.sheet)
                ]
                if answers:
                    session.execute(insert(AnswerRecord), answers)
            return outcomes

    def _replace(
        self, session: Session, version: _Version, text: str, checksum: str, sheet: AnswerSheet, now: datetime
    ) -> None:
        """The same submission (same learner, path, time) with different content: keep the new content.

        That happens when a collected folder was repaired by hand and ingested again."""
        if version.id is None:  # pragma: no cover - same time twice in one batch is refused below
            raise Conflict("the same submission appears twice in one batch with different content")
        session.execute(
            update(SubmissionRecord)
            .where(SubmissionRecord.id == version.id)
            .values(sheet=text, checksum=checksum, ingested_at=now)
        )
        session.execute(delete(AnswerRecord).where(AnswerRecord.submission_id == version.id))
        rows = [{"submission_id": version.id, **row} for row in _answer_values(sheet)]
        if rows:
            session.execute(insert(AnswerRecord), rows)
        version.checksum = checksum

    def _stored(self, record: SubmissionRecord) -> StoredSubmission:
        return StoredSubmission(
            learner=record.learner.name,
            path_id=record.path_id,
            submitted_at=_utc(record.submitted_at),
            ingested_at=_utc(record.ingested_at),
            sheet=parse_sheet(record.sheet),
            current=record.current,
            source=record.source,
            status=_known(record.status),
            blank=record.blank,
        )

    def submission(self, learner: str, path_id: str) -> StoredSubmission | None:
        with self.transaction() as session:
            record = session.scalars(
                select(SubmissionRecord)
                .join(LearnerRow)
                .where(LearnerRow.name == learner, SubmissionRecord.path_id == path_id, SubmissionRecord.current)
            ).one_or_none()
            return None if record is None else self._stored(record)

    def history(self, learner: str, path_id: str) -> list[StoredSubmission]:
        with self.transaction() as session:
            records = session.scalars(
                select(SubmissionRecord)
                .join(LearnerRow)
                .where(LearnerRow.name == learner, SubmissionRecord.path_id == path_id)
                .order_by(SubmissionRecord.submitted_at.desc())
            ).all()
            return [self._stored(r) for r in records]

    def submissions(self, path_id: str) -> list[StoredSubmission]:
        # Columns, not ORM objects: a cohort's snapshot reads tens of thousands of these, and building
        # (and tracking) a SubmissionRecord with its answer rows for each costs ~10x the query.
        columns = (
            LearnerRow.name,
            SubmissionRecord.path_id,
            SubmissionRecord.submitted_at,
            SubmissionRecord.ingested_at,
            SubmissionRecord.sheet,
            SubmissionRecord.current,
            SubmissionRecord.source,
            SubmissionRecord.status,
            SubmissionRecord.blank,
        )
        with self.connection() as connection:
            rows = connection.execute(
                select(*columns)
                .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
                .where(SubmissionRecord.path_id == path_id, SubmissionRecord.current)
                .order_by(LearnerRow.name)
            ).all()
        return [
            StoredSubmission(
                learner=r.name,
                path_id=r.path_id,
                submitted_at=_utc(r.submitted_at),
                ingested_at=_utc(r.ingested_at),
                sheet=parse_sheet(r.sheet),
                current=r.current,
                source=r.source,
                status=_known(r.status),
                blank=r.blank,
            )
            for r in rows
        ]

    def submission_states(self, path_id: str) -> list[SubmissionState]:
        # Four narrow columns and no JSON: the dashboard's progress needs who submitted, when and how
        # completely, and parsing every answer sheet costs most of :meth:`submissions`.
        with self.connection() as connection:
            rows = connection.execute(
                select(LearnerRow.name, SubmissionRecord.submitted_at, SubmissionRecord.status, SubmissionRecord.blank)
                .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
                .where(SubmissionRecord.path_id == path_id, SubmissionRecord.current)
                .order_by(LearnerRow.name)
            ).all()
        return [
            SubmissionState(
                learner=name, path_id=path_id, submitted_at=_utc(at), status=_known(status), blank=int(blank or 0)
            )
            for name, at, status, blank in rows
        ]

    def profiles(self) -> dict[str, dict[str, Any]]:
        """Each learner's latest "what I know / bring / want to learn" answer, from any current submission."""
        with self.transaction() as session:
            rows = session.execute(
                select(LearnerRow.name, AnswerRecord.value, AnswerRecord.updated)
                .join(SubmissionRecord, SubmissionRecord.id == AnswerRecord.submission_id)
                .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
                .where(AnswerRecord.kind == "profile", SubmissionRecord.current)
                .order_by(AnswerRecord.updated)
            ).all()
            return {name: value for name, value, _ in rows if isinstance(value, dict)}

    def overview(self, path_ids: Sequence[str] | None = None) -> list[SubmissionRow]:
        with self.transaction() as session:
            versions = (
                select(
                    SubmissionRecord.learner_id.label("learner_id"),
                    SubmissionRecord.path_id.label("path_id"),
                    func.count().label("versions"),
                )
                .group_by(SubmissionRecord.learner_id, SubmissionRecord.path_id)
                .subquery()
            )
            answered = (
                select(AnswerRecord.submission_id.label("submission_id"), func.count().label("answers"))
                .group_by(AnswerRecord.submission_id)
                .subquery()
            )
            query = (
                select(
                    LearnerRow.name,
                    SubmissionRecord.path_id,
                    SubmissionRecord.submitted_at,
                    answered.c.answers,
                    versions.c.versions,
                    SubmissionRecord.status,
                    SubmissionRecord.blank,
                )
                .join(LearnerRow, LearnerRow.id == SubmissionRecord.learner_id)
                .join(
                    versions,
                    (versions.c.learner_id == SubmissionRecord.learner_id)
                    & (versions.c.path_id == SubmissionRecord.path_id),
                )
                .outerjoin(answered, answered.c.submission_id == SubmissionRecord.id)
                .where(SubmissionRecord.current)
                .order_by(LearnerRow.name, SubmissionRecord.path_id)
            )
            if path_ids is not None:
                query = query.where(SubmissionRecord.path_id.in_(list(path_ids)))
            return [
                SubmissionRow(
                    learner=name,
                    path_id=path,
                    submitted_at=_utc(at),
                    answers=int(n or 0),
                    versions=int(v),
                    status=_known(state),
                    blank=int(blank or 0),
                )
                for name, path, at, n, v, state, blank in session.execute(query).all()
            ]


@dataclass
class _Version:
    """What a batch needs to know of a stored (or just added) submission version."""

    id: int | None
    submitted_at: datetime
    checksum: str
    current: bool = True
    status: tuple[Status, int] = ("complete", 0)


def _status(item: NewSubmission) -> tuple[Status, int]:
    """The status to keep: the one ingest checked, else judged from the sheet alone."""
    if item.status is not None:
        return item.status, max(0, int(item.blank))
    judged = completeness(item.sheet, None)
    return judged.status, len(judged.blank)


def _known(status: str) -> Status:
    """A stored status; anything unexpected reads as not complete (never counted as complete)."""
    for known in STATUSES:
        if status == known:
            return known
    return "incomplete"


def _answer_values(sheet: AnswerSheet) -> list[dict[str, Any]]:
    return [
        {
            "answer_id": check_answer_id(key),
            "kind": answer.kind,
            "value": answer.value,
            "updated": parse_time(answer.updated, field=key).astimezone(UTC),
        }
        for key, answer in sorted(sheet.answers.items())
    ]
