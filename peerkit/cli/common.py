"""What every peerkit command shares: the click group, the common options, error reporting, and
the one way a command gets its settings (:func:`settings`) and its facilitator (:func:`open_desk`)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from peerkit.core.errors import PeerkitError
from peerkit.core.terminal import terminal_safe

if TYPE_CHECKING:
    from tqdm import tqdm

    from peerkit.config.settings import PeerkitConfig
    from peerkit.facilitator.api import Facilitator

F = TypeVar("F", bound=Callable[..., Any])


def api_errors(func: F) -> F:
    """Turn a :class:`PeerkitError` into a clean ``Error: ...`` message with exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PeerkitError as exc:
            raise click.ClickException(terminal_safe(str(exc))) from exc

    return wrapper  # type: ignore[return-value]


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print *message* as :func:`click.echo` does, but with the control and bidi characters a learner's
    text may carry shown, not obeyed (:func:`~peerkit.core.terminal.terminal_safe`): every command
    prints through here, so nothing a learner wrote can clear the screen or plant a link."""
    click.echo(terminal_safe(message), err=err, nl=nl)


# Options default to None ("not given"): the course's peerkit_config.py and PEERKIT_* variables
# then decide (see peerkit.config.settings); `peerkit config show` says which one did.
course_option = click.option(
    "--course",
    "course_file",
    type=click.Path(path_type=Path, dir_okay=True),
    default=None,
    show_default="$PEERKIT_COURSE, else course/course.yml",
    help="The course definition (course.yml, or the folder holding it).",
)
workdir_option = click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    show_default="$PEERKIT_WORKDIR, else .peerkit/demo",
    help="Folder for the built course, exchange and learner files.",
)
db_option = click.option(
    "--db",
    "db_url",
    default=None,
    help="The peerkit store: sqlite:///file or postgresql://user@host/db [default: $PEERKIT_DB, else peerkit.db "
    "in WORKDIR].",
)


def settings(**options: object) -> PeerkitConfig:
    """The effective settings: the options given on the command line over the environment over the
    course's ``peerkit_config.py``."""
    from peerkit.config.settings import PeerkitConfig

    return PeerkitConfig.load(options=options)


def open_desk(
    course_file: Path | None = None,
    workdir: Path | None = None,
    db_url: str | None = None,
    *,
    create_store: bool = False,
) -> Facilitator:
    """The facilitator API, opened from the command's options (see :func:`settings`). A command run
    outside a course folder (none here or above, none named) is refused, before anything is made. Only
    the commands that take submissions in (*create_store*) may create a store that is not there; the
    others say where it was looked for and how to point at it."""
    from peerkit.facilitator.api import Facilitator

    config = settings(course_file=course_file, workdir=workdir, db_url=db_url)
    config.require_course()
    return Facilitator.open(config, create_store=create_store)


def by_default(by_whom: str | None) -> str:
    """Who acts: ``--by``, else the user running the command."""
    import getpass

    return by_whom or getpass.getuser()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="peerkit")
def cli(verbose: int) -> None:
    """Peer Learning Paths: build, serve and run a peer-learning course in Jupyter."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


class ProgressBar:
    """A :class:`peerkit.core.progress.Staged` callback for a command: a bar with counts, rate and time
    left (tqdm) on a terminal; in a log (CI, a pipe) plain lines at every tenth and at the end, e.g.
    ``publishing packets 120/120``. Each stage the operation announces gets its own bar or lines."""

    def __init__(self, label: str, *, tty: bool | None = None) -> None:
        self.label = label
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.total = 0
        self.started = time.monotonic()
        self.shown = -1  # the last tenth written as a plain line
        self.bar: tqdm[Any] | None = None

    def stage(self, name: str, total: int) -> None:
        self.close()
        self.label, self.total, self.started, self.shown = name, total, time.monotonic(), -1

    def __call__(self, done: int, total: int, /) -> None:
        if total != self.total:
            self.stage(self.label, total)
        if total <= 0:
            return
        if self.tty:
            self._draw(done, total)
        else:
            self._line(done, total)

    def _draw(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, file=sys.stderr, leave=True, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def _line(self, done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth == self.shown or (0 < done < total and tenth == 0):
            return
        self.shown = tenth
        elapsed = time.monotonic() - self.started
        if done >= total:
            note = f" ({elapsed:.1f} s)"
        elif done:
            note = f" ({100 * done // total}%, about {elapsed * (total - done) / done:.0f} s left)"
        else:
            note = ""
        echo(f"{self.label} {done}/{total}{note}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextmanager
def progress_bar(label: str, *, tty: bool | None = None) -> Iterator[ProgressBar]:
    """Show the progress of what runs inside the ``with`` block (pass the bar as ``progress=``)."""
    bar = ProgressBar(label, tty=tty)
    try:
        yield bar
    finally:
        bar.close()
