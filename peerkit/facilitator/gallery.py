"""The example gallery: learners' contributed examples, curated by the facilitator, browsable by all.

Examples are answers whose kind contributes to the gallery (``example``: a title, a story, tags; see
:meth:`peerkit.core.kinds.AnswerKind.gallery_entry`) in learners' current submissions.
The facilitator approves or hides each one (:func:`decide`); an approved example is kept as it was
approved and published without its author to ``<exchange>/<course>/peerkit-public/gallery.json``
(:func:`publish_gallery`), where every learner's gallery page reads it. Its title, story and tags
lose every person's name, by the same :class:`~peerkit.core.redaction.Redactor` as review packets
(:func:`peerkit.review.people.course_redactor`: every learner's id, gradebook names, e-mail, profile
name and the course's ``redact`` terms become "[name removed]"), once when it is approved and again
each time the gallery is published, so a name learnt later (a new classmate, a new term) goes too.
If the learner later changes an approved example, the gallery keeps the approved version and the
facilitator sees the item as "changed" until they decide again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from peerkit.core import documents, kinds
from peerkit.core.answers import is_answered
from peerkit.core.curation import GalleryDecision, GalleryStatus
from peerkit.core.errors import NotFound
from peerkit.core.kinds.values import walk_strings
from peerkit.core.models import Course
from peerkit.core.redaction import Redactor
from peerkit.exchange.base import GALLERY_FILE, CourseExchange
from peerkit.review.people import course_redactor
from peerkit.storage.sql import SqlStore

ItemState = Literal["waiting", "approved", "hidden", "changed"]


def item_id(learner: str, path_id: str, answer_id: str) -> str:
    """A short id for the facilitator's commands (never published: it derives from the author)."""
    return hashlib.sha256(f"{learner}\0{path_id}\0{answer_id}".encode()).hexdigest()[:10]


def checksum(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class GalleryItem:
    id: str
    learner: str
    path_id: str
    answer_id: str
    title: str
    story: str
    tags: tuple[str, ...]
    state: ItemState
    decided_by: str | None = None

    @property
    def value(self) -> dict[str, Any]:
        return {"title": self.title, "story": self.story, "tags": list(self.tags)}


def gallery_items(store: SqlStore, course: Course) -> list[GalleryItem]:
    """Every example in learners' current submissions, with the facilitator's decision on it."""
    decided = {(d.learner, d.path_id, d.answer_id): d for d in store.gallery_decisions()}
    items = []
    for path in course.paths:
        for sub in store.submissions(path.id):
            for answer_id, answer in sorted(sub.sheet.answers.items()):
                entry = kinds.get(answer.kind).gallery_entry(answer.value) if is_answered(answer) else None
                if entry is None:
                    continue
                value = answer.value
                decision = decided.get((sub.learner, path.id, answer_id))
                state: ItemState = "waiting"
                if decision is not None:
                    changed = decision.status == "approved" and decision.checksum != checksum(value)
                    state = "changed" if changed else decision.status
                items.append(
                    GalleryItem(
                        id=item_id(sub.learner, path.id, answer_id),
                        learner=sub.learner,
                        path_id=path.id,
                        answer_id=answer_id,
                        title=entry.title,
                        story=entry.story,
                        tags=entry.tags,
                        state=state,
                        decided_by=decision.decided_by if decision else None,
                    )
                )
    return items


def find_item(items: Sequence[GalleryItem], wanted: str) -> GalleryItem:
    matches = [i for i in items if i.id.startswith(wanted)] if len(wanted) >= 4 else []
    if len(matches) != 1:
        raise NotFound(f"no single example with id {wanted!r} (peerkit gallery list)")
    return matches[0]


def public_content(item: GalleryItem, redactor: Redactor) -> dict[str, Any]:
    """The example as published: every name *redactor* knows, and its author's id, removed."""
    scrubbed: dict[str, Any] = walk_strings(item.value, redactor.covering([item.learner]).scrub)
    return scrubbed


def decide(
    store: SqlStore,
    course: Course,
    exchange: CourseExchange,
    wanted: str,
    status: GalleryStatus,
    *,
    by: str,
    redactor: Redactor | None = None,
) -> GalleryItem:
    """Approve or hide the example whose id starts with *wanted*, and publish the gallery again.
    *redactor* is the course's (default: :func:`~peerkit.review.people.course_redactor` without the
    gradebook's names)."""
    item = find_item(gallery_items(store, course), wanted)
    redactor = redactor or course_redactor(store, course, {})
    store.decide_example(
        item.learner,
        item.path_id,
        item.answer_id,
        status,
        content=public_content(item, redactor) if status == "approved" else {},
        checksum=checksum(item.value),
        by=by,
    )
    publish_gallery(store, course, exchange, redactor=redactor)
    return next(i for i in gallery_items(store, course) if i.id == item.id)


def gallery_document(
    course: Course, decisions: Sequence[GalleryDecision], redactor: Redactor | None = None
) -> dict[str, Any]:
    """The public gallery: approved examples as approved, by path, no authors, every name *redactor*
    knows removed from their titles, stories and tags."""
    scrub = redactor.scrub if redactor is not None else str
    order = {p.id: n for n, p in enumerate(course.paths)}
    approved = sorted(
        (d for d in decisions if d.status == "approved" and d.path_id in order),
        key=lambda d: (order[d.path_id], str(d.content.get("title", "")).lower(), d.checksum),
    )
    return documents.dump(
        documents.GALLERY,
        {
            "course_title": course.title,
            "published_at": datetime.now(UTC).isoformat(),
            "items": [_public_item(course, d.path_id, walk_strings(dict(d.content), scrub)) for d in approved],
        },
    )


def _public_item(course: Course, path_id: str, content: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "path": path_id,
        "path_title": course.path(path_id).title,
        "title": str(content.get("title", "")),
        "story": str(content.get("story", "")),
        "tags": [str(t) for t in content.get("tags", [])],
    }


def publish_gallery(
    store: SqlStore, course: Course, exchange: CourseExchange, *, redactor: Redactor | None = None
) -> str:
    """Publish the approved examples through the course's *exchange*; return where they went.
    *redactor*: as for :func:`decide`."""
    redactor = redactor or course_redactor(store, course, {})
    return exchange.publish(GALLERY_FILE, gallery_document(course, store.gallery_decisions(), redactor))
