"""The read-only sections of the facilitator dashboard as HTML: progress, participation, review health,
grades. Figures come from :mod:`peerkit.facilitator.figures`, plots from :mod:`peerkit.dashboard.plots`
(inline SVG, each with a summary and its data table); every piece of text is escaped.

Each section is drawn on its own (:data:`SECTIONS`), so the app draws only the tab on screen."""

from __future__ import annotations

import html
from collections.abc import Sequence

from peerkit.core.models import Course
from peerkit.dashboard import plots
from peerkit.facilitator.data import Cohort, PathRecords
from peerkit.facilitator.figures import (
    STAGES,
    Health,
    LearnerProgress,
    equity,
    grade_points,
    grade_scale,
    grading_methods,
    health,
    progress,
    reviewer_bias,
)
from peerkit.facilitator.tables import CIRCLES, VOICES, circle_rows, voice_rows

MUTED = "#55595f"
HEALTH = ("path", "reviews done", "average comment", "helpfulness", "flagged", "reviewers disagree", "low confidence")


def _h(text: str) -> str:
    return f'<h3 style="margin:1em 0 0.3em 0">{html.escape(text)}</h3>'


def _p(text: str, *, css: str = "") -> str:
    return f'<p class="{css}" style="margin:4px 0">{html.escape(text)}</p>'


def _when(moment: object) -> str:
    return moment.strftime("%d %b %H:%M") if hasattr(moment, "strftime") else ""


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("✓" if value else "")


def _stage_cell(row: LearnerProgress, stage: str) -> str:
    """A stage's cell; a submission with blanks says what it lacks ("2 blank", "no answers")."""
    return (row.blanks if stage == "submitted with blanks" else "") or _mark(row.stage(stage))


def progress_html(cohort: Cohort, path_id: str | None) -> str:
    report = progress(cohort, path_id)
    parts = []
    learners = len(cohort.learners)
    if path_id is None:
        counts = {rec.path.title: report.funnel(rec.id) for rec in cohort.selected(None)}
        parts.append(plots.funnels(counts, learners=learners).html())
    else:
        title = cohort.course.path(path_id).title
        parts.append(plots.funnel(report.funnel(path_id), title=title, learners=learners).html())
        rows = [[r.learner, *(_stage_cell(r, s) for s in STAGES), _when(r.last_seen)] for r in report.rows]
        parts += [
            _h("Learners"),
            plots.data_table(["learner", *STAGES, "last seen"], rows, caption=f"Learners in {title}"),
        ]
    parts.append(_h(f"Stuck ({len(report.stuck)})"))
    if report.stuck:
        rows = [[s.learner, s.path_id, s.reason, _when(s.since)] for s in report.stuck]
        parts.append(
            plots.data_table(
                ["learner", "path", "why", "since"], rows, caption="Stuck", css="peerkit-table peerkit-stuck"
            )
        )
    else:
        parts.append(_p("Nobody is stuck."))
    nudge = ", ".join(report.nudge) if report.nudge else "nobody"
    parts += [_h("To nudge"), _p(f"Reviews others are waiting for: {nudge}", css="peerkit-nudge")]
    return "".join(parts)


def equity_html(cohort: Cohort, path_id: str | None) -> str:
    report = equity(cohort, path_id)
    scope = cohort.course.path(path_id).title if path_id else "the whole course"
    parts = [
        _p(
            f"In {scope}: Gini coefficient of words {report.gini_words:.2f}, "
            f"of reviews given {report.gini_reviews:.2f} (0 = every voice equally, towards 1 = a few voices)."
        ),
        plots.word_shares({v.learner: v.share for v in report.voices}).html(),
        plots.participation_timeline(list(report.timeline)).html(),
        _h(f"Said nothing yet ({len(report.silent)})"),
        _p(", ".join(report.silent) if report.silent else "Everybody has written something.", css="peerkit-silent"),
    ]
    if report.circles:
        parts += [_h("Circles"), plots.data_table(CIRCLES, circle_rows(report), caption="Circles")]
    parts += [_h("Voices"), plots.data_table(VOICES, voice_rows(report), caption="Voices")]
    return "".join(parts)


def _reviewed(cohort: Cohort, path_id: str | None) -> list[PathRecords]:
    return [r for r in cohort.selected(path_id) if r.path.review is not None]


def health_html(cohort: Cohort, path_id: str | None) -> str:
    parts = []
    for rec in _reviewed(cohort, path_id):
        report = health(cohort, rec.id)
        parts.append(_h(rec.path.title))
        if rec.round is None:
            parts.append(_p("No review round yet."))
            continue
        done = "—" if report.completion is None else f"{report.completion:.0%}"
        words = "—" if report.mean_comment_words is None else f"{report.mean_comment_words:g} words"
        helpful = (
            "no ratings yet"
            if report.mean_helpful is None
            else f"{report.mean_helpful:.2f} of 5 ({report.ratings} ratings)"
        )
        parts.append(
            plots.data_table(
                HEALTH,
                [
                    [
                        rec.path.title,
                        f"{report.done} of {report.assigned} ({done})",
                        words,
                        helpful,
                        len(report.flagged),
                        len(report.disagreement),
                        len(report.low_confidence),
                    ]
                ],
                caption=f"Review health: {rec.path.title}",
            )
        )
        if report.provisional:
            parts.append(_p("Grades below are provisional: the round is still open.", css="peerkit-provisional"))
        if report.flagged:
            rows = [[f.token, f.reviewer, f.author, f.reason, "yes" if f.excluded else ""] for f in report.flagged]
            parts += [
                _h("Flagged reviews"),
                plots.data_table(
                    ["packet", "reviewer", "flagged by", "why", "excluded"], rows, caption="Flagged reviews"
                ),
            ]
        if report.disagreement:
            rows = [
                [g.author, "" if g.points is None else f"{g.points:g}", "; ".join(g.reasons)]
                for g in report.disagreement
            ]
            parts += [
                _h("Reviewers disagree"),
                plots.data_table(
                    ["author", _points_of(report), "why"],
                    rows,
                    caption="Reviewers disagree",
                    css="peerkit-table peerkit-disagreement",
                ),
            ]
        if report.low_confidence:
            rows = [
                [g.author, "" if g.points is None else f"{g.points:g}", g.confidence] for g in report.low_confidence
            ]
            parts += [
                _h("Low confidence"),
                plots.data_table(["author", _points_of(report), "confidence"], rows, caption="Low confidence"),
            ]
        parts += _responses_html(rec)
    return "".join(parts) or _p("No path of this selection is peer reviewed.")


def _responses_html(rec: PathRecords) -> list[str]:
    """What each author did with the feedback they received (the review page's response): whether the
    loop closed, in the learners' own words."""
    answered = rec.responses
    parts = [_h(f"What learners did with their feedback ({len(answered)})")]
    if not answered:
        return [*parts, _p("No learner has responded to their feedback yet.")]
    rows = [[learner, text] for learner, text in sorted(answered.items())]
    table = plots.data_table(
        ["learner", "response"], rows, caption="Responses to feedback", css="peerkit-table peerkit-responses"
    )
    return [*parts, table]


def _points_of(report: Health) -> str:
    """The heading of a column of grades: on the path's scale, out of its points."""
    return "points" if report.points_of is None else f"points (of {report.points_of:g})"


def grades_html(cohort: Cohort, path_id: str | None) -> str:
    parts = []
    for rec in _reviewed(cohort, path_id):
        if not rec.grades:
            parts += [_h(rec.path.title), _p("No grades yet.")]
            continue
        scale = grade_scale(cohort, rec.id)  # the gradebook's and the export's points, one scale
        shown = plots.grade_distribution(grade_points(rec, scale), scale.maximum, title=f"Grades: {rec.path.title}")
        parts.append(shown.html())
        # Which method graded each criterion and why: "auto" chose it on this round's evidence.
        parts += [
            _p(f"“{m.criterion}” graded by {m.why or m.method}", css="peerkit-method") for m in grading_methods(rec)
        ]
        biases = reviewer_bias(cohort, rec.id)
        parts.append(plots.bias_chart(biases, title=f"Reviewer bias: {rec.path.title}").html())
        rows = [
            [
                g.author,
                "" if (points := scale.grade(g)) is None else f"{points:g}",
                g.confidence,
                g.reviews,
                "; ".join(g.flags),
            ]
            for g in rec.grades
        ]
        parts.append(
            plots.data_table(
                ["author", f"points (of {scale.maximum:g})", "confidence", "reviews", "flags"],
                rows,
                caption=f"Grades: {rec.path.title}",
            )
        )
    return "".join(parts) or _p("No path of this selection is peer reviewed.")


def path_options(course: Course) -> Sequence[tuple[str, str]]:
    """The dashboard's choice of path: all of them (""), or one."""
    return [("All paths", ""), *((p.title, p.id) for p in course.paths)]


#: The read-only sections, in tab order, with the function that draws each.
SECTIONS = {
    "Progress": progress_html,
    "Participation": equity_html,
    "Review health": health_html,
    "Grades": grades_html,
}
