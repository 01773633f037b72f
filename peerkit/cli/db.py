"""``peerkit db current`` and ``peerkit db upgrade``: the store's schema against this peerkit's
migrations, and its upgrade on demand (the runbook: docs/upgrade.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from peerkit.cli.common import api_errors, cli, course_option, db_option, echo, settings, workdir_option
from peerkit.storage.revision import Migration, Verdict

if TYPE_CHECKING:
    from peerkit.facilitator.api import Facilitator

#: ``peerkit db current``'s exit code for each verdict (1 stays "the store could not be read", 2 a
#: usage error, as for every command).
EXIT: dict[Verdict, int] = {"up to date": 0, "behind": 3, "newer": 4}


def store_desk(course_file: Path | None, workdir: Path | None, db_url: str | None) -> Facilitator:
    """The facilitator API for the store's upkeep, which needs the store and not the course: with
    ``--db`` or ``PEERKIT_DB`` it runs anywhere (a Kubernetes Job, an init container); without, it
    finds the course folder's store as every command does, and never creates one."""
    from peerkit.facilitator.api import Facilitator

    return Facilitator.open(settings(course_file=course_file, workdir=workdir, db_url=db_url), create_store=False)


@cli.group("db")
def db_group() -> None:
    """The peerkit store's schema: where it stands against this peerkit, and its upgrade
    (before upgrading, back up the store: docs/upgrade.md)."""


@db_group.command("current")
@course_option
@workdir_option
@db_option
@api_errors
def db_current(course_file: Path | None, workdir: Path | None, db_url: str | None) -> None:
    """Print the store (its URL without the password), its schema revision, this peerkit's newest
    revision and one verdict. Changes nothing.

    \b
    Exit codes (for scripts and init containers):
      0  up to date
      3  behind: back up the store, then run `peerkit db upgrade`
      4  newer than this peerkit: upgrade peerkit, or restore the backup taken before the upgrade
      1  the store could not be read (not found, unreachable, no driver)
    """
    status = store_desk(course_file, workdir, db_url).store_schema()
    echo(status.report())
    raise click.exceptions.Exit(EXIT[status.verdict])


@db_group.command("upgrade")
@course_option
@workdir_option
@db_option
@api_errors
def db_upgrade(course_file: Path | None, workdir: Path | None, db_url: str | None) -> None:
    """Migrate the store to this peerkit's newest revision, printing each migration as it is applied.
    Run it once per upgrade, with a backup taken (docs/upgrade.md); running it again does nothing.
    One process migrates at a time (the others wait for it). A store newer than this peerkit is
    refused (exit 1) and left as it is."""
    desk = store_desk(course_file, workdir, db_url)
    status = desk.store_schema()
    echo(f"store: {status.store}")
    if status.verdict == "behind":
        echo(f"upgrading from {status.shown} to {status.newest}")

    def applied(step: Migration) -> None:
        echo(f"  applied {step}")

    echo(desk.upgrade_store(applied=applied).summary())
