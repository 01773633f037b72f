"""``peerkit service``: the JupyterHub service for a course with many learners (see peerkit.service)."""

from __future__ import annotations

from pathlib import Path

import click

from peerkit.cli.common import api_errors, cli, course_option, echo


@cli.command("service")
@course_option
@click.option(
    "--db",
    "db_url",
    default=None,
    help="The peerkit store, shared with the facilitator's commands: postgresql://user@host/db (or sqlite:///file) "
    "[default: $PEERKIT_DB].",
)
@click.option(
    "--course-root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The course's nbgrader root (CourseDirectory.root), for the facilitator's steps through the service.",
)
@click.option(
    "--exchange",
    "exchange_root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="nbgrader's exchange root (Exchange.root), with --course-root.",
)
@click.option(
    "--facilitator-group",
    default=None,
    help="Hub group whose members are facilitators [default: formgrade-<course id>].",
)
@click.option(
    "--auth-cache",
    type=click.IntRange(0, 3600),
    default=None,
    help="Seconds to trust the hub's answer about a token for reads; writes always ask the hub. A revoked "
    "token or a group change shows up this late in reads [default: $PEERKIT_AUTH_CACHE, else 30].",
)
@click.option("--workers", type=click.IntRange(1, 256), default=16, show_default=True, help="Threads for store work.")
@api_errors
def service(
    course_file: Path | None,
    db_url: str | None,
    course_root: Path | None,
    exchange_root: Path | None,
    facilitator_group: str | None,
    auth_cache: int | None,
    workers: int,
) -> None:
    """Serve review packets, drafts and feedback to the hub's users (run by JupyterHub)."""
    from peerkit.service.app import run

    run(
        course_file=course_file,
        store_url=db_url,
        course_root=course_root,
        exchange_root=exchange_root,
        group=facilitator_group,
        auth_cache=auth_cache,
        workers=workers,
    )


@cli.command("sync")
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path.home,
    show_default="your home folder",
    help="Where the learner's course folder lives (nbgrader's assignment_dir).",
)
@api_errors
def sync_command(home: Path) -> None:
    """Fetch every released path into your course folder and copy the course apps (on a hub server)."""
    from peerkit.apps.sync import sync
    from peerkit.config.identity import resolve_learner
    from peerkit.nbgrader.config import get, learner_config

    config = learner_config(home)
    learner = resolve_learner(configured=get(config, "CourseDirectory", "student_id"))
    echo(sync(config, home=home, learner=learner).summary())
