"""Review commands: open, status, collect, close, flags, exclude, example; grades and overrides.

Each is a shim over :class:`peerkit.facilitator.api.Facilitator`: options in, one call, its summary out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from peerkit.cli.common import (
    api_errors,
    by_default,
    cli,
    course_option,
    db_option,
    echo,
    open_desk,
    progress_bar,
    workdir_option,
)


@cli.group()
def review() -> None:
    """Peer-review rounds: open (and keep open), see who stands where, collect the reviews."""


@review.command("open")
@course_option
@workdir_option
@db_option
@click.option(
    "--per-submission",
    "k",
    type=click.IntRange(1, 10),
    default=None,
    help="Reviewers per submission [default: course.yml].",
)
@click.option("--seed", type=int, default=None, help="Seed of the allocation (default: random, kept for the round).")
@click.option(
    "--watch",
    type=click.IntRange(min=10),
    default=None,
    metavar="SECONDS",
    help="Repeat every SECONDS: late submitters get reviewers at once.",
)
@click.argument("path_id")
@api_errors
def review_open(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    k: int | None,
    seed: int | None,
    watch: int | None,
    path_id: str,
) -> None:
    """Collect PATH_ID's submissions, allocate reviewers and deliver every learner their packets.

    Run it again (or with --watch) to bring in late submitters and to hand reviews that are
    overdue to active learners; finished reviews never move.
    """
    import time

    desk = open_desk(course_file, workdir, db_url, create_store=True)
    while True:
        with progress_bar("ingesting") as bar:
            update = desk.open_round(path_id=path_id, per_submission=k, seed=seed, progress=bar)
        echo(update.summary())
        if watch is None:
            return
        time.sleep(watch)


@review.command("watch")
@course_option
@workdir_option
@db_option
@click.option(
    "--interval",
    type=click.FloatRange(min=0.5),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between two looks.",
)
@click.option("--once", is_flag=True, help="Look once, print what happened, and stop.")
@click.argument("path_ids", nargs=-1)
@api_errors
def review_watch(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    interval: float,
    once: bool,
    path_ids: tuple[str, ...],
) -> None:
    """Keep the rolling paths (review: {mode: rolling}) moving: every learner who submits gets
    peers' work to review at once, reviews are taken in as they come and feedback goes out once an
    author's reviews are in. Every path in rolling mode, or PATH_IDS. Stop with Ctrl-C."""
    import time

    desk = open_desk(course_file, workdir, db_url, create_store=True)
    looks = 0
    try:
        while True:
            result = desk.steward(path_ids=path_ids)
            looks += 1
            if once or result.changed or looks == 1:
                echo(result.summary())
            if once:
                echo(f"facilitator actions needed: {result.actions}")
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        echo(f"stopped after {looks} looks")


@review.command("status")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_status(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str) -> None:
    """Who has how many reviews to do, and who is still waiting for theirs.

    On a path reviewed in rolling mode: reviews given, to do and received, how many peers' submissions
    each learner still waits for, the age of their oldest open review and of their wait; the
    learners waiting longest come first."""
    echo(open_desk(course_file, workdir, db_url).round_status(path_id=path_id).table())


@review.command("responses")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_responses(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str) -> None:
    """What each learner did with the feedback on PATH_ID: what they changed, what they decided not to
    change and why, and the answer they revised (the review page's response to feedback)."""
    echo(open_desk(course_file, workdir, db_url).responses(path_id=path_id).summary())


@review.command("collect")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_collect(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str) -> None:
    """Collect the reviews of PATH_ID through nbgrader and record the finished ones."""
    report = open_desk(course_file, workdir, db_url).collect_reviews(path_id=path_id)
    echo(report.summary())
    for item in report.unfinished:
        echo(f"  unfinished, {item.learner!r}: {item.reason}")
    for item in report.problems:
        echo(f"  refused, {item.learner!r}: {item.reason}")


@review.command("close")
@course_option
@workdir_option
@db_option
@click.option(
    "--gradebook/--no-gradebook",
    default=True,
    show_default=True,
    help="Also write nbgrader's gradebook and feedback HTML (about a third of a second per learner).",
)
@click.argument("path_id")
@api_errors
def review_close(
    course_file: Path | None, workdir: Path | None, db_url: str | None, gradebook: bool, path_id: str
) -> None:
    """Turn PATH_ID's reviews into grades and release them through nbgrader.

    Collects the latest reviews, computes a grade per submission and criterion (overrides made by
    hand are kept), puts each learner's feedback in their review app, then writes scores and the
    peers' comments into nbgrader's gradebook and generates and releases nbgrader feedback (not
    with --no-gradebook: a large cohort has its feedback within the minute, and a later run without
    the option writes nbgrader's side). Run it again after excluding a review or overriding a grade:
    it recomputes and re-releases.
    """
    with progress_bar("grading") as bar:
        desk = open_desk(course_file, workdir, db_url)
        closed = desk.close_round(path_id=path_id, progress=bar, gradebook=gradebook)
    echo(closed.summary())


@cli.command()
@course_option
@workdir_option
@db_option
@click.option("--reviewers", is_flag=True, help="Show each reviewer's agreement and helpfulness instead.")
@click.argument("path_id")
@api_errors
def grades(course_file: Path | None, workdir: Path | None, db_url: str | None, reviewers: bool, path_id: str) -> None:
    """List PATH_ID's grades with how sure each one is (or, with --reviewers, reviewer quality)."""
    desk = open_desk(course_file, workdir, db_url)
    if not reviewers:
        echo(desk.grades(path_id=path_id).table())
        return
    echo("reviewer  reviews  agreement  helpfulness  quality")
    for q in desk.reviewer_quality(path_id=path_id):
        cells = [f"{v:.2f}" if v is not None else "—" for v in (q.agreement, q.helpfulness, q.quality)]
        echo(f"{q.reviewer:<9} {q.reviews:>7}  {cells[0]:>9}  {cells[1]:>11}  {cells[2]:>7}")


@cli.command()
@course_option
@workdir_option
@db_option
@click.option("--reason", required=True, help="Why the grade is set by hand (recorded, and shown to the learner).")
@click.option("--by", "by_whom", default=None, help="Who sets it [default: your user name].")
@click.argument("path_id")
@click.argument("learner")
@click.argument("points")
@api_errors
def override(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    reason: str,
    by_whom: str | None,
    path_id: str,
    learner: str,
    points: str,
) -> None:
    """Set LEARNER's grade of PATH_ID to POINTS by hand, or 'clear' for the computed one; re-release it.

    POINTS are on the path's scale, the one every grade is shown on (its `points:` in course.yml,
    e.g. 0 to 24; the rubric's total for a path without points in the gradebook): the number
    `peerkit grades`, the grades export and the learner's feedback show."""
    desk = open_desk(course_file, workdir, db_url)
    done = desk.override_grade(path_id=path_id, learner=learner, points=points, by=by_default(by_whom), reason=reason)
    echo(done.summary())


@review.command("flags")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_flags(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str) -> None:
    """Reviews flagged by their authors, and grades that deserve a look."""
    echo(open_desk(course_file, workdir, db_url).flags(path_id=path_id).summary())


@review.command("exclude")
@course_option
@workdir_option
@db_option
@click.option("--reason", required=True, help="Why the review does not count (kept with it).")
@click.option("--undo", is_flag=True, help="Count the review again.")
@click.argument("path_id")
@click.argument("packet")
@api_errors
def review_exclude(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    reason: str,
    undo: bool,
    path_id: str,
    packet: str,
) -> None:
    """Leave the review made through PACKET out of PATH_ID's grades (run `review close` to re-release)."""
    desk = open_desk(course_file, workdir, db_url)
    echo(desk.exclude_review(path_id=path_id, packet=packet, reason=reason, exclude=not undo).summary())


@review.command("example")
@course_option
@workdir_option
@db_option
@click.option(
    "--score", "scores", multiple=True, required=True, metavar="CRITERION=POINTS", help="Your level for a criterion."
)
@click.option("--by", "by_whom", default=None, help="Who graded it [default: your user name].")
@click.argument("path_id")
@click.argument("learner")
@api_errors
def review_example(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    scores: Sequence[str],
    by_whom: str | None,
    path_id: str,
    learner: str,
) -> None:
    """Grade LEARNER's submission of PATH_ID yourself, as an example that anchors reviewers' biases.

    Examples anchor the calibrated reviewer model; with the default method (auto) each criterion is
    graded by whichever of the median and that model better predicts held-out reviews.
    """
    desk = open_desk(course_file, workdir, db_url)
    echo(desk.set_example(path_id=path_id, learner=learner, scores=list(scores), by=by_default(by_whom)).summary())
