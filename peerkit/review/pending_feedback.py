"""Feedback with its grade pending, in rolling review: released the moment ``k`` reviews of an author's work are in.

The feedback document goes out with its grade fields null (a pending grade): the grade comes when
the path closes (:meth:`~peerkit.facilitator.api.Facilitator.close_round`). Reviews that arrive
later release it again, with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from peerkit.core.models import Course, LearningPath
from peerkit.core.redaction import Person
from peerkit.core.review import Grade
from peerkit.exchange.base import CourseExchange, Parcel, feedback_file
from peerkit.review.feedback import feedback_document, received_reviews
from peerkit.review.people import course_people
from peerkit.review.rolling_state import PathState
from peerkit.storage.sql import SqlStore


def release_pending(
    store: SqlStore,
    course: Course,
    exchange: CourseExchange,
    path: LearningPath,
    state: PathState,
    authors: set[str],
    *,
    people: Mapping[str, Person],
    now: datetime,
) -> list[str]:
    """Release the feedback of every author among *authors* with ``k`` finished reviews, every name *people*
    (the gradebook's) and the profiles give a reviewer removed from their comments."""
    k = state.round.per_submission
    ready = sorted(a for a in authors if state.pool.done(a) >= k and state.released.get(a) != state.pool.done(a))
    if not ready:
        return []
    rubric = course.rubric_for(path.id)
    parcels = []
    counts = {}
    # The profiles' names as they are now (a reviewer may have named themselves since *people* was built),
    # read once for every author released.
    known = course_people(store, people)
    for author in ready:
        reviews = received_reviews(store, path.id, author, people=known)
        pending = Grade(
            author=author,
            method="pending",
            points=None,
            max_points=rubric.max_points,
            uncertainty=None,
            criteria={},
            reviews=len(reviews),
        )
        document = feedback_document(course, path.id, pending, reviews)
        parcels.append(Parcel(author, {feedback_file(path.id): document}, state.keys.get(author)))
        counts[author] = state.pool.done(author)
    exchange.deliver(parcels)
    store.mark_feedback_released(path.id, counts, now=now)
    state.released.update(counts)
    return ready
