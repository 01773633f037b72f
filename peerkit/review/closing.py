"""Whether a path's peer review has closed, as every learner may know it.

Once the facilitator closes a path's review (``peerkit review close``), nobody is given reviews any
more, and a learner who submits after it is not given classmates' work nor reviewers. Learners whose
work was reviewed learn it from their feedback; a late submitter has no channel of their own yet, so
the course says it on its public board (:mod:`peerkit.exchange.files.public`): one small document per
path, ``review-<path>.json``, that holds no one's name. The learner's pages read it
(:func:`review_closed`) and say so plainly instead of promising work that will not come.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from peerkit.core import documents
from peerkit.core.answers import parse_time
from peerkit.core.errors import PeerkitError
from peerkit.exchange.base import REVIEW_STATE_FORMAT, CourseExchange, review_state_file

log = logging.getLogger(__name__)


class PublicReader(Protocol):
    """Anything that reads the course's public board (a learner's exchange, a learner context)."""

    def public(self, name: str, fmt: str) -> dict[str, Any] | None: ...


def closed_document(path_id: str, closed_at: datetime) -> dict[str, Any]:
    """The public document saying that *path_id*'s peer review closed at *closed_at*."""
    when = closed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return documents.dump(documents.REVIEW_STATE, {"path": path_id, "closed": True, "closed_at": when})


def announce_closed(exchange: CourseExchange, path_id: str, closed_at: datetime) -> None:
    """Put *path_id*'s closed review on the course's public board (written again, it is the same file)."""
    exchange.publish(review_state_file(path_id), closed_document(path_id, closed_at))


def review_closed(board: PublicReader | None, path_id: str) -> bool:
    """Whether *path_id*'s peer review has closed, as the public *board* says (False when it cannot be
    read: a page then says what it says for an open review rather than failing)."""
    return closed_since(board, path_id) is not None


def closed_since(board: PublicReader | None, path_id: str) -> datetime | None:
    """When *path_id*'s peer review closed, as the course's public *board* says (None: open, or not known;
    a closed document without a readable time reads as closed now)."""
    if board is None:
        return None
    try:
        doc = board.public(review_state_file(path_id), REVIEW_STATE_FORMAT)
    except PeerkitError as exc:
        log.info("whether the review of %s closed is not known: %s", path_id, exc)
        return None
    if doc is None or doc.get("path") != path_id or doc.get("closed") is not True:
        return None
    try:
        return parse_time(str(doc.get("closed_at", "")), field="closed_at")
    except PeerkitError:
        return parse_time("1970-01-01T00:00:00Z", field="closed_at")
