"""Answer kinds: what a learner's answer can be, each declared in one module of this package.

To add a kind, write one module here (see ``text.py`` or CONTRIBUTING.md, "Adding an answer kind")
and add one line below. Order matters only for listings.
"""

from __future__ import annotations

from peerkit.core.kinds import (
    check,
    checklist,
    example,
    peers,
    plan,
    profile,
    project,
    rating,
    response,
    review,
    scale,
    text,
)
from peerkit.core.kinds.base import AnswerKind, GalleryEntry
from peerkit.core.kinds.registry import all_kinds, by_method, find, get, register, unregister

register(text.KIND)
register(scale.KIND)
register(checklist.KIND)
register(profile.KIND)
register(plan.KIND)
register(example.KIND)
register(review.KIND)
register(rating.KIND)
register(check.KIND)
register(project.KIND)
register(project.SUMMARY)
register(peers.KIND)
register(response.KIND)

__all__ = ["AnswerKind", "GalleryEntry", "all_kinds", "by_method", "find", "get", "register", "unregister"]
