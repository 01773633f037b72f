"""Course commands: build, serve (the demo), collect and ingest, who submitted what."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from peerkit.cli.common import api_errors, cli, course_option, db_option, load_definition, open_store, workdir_option


@cli.command()
@course_option
@workdir_option
@click.option("--force", is_flag=True, help="Regenerate and re-release every path even if unchanged.")
@click.argument("paths", nargs=-1)
@api_errors
def build(course_file: Path, workdir: Path, force: bool, paths: Sequence[str]) -> None:
    """Generate and release the course's paths with nbgrader (all, or only PATHS)."""
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build, setup_facilitator
    from peerkit.nbgrader.build import build_course

    course, committed = load_definition(course_file)
    results = build_course(
        course_build(course, Workspace.at(workdir), committed), paths=list(paths) or None, force=force
    )
    setup_facilitator(course, Workspace.at(workdir))
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
    course_file: Path,
    workdir: Path,
    port: int,
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
    from dataclasses import replace

    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build, prepare_site
    from peerkit.voila.serve import ServeOptions, dashboard_env, run_voila, voila_command, voila_env, write_voila_config

    course, committed = load_definition(course_file)
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
    click.echo(f"\nCourse home: http://{host}:{port}/")
    companions = []
    if not no_dashboard:
        # Always on localhost: the dashboard shows every learner's work and grades, and has no login of its own.
        board = replace(options, port=dashboard_port or port + 1, ip="localhost", preheat=False)
        write_voila_config(workspace.facilitator_voila_dir, [], board)
        env = dashboard_env(
            workspace.facilitator_dir, course_file=course.source or course_file, workdir=workspace.root, db_url=db_url
        )
        companions.append(
            (voila_command(site.dashboard, workspace.facilitator_voila_dir), env, workspace.facilitator_voila_dir)
        )
        click.echo(f"Facilitator dashboard: http://localhost:{board.port}/")
    click.echo("")
    if prepare_only:
        click.echo(" ".join(command))
        return
    sys.stdout.flush()
    code = run_voila(
        command,
        voila_env(site.learner_home),
        config_dir,
        beside=autopilot.run if autopilot else None,
        companions=companions,
    )
    if code not in (0, -2, 130):
        raise click.ClickException(f"Voilà stopped with exit code {code}")


def _demo_cohort(course: Any, workspace: Any, build: Any, learner: str) -> Any:
    """Enroll the demo peers (once) and return the autopilot that plays facilitator and peers."""
    from peerkit.demo.autopilot import Autopilot
    from peerkit.demo.cohort import enroll_peers, load_cohort
    from peerkit.nbgrader.ingest import collect_and_ingest
    from peerkit.storage.sql import SqlStore

    peers = load_cohort(course)
    if not peers:
        return None
    store = SqlStore.open(workspace.store_url)
    made = enroll_peers(course, workspace, build, store, peers)
    for path_id in sorted({item.split("/", 1)[1] for item in made}):  # the facilitator's dashboard shows them at once
        collect_and_ingest(build.config(), store, path_id)
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
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build
    from peerkit.nbgrader.collect import collect as nbgrader_collect
    from peerkit.nbgrader.ingest import ingest

    course, committed = load_definition(course_file)
    course.path(path_id)
    build = course_build(course, Workspace.at(workdir), committed)
    found = nbgrader_collect(build.config(), path_id)
    click.echo(f"collected {len(found)} submission(s) of {path_id} with nbgrader")
    if no_ingest:
        return
    store = open_store(db_url, workdir)
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
    rows = open_store(db_url, workdir).overview(list(path_ids) or None)
    if not rows:
        click.echo("no submissions ingested yet (peerkit collect PATH)")
        return
    width = max(len("learner"), *(len(r.learner) for r in rows))
    pwidth = max(len("path"), *(len(r.path_id) for r in rows))
    click.echo(f"{'learner':<{width}}  {'path':<{pwidth}}  {'submitted (UTC)':<19}  answers  versions")
    for r in rows:
        when = r.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{r.learner:<{width}}  {r.path_id:<{pwidth}}  {when:<19}  {r.answers:>7}  {r.versions:>8}")
