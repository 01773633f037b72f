"""The demo cohort's profiles make matching happen: at least 80 % of its learners get a reviewer who
knows something they want to learn, through the real allocators (a round and rolling review)."""

from __future__ import annotations

import pytest

from bench.matching import ALLOCATORS, demo_cohort, shares
from peerkit.config.course import load_course
from peerkit.demo.cohort import demo_profiles, load_peers
from tests.conftest import COURSE_FILE

COURSE = load_course(COURSE_FILE)
TARGET = 0.8


def test_every_demo_peer_has_a_profile_of_topics() -> None:
    peers = load_peers(COURSE)
    profiles = demo_profiles(COURSE, peers)
    assert set(profiles) == {p.name for p in peers}
    for name, profile in profiles.items():
        assert profile.knows and profile.wants, name
        assert profile.knows | profile.wants <= {t.id for t in COURSE.topics}


@pytest.mark.parametrize("allocator", ["round", "rolling"])
@pytest.mark.parametrize("k", sorted({p.review.per_submission for p in COURSE.reviewed_paths() if p.review}))
def test_at_least_80_percent_of_demo_learners_are_matched(allocator: str, k: int) -> None:
    found = shares(demo_cohort(COURSE), k, range(60), ALLOCATORS[allocator])
    assert min(found) >= TARGET, f"{allocator}, k = {k}: worst matched share {min(found):.0%} (< {TARGET:.0%})"
