"""What every peerkit command shares: the click group, the common options, error reporting."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from peerkit.config.course import default_course_file
from peerkit.config.workspace import DEFAULT_WORKDIR
from peerkit.core.errors import PeerkitError

F = TypeVar("F", bound=Callable[..., Any])


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


def open_store(db_url: str | None, workdir: Path) -> Any:
    from peerkit.config.workspace import Workspace
    from peerkit.storage.sql import SqlStore

    return SqlStore.open(db_url or Workspace.at(workdir).store_url)


def load_definition(course_file: Path) -> tuple[Any, Path | None]:
    from peerkit.config.course import load_course

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


def review_context(course_file: Path, workdir: Path, db_url: str | None, path_id: str) -> tuple[Any, Any, Any]:
    from peerkit.config.workspace import Workspace
    from peerkit.demo import course_build

    course, committed = load_definition(course_file)
    course.path(path_id)
    build = course_build(course, Workspace.at(workdir), committed)
    return course, build, open_store(db_url, workdir)
