"""``peerkit config show``: every effective setting and where it came from."""

from __future__ import annotations

from pathlib import Path

from peerkit.cli.common import api_errors, cli, course_option, db_option, echo, settings, workdir_option


@cli.group("config")
def config_group() -> None:
    """The course's settings: peerkit_config.py beside course.yml, PEERKIT_* variables, options."""


@config_group.command("show")
@course_option
@workdir_option
@db_option
@api_errors
def config_show(course_file: Path | None, workdir: Path | None, db_url: str | None) -> None:
    """Print every setting's effective value and its source (default, file, variable or option)."""
    echo(settings(course_file=course_file, workdir=workdir, db_url=db_url).show())
