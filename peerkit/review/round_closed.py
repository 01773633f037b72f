"""After a path's peer review closed: when it closed, as a learner's page may know it, and the reviews
learners submitted since, which no grade holds yet.

A closed round is not the end of every review: a facilitator may run ``peerkit review close`` again
(it collects every review submitted since and grades again) or, on a path reviewed in rounds, open it
again with ``peerkit review open``. So a review written after the close is kept, never refused in
silence: the learner's review page says the round closed and when
(:func:`~peerkit.review.closing.closed_since`, read from the course's public board that
:mod:`peerkit.review.closing` writes), and ``peerkit review status``
lists the reviewers whose reviews came after the close (:func:`late_reviews`), waiting for the next
close to take them in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from peerkit.core.answers import FILENAME, MAX_SHEET_BYTES, parse_sheet
from peerkit.core.errors import PeerkitError
from peerkit.core.review import Review, Round
from peerkit.core.rubric import Rubric, check_review, content_from_value
from peerkit.exchange.base import CourseExchange, review_state_file
from peerkit.nbgrader.inbound import entry_learner
from peerkit.nbgrader.learner import parse_exchange_time, read_small
from peerkit.review.closing import announce_closed
from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

SELF = "self"


def late_reviews(
    inbound: Path, review_id: str, rubric: Rubric, closed_at: datetime, stored: Iterable[Review]
) -> tuple[str, ...]:
    """The reviewers who submitted *review_id* (a path's review assignment) in nbgrader's *inbound* folder
    after *closed_at* with a complete review on *rubric* that the store does not hold as it is (*stored*:
    the path's current reviews): reviews no grade counts yet. A submission after the close that only
    rates the feedback (the ratings go as they are given), or sends the reviews unchanged, is not one."""
    held = {(r.reviewer, r.token or SELF): r.content for r in stored}
    newest: dict[str, str] = {}
    try:
        entries = os.scandir(inbound)
    except FileNotFoundError:
        return ()
    with entries:
        for entry in entries:
            parts = entry.name.rsplit("+", 3)
            if len(parts) != 4 or parts[1] != review_id or entry.name <= newest.get(parts[0], ""):
                continue
            when = parse_exchange_time(parts[2])
            if when is not None and when > closed_at:
                newest[entry_learner(entry.name)] = entry.name
    late = []
    for learner, name in sorted(newest.items()):
        try:
            data = read_small(inbound / name / FILENAME, MAX_SHEET_BYTES)
            sheet = parse_sheet(data or b"", expected_path=review_id)
        except (PeerkitError, OSError) as exc:
            log.info("%s's reviews submitted after the close are not readable: %s", learner, exc)
            continue
        for answer_id, answer in sheet.answers.items():
            if answer.kind != "review" or not (answer_id == SELF or answer_id.startswith("r-")):
                continue
            try:
                content = content_from_value(answer.value)
                if check_review(rubric, content):
                    continue
            except PeerkitError:
                continue
            if held.get((learner, answer_id.removeprefix("r-"))) != content:
                late.append(learner)
                break
    return tuple(late)


def after_close(store: SqlStore, exchange: CourseExchange, path_id: str, earlier: Round | None) -> tuple[str, ...]:
    """What follows a close of *path_id*: learners' pages told at once that its peer review closed, and
    when (a review written from now on reaches its author only if a later close takes it in, a submission
    no reviewers; the rolling steward says it too, at its next look; ``review open`` on a round withdraws
    it). Returns the reviewers whose reviews, sent after an *earlier* close, this close took in."""
    closed = store.review_round(path_id)
    if closed is not None and closed.closed_at:
        announce_closed(exchange, path_id, closed.closed_at)
    if earlier is None or earlier.closed_at is None:
        return ()
    since = earlier.closed_at
    return tuple(sorted({r.reviewer for r in store.reviews(path_id) if r.submitted_at > since}))


def reopen(store: SqlStore, exchange: CourseExchange, path_id: str) -> datetime | None:
    """*path_id*'s closed round opened again (``peerkit review open`` after a close): learners' pages told it
    is open again, the store's close time cleared. Returns when it had closed (None: it was open)."""
    earlier = store.review_round(path_id)
    if earlier is None or earlier.closed_at is None:
        return None
    exchange.withdraw(review_state_file(path_id))
    return store.reopen_round(path_id)
