"""The dashboard's figures as plain-text tables, for ``peerkit dashboard progress|equity|health``."""

from __future__ import annotations

from collections.abc import Sequence

from peerkit.core.equity import Participation
from peerkit.core.errors import ValidationError
from peerkit.core.terminal import terminal_safe
from peerkit.facilitator.data import Cohort
from peerkit.facilitator.figures import (
    STAGES,
    CheckResult,
    Health,
    LearnerProgress,
    Progress,
    checks,
    equity,
    health,
    progress,
)


def table(header: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell; the columns numbered in *right* aligned right. A cell's
    control and bidi characters are shown, not obeyed (a cell may hold what a learner wrote)."""
    cells = [
        [str(c) for c in header],
        *[[("" if c is None else terminal_safe(str(c), one_line=True)) for c in row] for row in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "")


def _stage_cell(row: LearnerProgress, stage: str) -> str:
    """A stage's cell; a submission with blanks says what it lacks ("2 blank", "no answers")."""
    return (row.blanks if stage == "submitted with blanks" else "") or _mark(row.stage(stage))


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def progress_table(report: Progress, path_ids: Sequence[str]) -> str:
    blocks = []
    for path_id in path_ids:
        rows = [r for r in report.rows if r.path_id == path_id]
        funnel = report.funnel(path_id)
        lines = [f"{path_id}: " + ", ".join(f"{funnel[s]} {s}" for s in STAGES)]
        if rows:
            body = [[r.learner, *(_stage_cell(r, s) for s in STAGES)] for r in rows]
            lines.append(table(["learner", *STAGES], body))
        blocks.append("\n".join(lines))
    stuck = report.stuck
    blocks.append(f"stuck: {len(stuck)}" + ("" if stuck else " (nobody)"))
    if stuck:
        when = [s.since.strftime("%Y-%m-%d %H:%M") if s.since else "" for s in stuck]
        blocks.append(
            table(
                ["path", "learner", "why", "since (UTC)"],
                [[s.path_id, s.learner, s.reason, w] for s, w in zip(stuck, when, strict=True)],
            )
        )
    nudge = report.nudge
    blocks.append("to nudge (reviews others wait for): " + (", ".join(nudge) if nudge else "nobody"))
    return "\n\n".join(blocks)


VOICES = ("learner", "circle", "words", "share", "reviews given", "received")
CIRCLES = ("circle", "members", "reviews given inside", "received from inside", "only reviews itself")


def voice_rows(report: Participation) -> list[list[object]]:
    """One row per learner, the most words first (columns: :data:`VOICES`)."""
    return [
        [v.learner, v.circle or "", v.words, f"{v.share:.0%}", v.reviews_given, v.reviews_received]
        for v in sorted(report.voices, key=lambda v: (-v.words, v.learner))
    ]


def circle_rows(report: Participation) -> list[list[object]]:
    """One row per circle (columns: :data:`CIRCLES`)."""
    return [
        [
            c.circle,
            c.members,
            f"{c.given_inside} of {c.given}",
            f"{c.received_inside} of {c.received}",
            "yes" if c.closed else "",
        ]
        for c in report.circles
    ]


def equity_table(report: Participation, scope: str) -> str:
    lines = [
        f"{scope}: Gini of words {report.gini_words:.2f}, of reviews given {report.gini_reviews:.2f} "
        "(0 = everyone equally, 1 = one voice)",
        table(VOICES, voice_rows(report), right=(2, 3, 4, 5)),
        "said nothing yet: " + (", ".join(report.silent) if report.silent else "nobody"),
    ]
    if report.circles:
        lines.append(table(CIRCLES, circle_rows(report)))
    return "\n\n".join(lines)


def health_table(report: Health) -> str:
    done = f"{report.done} of {report.assigned} reviews done ({_share(report.completion)})"
    words = "—" if report.mean_comment_words is None else f"{report.mean_comment_words:g} words"
    helpful = (
        "no ratings yet"
        if report.mean_helpful is None
        else f"{report.mean_helpful:.2f} / 5 from {report.ratings} ratings"
    )
    lines = [
        f"{report.path_id}: {done}",
        f"average comment length: {words}",
        f"helpfulness: {helpful}" + (f" {report.helpful_counts}" if report.helpful_counts else ""),
        f"flagged reviews: {len(report.flagged)}",
    ]
    for f in report.flagged:
        state = " (excluded)" if f.excluded else ""
        reason = terminal_safe(f.reason, one_line=True) if f.reason else "(no reason given)"
        lines.append(f"  packet {f.token} by {f.reviewer} for {f.author}{state}: {reason}")
    note = " (provisional: the round is not closed)" if report.provisional else ""
    lines.append(f"reviewers disagree: {len(report.disagreement)}{note}")
    lines += [f"  {g.author}: {'; '.join(g.reasons)}" for g in report.disagreement]
    lines.append(f"low confidence: {len(report.low_confidence)}")
    lines += [f"  {g.author}: {g.confidence}; {'; '.join(g.reasons)}" for g in report.low_confidence]
    return "\n".join(lines)


def checks_table(results: list[CheckResult]) -> str:
    """The checks of understanding, the most often wrong at the first try first."""
    if not results:
        return "checks of understanding: nobody has tried one yet"
    rows = [[c.path_id, c.answer_id, c.tried, c.first_try, _share(c.share)] for c in results]
    heading = "checks of understanding, the most often wrong at the first try first:"
    return heading + "\n" + table(["path", "check", "tried", "right first try", "share"], rows, right=(2, 3, 4))


def report(cohort: Cohort, name: str, path_id: str | None) -> str:
    """The figures *name* (``progress``, ``equity``, ``health`` or ``checks``) of *path_id* (None: every
    path) as text."""
    if name == "progress":
        return progress_table(progress(cohort, path_id), [r.id for r in cohort.selected(path_id)])
    if name == "equity":
        return equity_table(equity(cohort, path_id), path_id or "the whole course")
    if name == "health" and path_id is not None:
        cohort.course.rubric_for(path_id)  # a clear error for a path without peer review
        return health_table(health(cohort, path_id))
    if name == "checks":
        return checks_table(checks(cohort, path_id))
    raise ValidationError(f"no figures called {name!r} for {path_id or 'every path'}")
