"""The store's schema revision against the migrations this peerkit ships.

Every peerkit release ships its alembic migrations (``peerkit/storage/migrations/versions``); the
store records the one it was last migrated to (alembic's ``alembic_version`` row). Three answers
follow, and :class:`SchemaStatus` gives them with the fix each one needs:

- **up to date**: the store is at this release's newest migration;
- **behind**: an older peerkit made it (or it is empty): ``peerkit db upgrade`` brings it up (any
  peerkit that opens it does too);
- **newer**: a newer peerkit has migrated it. This peerkit does not know that revision and cannot
  downgrade it: upgrade this peerkit to that release, or restore the backup taken before the upgrade.

Reading the scripts is done once per process; reading the store's revision is one indexed row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from peerkit.core.errors import StorageError

Verdict = Literal["up to date", "behind", "newer"]

#: Where the runbook for upgrades, backups and rollbacks lives (named in messages).
RUNBOOK = "docs/upgrade.md"


def migrations_dir() -> Path:
    return Path(str(resources.files("peerkit.storage").joinpath("migrations")))


def alembic_config() -> AlembicConfig:
    """Alembic's settings for peerkit's migrations (no alembic.ini: peerkit drives alembic from Python)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


@dataclass(frozen=True)
class Migration:
    """One migration this peerkit ships: its revision and the first line of what it does."""

    revision: str
    title: str

    def __str__(self) -> str:
        return f"{self.revision} ({self.title})" if self.title else self.revision


def migration(revision: str) -> Migration:
    script = scripts().get_revision(revision)
    title = (script.doc or "").strip().splitlines()[0] if script is not None and script.doc else ""
    return Migration(revision=revision, title=title.rstrip("."))


def newest() -> str:
    """This peerkit's newest revision (its history is one line: one head)."""
    return "+".join(sorted(scripts().get_heads()))


def known(revision: str) -> bool:
    """Whether *revision* is one of this peerkit's migrations."""
    try:
        return scripts().get_revision(revision) is not None
    except CommandError:
        return False


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The revisions the store is at (none: no peerkit schema yet)."""
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


@dataclass(frozen=True)
class SchemaStatus:
    """Where a store's schema stands against this peerkit's migrations."""

    #: The store's URL without its password.
    store: str
    #: The revisions the store is at: none when it holds no peerkit schema yet.
    current: tuple[str, ...]
    #: This peerkit's newest revision.
    newest: str

    @property
    def verdict(self) -> Verdict:
        if any(not known(revision) for revision in self.current):
            return "newer"
        return "up to date" if "+".join(self.current) == self.newest else "behind"

    @property
    def shown(self) -> str:
        """The store's revision as printed: ``0006``, or ``none (empty)``."""
        return "+".join(self.current) or "none (empty)"

    @property
    def pending(self) -> tuple[Migration, ...]:
        """The migrations an upgrade would apply, oldest first (none unless behind)."""
        if self.verdict != "behind":
            return ()
        lower = self.current or None
        steps = scripts().iterate_revisions("heads", lower[0] if lower and len(lower) == 1 else lower)
        return tuple(migration(script.revision) for script in reversed(list(steps)))

    @property
    def advice(self) -> str:
        """The plain verdict and its fix, in one line."""
        if self.verdict == "up to date":
            return "up to date"
        if self.verdict == "behind":
            what = "empty (no peerkit schema yet)" if not self.current else "behind this peerkit"
            return f"{what}: back up the store, then run `peerkit db upgrade` ({RUNBOOK})"
        return (
            "newer than this peerkit (a newer peerkit has upgraded it): upgrade peerkit to that release, "
            f"or restore the backup taken before the upgrade ({RUNBOOK})"
        )

    def report(self) -> str:
        lines = [
            f"store:             {self.store}",
            f"store's revision:  {self.shown}",
            f"peerkit's newest:  {migration(self.newest) if known(self.newest) else self.newest}",
            f"verdict:           {self.advice}",
        ]
        lines += [f"  would apply {step}" for step in self.pending]
        return "\n".join(lines)

    def reason(self) -> str:
        """Why a replica is not ready, for the readiness probe's body (no URL: anyone may ask)."""
        if self.verdict == "behind":
            return (
                f"the store's schema is at {self.shown}, behind this peerkit's {self.newest}: run `peerkit db "
                f"upgrade`, or restart this replica (it migrates the store when it starts)"
            )
        return (
            f"the store's schema is at {self.shown}, newer than this peerkit's {self.newest}: this replica "
            f"runs an older peerkit; upgrade it, or restore the store's backup taken before the upgrade"
        )


def newer_than_this(status: SchemaStatus) -> StorageError:
    """The refusal of a store a newer peerkit has migrated: both revisions and the fix."""
    return StorageError(
        f"the store at {status.store} has schema revision {status.shown}, newer than this peerkit's newest "
        f"({status.newest}): a newer peerkit has upgraded it, and this one cannot use or downgrade it. "
        f"Upgrade peerkit here to that release (pip install -U peerkit, or the newer image), or restore the "
        f"store's backup taken before the upgrade ({RUNBOOK})",
        path=status.store,
    )


@dataclass(frozen=True)
class Upgraded:
    """What ``peerkit db upgrade`` did: the store's revision before and after, the migrations applied."""

    store: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    applied: tuple[Migration, ...]

    def summary(self) -> str:
        after = "+".join(self.after)
        if not self.applied:
            return f"the store is up to date at {after}: nothing to do"
        before = "+".join(self.before) or "none (empty)"
        count = f"{len(self.applied)} migration{'s' if len(self.applied) != 1 else ''}"
        return f"store upgraded from {before} to {after} ({count})"


#: Hears each migration as it is applied (``peerkit db upgrade`` prints it).
Applied = Callable[[Migration], None]
