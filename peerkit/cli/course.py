"""Course commands: build, serve (the demo), collect and ingest, who submitted what."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from peerkit.cli.common import (
    api_errors,
    cli,
    course_option,
    db_option,
    echo,
    open_desk,
    progress_bar,
    settings,
    workdir_option,
)
from peerkit.config.extras import missing
from peerkit.core.completeness import status_label
from peerkit.core.errors import ConfigError, ServerError


@cli.command()
@course_option
@workdir_option
@click.option("--force", is_flag=True, help="Regenerate and re-release every path even if unchanged.")
@click.argument("paths", nargs=-1)
@api_errors
def build(course_file: Path | None, workdir: Path | None, force: bool, paths: Sequence[str]) -> None:
    """Generate and release the course's paths with nbgrader (all, or only PATHS)."""
    from peerkit.apps import DASHBOARD_NOTEBOOK, install_app

    desk = open_desk(course_file, workdir, create_store=True)
    with progress_bar("releasing assignments") as bar:
        built = desk.build(paths=paths, force=force, progress=bar)
    echo(built.summary())
    install_app(DASHBOARD_NOTEBOOK, desk.workspace.facilitator_dir)


#: The entry point group that names what ``peerkit serve`` runs (pyproject.toml: ``demo``). The CLI
#: finds the demo through it instead of importing it: front ends never import each other.
SERVE_GROUP = "peerkit.serve"


def demo_server() -> Callable[..., int]:
    """The function behind ``peerkit serve``: ``(config, *, ip, preheat, prepare_only, cohort,
    dashboard_port, say) -> exit code``, registered as the ``demo`` entry point of :data:`SERVE_GROUP`."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=SERVE_GROUP, name="demo"):
        server: Callable[..., int] = entry.load()
        return server
    raise ConfigError(
        f"no server for `peerkit serve`: the entry point {SERVE_GROUP}:demo is not installed; "
        "reinstall peerkit (pip install peerkit, or `python3 -m peerkit serve` in a checkout)",
        source="entry points",
    )


@cli.command()
@course_option
@workdir_option
@click.option("--port", type=int, default=None, help="Port to serve on [default: 8866].")
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
@click.option(
    "--dashboard-port",
    type=int,
    default=None,
    help="Port of the facilitator dashboard, on localhost [default: PORT + 1].",
)
@click.option("--no-dashboard", is_flag=True, help="Do not serve the facilitator dashboard.")
@db_option
@api_errors
def serve(
    course_file: Path | None,
    workdir: Path | None,
    port: int | None,
    ip: str,
    learner: str | None,
    no_preheat: bool,
    prepare_only: bool,
    no_cohort: bool,
    dashboard_port: int | None,
    no_dashboard: bool,
    db_url: str | None,
) -> None:
    """Build the demo course and serve it on localhost with Voilà.

    Builds and releases every path (nbgrader generate + release into a local exchange in WORKDIR,
    SQLite gradebook), fetches them for the demo learner and serves the learner's course home.
    The demo cohort (synthetic peers) submits the peer-reviewed paths and, while the server runs,
    reviews the demo learner's work as soon as it is submitted: the whole loop on one laptop.
    The facilitator dashboard is served on a second port (from the facilitator's own folder).
    Safe to run again: unchanged paths are not rebuilt and saved answers are never touched.
    """
    from peerkit.config.course import load_course
    from peerkit.config.notebooks import check_notebooks

    config = settings(course_file=course_file, workdir=workdir, db_url=db_url, port=port, learner=learner)
    check_notebooks(load_course(config.course_file))
    absent = missing("dashboard")
    if absent and not no_dashboard:
        no_dashboard = True
        echo(f"Not serving the facilitator dashboard: it needs {', '.join(absent)} (pip install 'peerkit[dashboard]')")
    try:
        code = demo_server()(
            config,
            ip=ip,
            preheat=not no_preheat,
            prepare_only=prepare_only,
            cohort=not no_cohort,
            dashboard_port=None if no_dashboard else (dashboard_port or config.port + 1),
            say=echo,
        )
    except ServerError as exc:  # the command fails with the server's own exit code
        echo(f"Error: {exc}", err=True)
        click.get_current_context().exit(exc.exit_code if exc.exit_code and exc.exit_code > 0 else 1)
    if code not in (0, -2, 130):
        raise click.ClickException(f"Voilà stopped with exit code {code}")


@cli.command()
@course_option
@workdir_option
@db_option
@click.option("--no-ingest", is_flag=True, help="Only run nbgrader's collect.")
@click.argument("path_id")
@api_errors
def collect(course_file: Path | None, workdir: Path | None, db_url: str | None, no_ingest: bool, path_id: str) -> None:
    """Collect PATH_ID's submissions with nbgrader and ingest every learner's answers into the store.

    Safe to run again: unchanged submissions are left alone, a re-submission becomes the current
    one and the earlier one stays in the history. A folder that cannot be ingested (unsafe name,
    broken or oversize answers) is listed with its reason and skipped.
    """
    desk = open_desk(course_file, workdir, db_url, create_store=True)
    with progress_bar("collecting") as bar:
        collected = desk.collect(path_id=path_id, ingest=False, progress=bar)
    echo(collected.summary())
    if no_ingest:
        return
    with progress_bar("ingesting") as bar:
        report = desk.ingest(path_id=path_id, progress=bar)
    echo(report.summary())
    for gap in report.not_complete:
        echo(f"  not complete: {gap.describe()}")
    for problem in report.problems:
        echo(f"  skipped {problem.folder!r}: {problem.reason}")


@cli.command()
@course_option
@workdir_option
@db_option
@click.argument("path_ids", nargs=-1)
@api_errors
def submissions(course_file: Path | None, workdir: Path | None, db_url: str | None, path_ids: Sequence[str]) -> None:
    """List who has submitted what (all paths, or only PATH_IDS), from the store; a submission after its
    path's due date (course.yml) says how late it came."""
    from peerkit.review.round import age

    rows = open_desk(course_file, workdir, db_url).submissions(path_ids=path_ids)
    if not rows:
        which = " of " + ", ".join(path_ids) if path_ids else ""
        echo(f"no submissions{which} ingested yet (peerkit collect {path_ids[0] if path_ids else 'PATH'})")
        return
    width = max(len("learner"), *(len(r.learner) for r in rows))
    pwidth = max(len("path"), *(len(r.path_id) for r in rows))
    echo(f"{'learner':<{width}}  {'path':<{pwidth}}  {'submitted (UTC)':<19}  answers  versions  status")
    for r in rows:
        when = r.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
        state = status_label(r.status, r.blank) + (f", late by {age(r.late)}" if r.late is not None else "")
        echo(f"{r.learner:<{width}}  {r.path_id:<{pwidth}}  {when:<19}  {r.answers:>7}  {r.versions:>8}  {state}")
