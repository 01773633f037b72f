"""The ``peerkit`` command line: thin shims over the Python API.

Each command parses options, calls one API function and prints its result. Errors the API raises
on purpose (:class:`~peerkit.core.errors.PeerkitError`) become a one-line message and exit code 1.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from peerkit.core.errors import PeerkitError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_WORKDIR = Path(".peerkit") / "demo"


def default_course_file() -> Path:
    """``course/course.yml`` in the current folder, else in the source checkout peerkit runs from."""
    here = Path.cwd() / "course" / "course.yml"
    if here.is_file():
        return here
    checkout = Path(__file__).resolve().parent.parent / "course" / "course.yml"
    return checkout if checkout.is_file() else here


def api_errors(func: F) -> F:
    """Turn a :class:`PeerkitError` into a clean ``Error: ...`` message with exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PeerkitError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


course_option = click.option(
    "--course",
    "course_file",
    type=click.Path(path_type=Path, dir_okay=True),
    default=default_course_file,
    show_default="course/course.yml",
    help="The course definition (course.yml, or the folder holding it).",
)
workdir_option = click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_WORKDIR,
    show_default=True,
    help="Folder for the built course, exchange and learner files.",
)


db_option = click.option(
    "--db",
    "db_url",
    envvar="PEERKIT_DB",
    default=None,
    help="The peerkit store: sqlite:///file or postgresql://user@host/db [default: peerkit.db in WORKDIR].",
)


def _store(db_url: str | None, workdir: Path) -> Any:
    from peerkit.storage.sql import SqlStore
    from peerkit.workspace import Workspace

    return SqlStore.open(db_url or Workspace.at(workdir).store_url)


def _load(course_file: Path) -> tuple[Any, Path | None]:
    from peerkit.course import load_course

    course = load_course(course_file)
    committed = (course.source.parent / "nbgrader_config.py") if course.source else None
    return course, committed if committed and committed.is_file() else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="peerkit")
def cli(verbose: int) -> None:
    """Peer Learning Paths: build, serve and run a peer-learning course in Jupyter."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@course_option
@workdir_option
@click.option("--force", is_flag=True, help="Regenerate and re-release every path even if unchanged.")
@click.argument("paths", nargs=-1)
@api_errors
def build(course_file: Path, workdir: Path, force: bool, paths: Sequence[str]) -> None:
    """Generate and release the course's paths with nbgrader (all, or only PATHS)."""
    from peerkit.demo import course_build
    from peerkit.nbgrader.build import build_course
    from peerkit.workspace import Workspace

    course, committed = _load(course_file)
    results = build_course(
        course_build(course, Workspace.at(workdir), committed), paths=list(paths) or None, force=force
    )
    for result in results:
        click.echo(f"{result.path_id}: {'released' if result.released else 'unchanged'}")


@cli.command()
@course_option
@workdir_option
@click.option("--port", type=int, default=8866, show_default=True, help="Port to serve on.")
@click.option(
    "--ip",
    default="localhost",
    show_default=True,
    help="Interface to bind (keep localhost unless behind an auth proxy).",
)
@click.option("--learner", default=None, help="Learner to serve (default: the course's demo learner).")
@click.option("--no-preheat", is_flag=True, help="Start a fresh kernel per page view instead of preheated ones.")
@click.option("--prepare-only", is_flag=True, help="Build and set everything up, print the command, do not serve.")
@click.option("--no-cohort", is_flag=True, help="Serve without the demo's synthetic peers (course/demo/cohort.yml).")
@api_errors
def serve(
    course_file: Path,
    workdir: Path,
    port: int,
    ip: str,
    learner: str | None,
    no_preheat: bool,
    prepare_only: bool,
    no_cohort: bool,
) -> None:
    """Build the demo course and serve it on localhost with Voilà.

    Builds and releases every path (nbgrader generate + release into a local exchange in WORKDIR,
    SQLite gradebook), fetches them for the demo learner and serves the learner's course home.
    The demo cohort (synthetic peers) submits the peer-reviewed paths and, while the server runs,
    reviews the demo learner's work as soon as it is submitted: the whole loop on one laptop.
    Safe to run again: unchanged paths are not rebuilt and saved answers are never touched.
    """
    from peerkit.demo import course_build, prepare_site
    from peerkit.serve import ServeOptions, run_voila, voila_command, voila_env, write_voila_config
    from peerkit.workspace import Workspace

    course, committed = _load(course_file)
    workspace = Workspace.at(workdir)
    click.echo(f"Preparing {course.title!r} in {workspace.root} ...")
    site = prepare_site(course, workspace, committed_config=committed, learner=learner)
    released = [b.path_id for b in site.builds if b.released]
    click.echo(f"  assignments: {len(site.builds)} ({len(released)} released now, the rest unchanged)")
    click.echo(f"  learner: {site.learner} (answers in {site.course_dir})")
    autopilot = (
        None if no_cohort else _demo_cohort(course, workspace, course_build(course, workspace, committed), site.learner)
    )
    options = ServeOptions(port=port, ip=ip, preheat=not no_preheat)
    config_dir = workspace.voila_dir
    write_voila_config(config_dir, site.notebooks(), options)
    command = voila_command(site.course_dir, config_dir)
    host = "localhost" if options.local_only else ip
    click.echo(f"\nCourse home: http://{host}:{port}/\n")
    if prepare_only:
        click.echo(" ".join(command))
        return
    sys.stdout.flush()
    code = run_voila(command, voila_env(site.learner_home), config_dir, beside=autopilot.run if autopilot else None)
    if code not in (0, -2, 130):
        raise click.ClickException(f"Voilà stopped with exit code {code}")


def _demo_cohort(course: Any, workspace: Any, build: Any, learner: str) -> Any:
    """Enroll the demo peers (once) and return the autopilot that plays facilitator and peers."""
    from peerkit.demo.autopilot import Autopilot
    from peerkit.demo.cohort import enroll_peers, load_cohort
    from peerkit.storage.sql import SqlStore

    peers = load_cohort(course)
    if not peers:
        return None
    store = SqlStore.open(workspace.store_url)
    made = enroll_peers(course, workspace, build, store, peers)
    names = ", ".join(p.name for p in peers)
    click.echo(f"  demo cohort: {len(peers)} peers ({names}); {len(made)} submissions made now")
    reviewed = ", ".join(f"“{p.title}”" for p in course.reviewed_paths())
    click.echo(f"  submit {reviewed} and your peers review you back within seconds")
    return Autopilot(
        course=course, workspace=workspace, build=build, store=store, learner=learner, peers=peers, say=click.echo
    )


@cli.command()
@course_option
@workdir_option
@db_option
@click.option("--no-ingest", is_flag=True, help="Only run nbgrader's collect.")
@click.argument("path_id")
@api_errors
def collect(course_file: Path, workdir: Path, db_url: str | None, no_ingest: bool, path_id: str) -> None:
    """Collect PATH_ID's submissions with nbgrader and ingest every learner's answers into the store.

    Safe to run again: unchanged submissions are left alone, a re-submission becomes the current
    one and the earlier one stays in the history. A folder that cannot be ingested (unsafe name,
    broken or oversize answers) is listed with its reason and skipped.
    """
    from peerkit.demo import course_build
    from peerkit.nbgrader.collect import collect as nbgrader_collect
    from peerkit.nbgrader.ingest import ingest
    from peerkit.workspace import Workspace

    course, committed = _load(course_file)
    course.path(path_id)
    build = course_build(course, Workspace.at(workdir), committed)
    found = nbgrader_collect(build.config(), path_id)
    click.echo(f"collected {len(found)} submission(s) of {path_id} with nbgrader")
    if no_ingest:
        return
    store = _store(db_url, workdir)
    with click.progressbar(length=len(found), label="ingesting", file=sys.stderr) as bar:
        report = ingest(store, build.course_root, path_id, progress=lambda _done, _total: bar.update(1))
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"  skipped {problem.folder!r}: {problem.reason}")


@cli.command()
@workdir_option
@db_option
@click.argument("path_ids", nargs=-1)
@api_errors
def submissions(workdir: Path, db_url: str | None, path_ids: Sequence[str]) -> None:
    """List who has submitted what (all paths, or only PATH_IDS), from the store."""
    rows = _store(db_url, workdir).overview(list(path_ids) or None)
    if not rows:
        click.echo("no submissions ingested yet (peerkit collect PATH)")
        return
    width = max(len("learner"), *(len(r.learner) for r in rows))
    pwidth = max(len("path"), *(len(r.path_id) for r in rows))
    click.echo(f"{'learner':<{width}}  {'path':<{pwidth}}  {'submitted (UTC)':<19}  answers  versions")
    for r in rows:
        when = r.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{r.learner:<{width}}  {r.path_id:<{pwidth}}  {when:<19}  {r.answers:>7}  {r.versions:>8}")


@cli.group()
def review() -> None:
    """Peer-review rounds: open (and keep open), see who stands where, collect the reviews."""


def _review_context(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> tuple[Any, Any, Any]:
    from peerkit.demo import course_build
    from peerkit.workspace import Workspace

    course, committed = _load(course_file)
    course.path(path_id)
    build = course_build(course, Workspace.at(workdir), committed)
    return course, build, _store(db_url, workdir)


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

    course, build, store = _review_context(course_file, workdir, db_url, path_id)
    while True:
        ingested = collect_and_ingest(build.config(), store, path_id)
        click.echo(ingested.summary())
        if store.review_round(path_id) is not None:  # finished reviews must count before deadlines do
            click.echo(collect_reviews(build.config(), store, course, path_id).summary())
        report = open_round(store, course, path_id, exchange_root=build.exchange_root, per_submission=k, seed=seed)
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

    click.echo(round_status(_store(db_url, workdir), path_id).table())


@review.command("collect")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def review_collect(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> None:
    """Collect the reviews of PATH_ID through nbgrader and record the finished ones."""
    from peerkit.review.collect import collect_reviews

    course, build, store = _review_context(course_file, workdir, db_url, path_id)
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

    course, build, store = _review_context(course_file, workdir, db_url, path_id)
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

    course, _build, store = _review_context(course_file, workdir, db_url, path_id)
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

    course, build, store = _review_context(course_file, workdir, db_url, path_id)
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
    _course, _build, store = _review_context(course_file, workdir, db_url, path_id)
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
    _course, _build, store = _review_context(course_file, workdir, db_url, path_id)
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

    course, _build, store = _review_context(course_file, workdir, db_url, path_id)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return its exit code (for ``python -m peerkit`` and the console script)."""
    from peerkit.nbgrader.config import skip_slow_iri_grammar

    skip_slow_iri_grammar()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="peerkit", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
