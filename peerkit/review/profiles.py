"""What each learner knows and wants to learn, as review allocation matches it.

Rounds and rolling review both ask here, so that a learner's profile means the same to both: the
topics of the course's vocabulary (course.yml ``topics:``) that the learner kept as chips, or that
their own words name (:func:`peerkit.core.topics.profile_from_answer`)."""

from __future__ import annotations

from peerkit.core import allocation as alloc
from peerkit.core.models import Course
from peerkit.core.topics import profile_from_answer
from peerkit.storage.sql import SqlStore


def learner_profiles(store: SqlStore, course: Course) -> dict[str, alloc.Profile]:
    """Every learner's allocation profile from the profile they gave (orientation, home page)."""
    return {learner: profile_from_answer(value, course.topics) for learner, value in store.profiles().items()}
