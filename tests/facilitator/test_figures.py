"""Dashboard figures against the seeded cohort (tests/facilitator/conftest.py), whose answers are known."""

from __future__ import annotations

from typing import Any

import pytest

from peerkit.core.activity import new_event
from peerkit.core.errors import ConfigError
from peerkit.facilitator.data import load_cohort
from peerkit.facilitator.figures import answer_words, equity, grading_methods, health, progress, reviewer_bias
from peerkit.facilitator.tables import equity_table, health_table, progress_table
from tests.facilitator.conftest import PATH, Seeded


def test_the_stuck_list_and_whom_to_nudge(seeded: Seeded) -> None:
    report = progress(load_cohort(seeded.store, seeded.course), PATH)
    assert [(s.learner, s.reason, s.nudge) for s in report.stuck] == [
        ("bo", "2 reviews still to do", True),
        ("dee", "1 review still to do", True),
        ("ana", "waiting for reviews: 0 of 2", False),
        ("bo", "waiting for reviews: 1 of 2", False),
        ("dee", "waiting for reviews: 1 of 2", False),
    ]
    assert report.nudge == ["bo", "dee"]
    assert "to nudge (reviews others wait for): bo, dee" in progress_table(report, [PATH])


def test_progress_stages_per_learner(seeded: Seeded) -> None:
    report = progress(load_cohort(seeded.store, seeded.course), PATH)
    stages = {
        r.learner: (r.opened, r.answered, r.submitted_with_blanks, r.submitted, r.reviewed, r.feedback_read)
        for r in report.rows
    }
    assert stages == {
        "ana": (True, True, False, True, True, None),
        "bo": (True, True, False, True, False, None),
        "cy": (True, True, False, True, True, None),
        "dee": (True, False, True, False, False, None),  # submitted an empty sheet: never counted as submitted
        "eli": (True, False, False, False, None, None),  # only opened the page
    }  # fay never began: not listed
    assert report.funnel(PATH) == {
        "opened": 5,
        "answered": 3,
        "submitted with blanks": 1,
        "submitted": 3,
        "reviewed": 2,
        "feedback read": 0,
    }
    assert {r.learner: r.blanks for r in report.rows if r.blanks} == {"dee": "no answers"}


def test_the_gini_of_the_planted_distribution(seeded: Seeded) -> None:
    report = equity(load_cohort(seeded.store, seeded.course), PATH)
    assert {v.learner: v.words for v in report.voices} == {"ana": 60, "bo": 10, "cy": 20, "dee": 10, "eli": 0, "fay": 0}
    assert report.gini_words == pytest.approx(0.6)
    assert report.silent == ("eli", "fay")
    assert report.closed_circles == ("south",)
    assert report.timeline[-1][1] == pytest.approx(0.6)
    assert "said nothing yet: eli, fay" in equity_table(report, PATH)


def test_the_disagreement_flags_and_review_health(seeded: Seeded) -> None:
    report = health(load_cohort(seeded.store, seeded.course), PATH)
    assert [g.author for g in report.disagreement] == ["cy"]
    assert any("“Clear”" in r for r in report.disagreement[0].reasons)
    assert report.provisional  # computed while the round is open
    assert (report.assigned, report.done, report.completion) == (7, 4, pytest.approx(4 / 7))
    assert report.mean_comment_words == 10
    assert (report.mean_helpful, report.helpful_counts) == (3.0, {1: 1, 5: 1})
    assert [(f.reviewer, f.author, f.reason) for f in report.flagged] == [("ana", "cy", "Unkind")]
    assert "reviewers disagree: 1" in health_table(report)


def test_reviewer_bias_from_the_calibrated_model(seeded: Seeded) -> None:
    biases = {b.reviewer: b for b in reviewer_bias(load_cohort(seeded.store, seeded.course), PATH)}
    assert set(biases) == {"ana", "cy", "dee"} and biases["ana"].reviews == 2
    assert biases["ana"].bias < biases["dee"].bias  # ana gave 0 on "Clear" where dee gave 2


def test_the_method_that_graded_each_criterion(seeded: Seeded) -> None:
    (records,) = load_cohort(seeded.store, seeded.course).selected(PATH)
    methods = grading_methods(records)
    assert "clear" in {m.criterion for m in methods}
    assert {m.criterion for m in methods} <= {c.id for c in seeded.course.rubric_for(PATH).criteria}
    assert all(m.method for m in methods)


def test_an_unknown_path_is_refused(seeded: Seeded) -> None:
    with pytest.raises(ConfigError):
        progress(load_cohort(seeded.store, seeded.course), "nope")


def test_words_count_what_others_can_read() -> None:
    from peerkit.core.answers import Answer

    assert answer_words(Answer.make("text", "one two three")) == 3
    assert answer_words(Answer.make("plan", {"step": "call Ann", "support": "a friend", "checkin": "x y z"})) == 4
    assert answer_words(Answer.make("scale", 3)) == 0
    assert answer_words(Answer.make("checklist", {"selected": ["A long option"], "other": "mine"})) == 1


def test_a_submission_with_blanks_is_shown_as_such_and_never_as_submitted(seeded: Seeded) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from peerkit.core.store import NewSubmission

    bo = seeded.store.submission("bo", PATH)
    assert bo is not None
    later = NewSubmission("bo", PATH, bo.submitted_at + timedelta(hours=1), bo.sheet, status="incomplete", blank=1)
    seeded.store.record_submissions([replace(later)])
    report = progress(load_cohort(seeded.store, seeded.course), PATH)
    row = next(r for r in report.rows if r.learner == "bo")
    assert (row.submitted, row.submitted_with_blanks, row.blanks) == (False, True, "1 blank")
    assert report.funnel(PATH)["submitted"] == 2 and report.funnel(PATH)["submitted with blanks"] == 2
    table = progress_table(report, [PATH])
    assert "submitted with blanks" in table and "1 blank" in table and "no answers" in table


def test_checks_most_often_wrong_at_the_first_try_come_first(store: Any, review_definition: Any) -> None:
    from datetime import timedelta

    from peerkit.core.answers import Answer, AnswerSheet
    from peerkit.core.store import NewSubmission
    from peerkit.facilitator.figures import checks
    from peerkit.facilitator.tables import checks_table, report
    from tests.facilitator.conftest import T0

    def tried(first_right: bool, attempts: int = 1) -> Answer:
        value = {"type": "choice", "response": 1, "attempts": attempts, "right": True, "first_right": first_right}
        return Answer.make("check", value, updated="2026-11-02T09:00:00Z")

    untried = {"type": "choice", "response": None, "attempts": 0, "right": False, "first_right": False}
    sheets = {
        "ana": {"check-a": tried(True), "check-b": tried(False, 3)},
        "bo": {"check-a": tried(True), "check-b": tried(True)},
        "cy": {"check-a": tried(False, 2), "check-b": Answer.make("check", untried, updated="2026-11-02T09:00:00Z")},
        "dee": {"story": Answer.make("text", "no checks here", updated="2026-11-02T09:00:00Z")},
    }
    for name in sheets:
        store.add_learner(name)
    store.record_submissions(
        [
            NewSubmission(name, PATH, T0 + timedelta(minutes=n), AnswerSheet(path=PATH, answers=answers))
            for n, (name, answers) in enumerate(sheets.items())
        ]
    )
    cohort = load_cohort(store, review_definition)
    found = [(c.answer_id, c.tried, c.first_try, c.share) for c in checks(cohort, PATH)]
    assert found == [("check-b", 2, 1, 0.5), ("check-a", 3, 2, pytest.approx(2 / 3))]
    text = report(cohort, "checks", PATH)
    assert text.splitlines()[2].split() == ["essay", "check-b", "2", "1", "50%"]
    assert checks_table([]) == "checks of understanding: nobody has tried one yet"


def test_a_low_confidence_grade_without_flags_says_how_uncertain_it_is(seeded: Seeded) -> None:
    """The overall grade can be "low" (±0.75 of the rubric's 4) while no criterion is uncertain enough to flag:
    the health text once read "amara: low; " with nothing after it. The ± is on the path's scale (its 5
    points, as the gradebook holds its grades), as is the grade: 0.75 of 4 is 0.94 of 5."""
    from dataclasses import replace

    from peerkit.core.review import Grade

    cohort = load_cohort(seeded.store, seeded.course)
    low = Grade("amara", "median", 3.0, 4.0, 0.75, {}, 2)
    assert low.confidence == "low" and not low.flags
    cohort = replace(cohort, paths={PATH: replace(cohort.paths[PATH], stored_grades=(low,))})  # as if graded
    report = health(cohort, PATH)
    assert [(g.author, g.points, g.reasons) for g in report.low_confidence] == [("amara", 3.75, ("±0.94 of 5 points",))]
    assert "  amara: low; ±0.94 of 5 points" in health_table(report).splitlines()
    assert report.points_of == 5


def test_only_a_submission_the_store_holds_counts_as_submitted(seeded: Seeded) -> None:
    # eli only opened the page; a "submitted" event (a page's word, or a forged one) is not a submission
    seeded.store.record_activity([new_event("eli", "submitted", PATH), new_event("fay", "submitted", PATH)])
    report = progress(load_cohort(seeded.store, seeded.course), PATH)
    assert {r.learner: r.submitted for r in report.rows if r.learner in ("eli", "fay")} == {"eli": False}
    assert report.funnel(PATH)["submitted"] == 3  # ana, bo and cy, as before
