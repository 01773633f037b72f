"""``peerkit init``: a new course folder from the template that ships with peerkit."""

from __future__ import annotations

from pathlib import Path

import click

from peerkit.cli.common import api_errors, cli, echo


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--demo", is_flag=True, help="Add the demo's synthetic peers (course/demo/cohort.yml).")
@click.option("--force", is_flag=True, help="Refresh an existing course's files from the template.")
@api_errors
def init(folder: Path, demo: bool, force: bool) -> None:
    """Create a course in FOLDER: course/course.yml, rubrics, notebooks, nbgrader_config.py and
    peerkit_config.py (every setting's default, commented). Then `cd FOLDER` and `peerkit serve`,
    `peerkit build` or any facilitator command. Never overwrites a course unless --force, which
    keeps its peerkit_config.py."""
    from peerkit.config.template import create_course

    echo(create_course(folder, demo=demo, force=force).summary())
