"""What each learner knows and wants to learn, as review allocation matches it.

Rounds and rolling review both ask here, so that a learner's profile means the same to both."""

from __future__ import annotations

from peerkit.core import allocation as alloc
from peerkit.core.models import Course
from peerkit.storage.sql import SqlStore


def learner_profiles(store: SqlStore, course: Course) -> dict[str, alloc.Profile]:
    """Every learner's allocation profile from the profile they gave (orientation, home page)."""
    result = {}
    for learner, value in store.profiles().items():
        knows = [*value.get("know", []), *value.get("bring", [])]
        result[learner] = alloc.Profile.from_tags(knows=knows, wants=value.get("want", []))
    return result
