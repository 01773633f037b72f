"""The embedded demo: one folder holds a built course, a local exchange, a learner and a cohort of
synthetic peers, so one person on a laptop can try the whole loop (see :mod:`peerkit.demo.site`,
:mod:`peerkit.demo.cohort` and :mod:`peerkit.demo.autopilot`)."""

from __future__ import annotations

from peerkit.demo.site import (
    Site,
    assignment_ids,
    course_build,
    fetch_all,
    prepare_site,
    setup_facilitator,
    setup_learner,
)

__all__ = [
    "Site",
    "assignment_ids",
    "course_build",
    "fetch_all",
    "prepare_site",
    "setup_facilitator",
    "setup_learner",
]
