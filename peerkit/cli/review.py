"""Review commands: open, status, collect, close, flags, exclude, example; grades and overrides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from peerkit.cli.common import api_errors, cli, course_option, db_option, open_store, review_context, workdir_option


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
    course_file: Path,
    workdir: Path,
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

    from peerkit.nbgrader.ingest import collect_and_ingest
    from peerkit.review.collect import collect_reviews
    from peerkit.review.round import open_round

    course, build, store = review_context(course_file, workdir, db_url, path_id)
    while True:
        ingested = collect_and_ingest(build.config(), store, path_id)
        click.echo(ingested.summary())
        if store.review_round(path_id) is not None:  # finished reviews must count before deadlines do
            click.echo(collect_reviews(build.config(), store, course, path_id).summary())
        report = open_round(store, course, path_id, exchange_root=build.channel_root, per_submission=k, seed=seed)
        click.echo(report.summary())
        if watch is None:
            return
        time.sleep(watch)


@review.command("status")
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_status(workdir: Path, db_url: str | None, path_id: str) -> None:
    """Who has how many reviews to do, and who is still waiting for theirs."""
    from peerkit.review.round import round_status

    click.echo(round_status(open_store(db_url, workdir), path_id).table())


@review.command("collect")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_collect(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> None:
    """Collect the reviews of PATH_ID through nbgrader and record the finished ones."""
    from peerkit.review.collect import collect_reviews

    course, build, store = review_context(course_file, workdir, db_url, path_id)
    report = collect_reviews(build.config(), store, course, path_id)
    click.echo(report.summary())
    for item in report.unfinished:
        click.echo(f"  unfinished, {item.learner!r}: {item.reason}")
    for item in report.problems:
        click.echo(f"  refused, {item.learner!r}: {item.reason}")


@review.command("close")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_close(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> None:
    """Turn PATH_ID's reviews into grades and release them through nbgrader.

    Collects the latest reviews, computes a grade per submission and criterion (overrides made by
    hand are kept), writes scores and the peers' comments into nbgrader's gradebook, generates
    and releases nbgrader feedback, and puts each learner's feedback in their review app. Run it
    again after excluding a review or overriding a grade: it recomputes and re-releases.
    """
    from peerkit.review.collect import collect_reviews
    from peerkit.review.feedback import close_round

    course, build, store = review_context(course_file, workdir, db_url, path_id)
    click.echo(collect_reviews(build.config(), store, course, path_id).summary())
    click.echo(close_round(store, course, build, path_id).table())


@cli.command()
@course_option
@workdir_option
@db_option
@click.option("--reviewers", is_flag=True, help="Show each reviewer's agreement and helpfulness instead.")
@click.argument("path_id")
@api_errors
def grades(course_file: Path, workdir: Path, db_url: str | None, reviewers: bool, path_id: str) -> None:
    """List PATH_ID's grades with how sure each one is (or, with --reviewers, reviewer quality)."""
    from peerkit.review.feedback import CloseReport
    from peerkit.review.grading import reviewer_quality

    course, _build, store = review_context(course_file, workdir, db_url, path_id)
    if reviewers:
        rows = reviewer_quality(store, course, path_id)
        click.echo("reviewer  reviews  agreement  helpfulness  quality")
        for q in rows:
            cells = [f"{v:.2f}" if v is not None else "—" for v in (q.agreement, q.helpfulness, q.quality)]
            click.echo(f"{q.reviewer:<9} {q.reviews:>7}  {cells[0]:>9}  {cells[1]:>11}  {cells[2]:>7}")
        return
    click.echo(CloseReport(path_id, tuple(store.grades(path_id)), ()).table().rsplit("\n", 1)[0])


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
    course_file: Path,
    workdir: Path,
    db_url: str | None,
    reason: str,
    by_whom: str | None,
    path_id: str,
    learner: str,
    points: str,
) -> None:
    """Set LEARNER's grade of PATH_ID to POINTS by hand, or 'clear' for the computed one; re-release it."""
    import getpass

    from peerkit.core.errors import ValidationError
    from peerkit.review.feedback import release

    course, build, store = review_context(course_file, workdir, db_url, path_id)
    maximum = course.rubric_for(path_id).max_points
    value: float | None = None
    if points != "clear":
        try:
            value = float(points)
        except ValueError:
            raise ValidationError(f"points must be a number from 0 to {maximum:g}, or 'clear'") from None
        if not 0 <= value <= maximum:
            raise ValidationError(f"points must be between 0 and {maximum:g}")
    store.override_grade(path_id, learner, value, by=by_whom or getpass.getuser(), reason=reason)
    release(store, course, build, path_id, learners=[learner])
    done = "computed grade restored" if value is None else f"{value:g} / {maximum:g} set by hand"
    click.echo(f"{learner}: {done}; re-released")


@review.command("flags")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_flags(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> None:
    """Reviews flagged by their authors, and grades that deserve a look."""
    _course, _build, store = review_context(course_file, workdir, db_url, path_id)
    excluded = {r.token: r for r in store.reviews(path_id) if r.excluded}
    flagged = [r for r in store.ratings(path_id) if r.flagged]
    click.echo(f"reviews flagged by their authors: {len(flagged)}")
    for rating in flagged:
        state = "excluded" if rating.token in excluded else "counted"
        click.echo(
            f"  packet {rating.token} ({state}), flagged by {rating.rater}: {rating.flag_reason or '(no reason given)'}"
        )
    looks = [g for g in store.grades(path_id) if g.flags] if store.review_round(path_id) else []
    click.echo(f"grades to look at: {len(looks)}")
    for grade in looks:
        click.echo(f"  {grade.author}: {'; '.join(grade.flags)}")


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
    course_file: Path, workdir: Path, db_url: str | None, reason: str, undo: bool, path_id: str, packet: str
) -> None:
    """Leave the review made through PACKET out of PATH_ID's grades (run `review close` to re-release)."""
    _course, _build, store = review_context(course_file, workdir, db_url, path_id)
    store.exclude_review(path_id, packet, reason=reason, exclude=not undo)
    click.echo(
        f"review {packet} {'counts again' if undo else 'excluded'}; run `peerkit review close {path_id}` to re-release"
    )


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
    course_file: Path,
    workdir: Path,
    db_url: str | None,
    scores: Sequence[str],
    by_whom: str | None,
    path_id: str,
    learner: str,
) -> None:
    """Grade LEARNER's submission of PATH_ID yourself, as an example that anchors reviewers' biases.

    With examples, grades use the calibrated reviewer model (unless the path sets another method).
    """
    import getpass

    from peerkit.core.errors import ValidationError

    course, _build, store = review_context(course_file, workdir, db_url, path_id)
    rubric = course.rubric_for(path_id)
    parsed = {}
    for item in scores:
        key, _, value = item.partition("=")
        try:
            parsed[key] = rubric.criterion(key).level(float(value)).points
        except ValueError:
            raise ValidationError(f"--score {item!r}: expected CRITERION=POINTS") from None
    missing = [c.id for c in rubric.criteria if c.id not in parsed]
    if missing:
        raise ValidationError(f"give a score for every criterion; missing: {', '.join(missing)}")
    store.set_anchor(path_id, learner, parsed, by=by_whom or getpass.getuser())
    total = f"{sum(parsed.values()):g} / {rubric.max_points:g}"
    click.echo(f"{learner}'s submission of {path_id} is now a graded example ({total})")
