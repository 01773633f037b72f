"""The cohort snapshot (peerkit/facilitator/data.py): what the first tab needs is read at once, the rest
on first use, and the progress figures do not depend on what was read when."""

from __future__ import annotations

from datetime import timedelta

from peerkit.core.activity import new_event
from peerkit.facilitator.data import Cohort, load_cohort
from peerkit.facilitator.figures import equity, health, progress
from tests.facilitator.conftest import PATH, T0, Seeded


def read_everything(cohort: Cohort) -> Cohort:
    """*cohort* with every part read: the full snapshot the dashboard used to take at once."""
    for records in cohort.paths.values():
        _ = records.submissions, records.reviews, records.anchors, records.grades
        for name in cohort.names:
            records.answered(name)
    return cohort


def test_the_progress_snapshot_gives_the_full_snapshots_progress(seeded: Seeded) -> None:
    light = load_cohort(seeded.store, seeded.course)
    full = read_everything(load_cohort(seeded.store, seeded.course))
    assert full.paths[PATH].loaded == {"submissions", "reviews", "anchors", "grades", "answered"}
    assert progress(light, PATH) == progress(full, PATH)
    assert progress(light, None) == progress(full, None)
    # progress never needs the reviews, the anchors or (provisional) grades
    assert not light.paths[PATH].loaded & {"reviews", "anchors", "grades"}
    # the other figures read what they need on first use and agree too
    assert equity(light, PATH) == equity(full, PATH)
    assert health(light, PATH) == health(full, PATH)


def test_progress_reads_no_answer_sheet_when_the_activity_says_answered(seeded: Seeded) -> None:
    seeded.store.record_activity(
        [new_event(name, "answered", PATH, "story", at=T0 + timedelta(hours=1)) for name in ("bo", "cy", "dee")]
    )
    cohort = load_cohort(seeded.store, seeded.course)
    report = progress(cohort, PATH)
    assert cohort.paths[PATH].loaded == frozenset()  # statuses only: not one answer sheet parsed
    assert {r.learner for r in report.rows if r.answered} == {"ana", "bo", "cy", "dee"}
    assert report == progress(read_everything(load_cohort(seeded.store, seeded.course)), PATH)


def test_without_activity_the_answer_sheets_decide_what_was_answered(seeded: Seeded) -> None:
    """bo and cy wrote answers but their pages recorded no "answered" event; dee's sheet is empty."""
    cohort = load_cohort(seeded.store, seeded.course)
    answered = {r.learner: r.answered for r in progress(cohort, PATH).rows}
    assert answered == {"ana": True, "bo": True, "cy": True, "dee": False, "eli": False}
    assert "answered" in cohort.paths[PATH].loaded
