"""The embedded demo: one folder holds a built course, a local exchange, a learner and a cohort of
synthetic peers, so one person on a laptop can try the whole loop (see :mod:`peerkit.demo.site`,
:mod:`peerkit.demo.cohort`, :mod:`peerkit.demo.autopilot` and :mod:`peerkit.demo.serve`).

The demo sits on the Facilitator API (:mod:`peerkit.facilitator`); ``course_build`` and
``assignment_ids`` are re-exported from there for the tests and benchmarks that build courses.
"""

from __future__ import annotations

from peerkit.demo.site import Site, fetch_all, prepare_site, setup_facilitator, setup_learner
from peerkit.facilitator.build import assignment_ids, course_build

__all__ = [
    "Site",
    "assignment_ids",
    "course_build",
    "fetch_all",
    "prepare_site",
    "setup_facilitator",
    "setup_learner",
]
