"""Whose submission is it? On one host, an inbound entry counts only if its learner wrote it.

nbgrader's filesystem exchange keeps every submission in one inbound folder that all learners may
write to (they cannot list it), each entry named ``<learner>+<path>+<timestamp>+<random>``. The
name is the learner's word; anyone can make a folder called ``ada+essay+<a later time>+x``. nbgrader's
own collect notices when an entry's owner differs from the name it carries, logs "cheating
attempt?" and collects it anyway, and since it keeps each learner's *newest* entry, a classmate's
forgery would replace the learner's genuine submission.

peerkit's collect asks the rule of :class:`~peerkit.config.owners.RecordOwners` (the one the activity
records follow) before nbgrader picks the newest: an entry counts only if it is a real folder, and it
and everything in it belong to the named learner's Unix user, or to the facilitator (who owns the
inbound folder) or root. The single-user course, where every learner's page runs as the facilitator,
keeps working. A refused entry is left where it is (it is the other learner's file: never deleted
nor moved) and reported (:class:`RefusedEntry`); the learner's genuine newest submission is collected.
An entry holding a link is refused too: collect copies what a link points to, with the facilitator's
rights, so a link would let one learner hand in files they cannot read themselves.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from peerkit.config.owners import RecordOwners, user_name
from peerkit.core.terminal import terminal_safe


@dataclass(frozen=True, slots=True)
class RefusedEntry:
    """An inbound entry not collected because the learner it names did not write it."""

    entry: str  # its name in the inbound folder
    learner: str  # whom its name claims
    owner: str  # who wrote it (a login, or ``uid <n>``)
    why: str = ""  # what else is wrong with it, when its owner alone is not the reason

    def __str__(self) -> str:
        """One line, whatever the entry's name holds (anybody names an entry: a line break in it must
        not make lines of its own in a report; escape sequences are shown, not obeyed)."""
        what = f"an entry named for {self.learner} owned by {self.owner}"
        told = f"{what} ({self.why}): {self.entry}" if self.why else f"{what}: {self.entry}"
        return terminal_safe(told, one_line=True)


def entry_learner(name: str) -> str:
    """The learner an inbound entry's name claims (nbgrader's own split: learner names may hold ``+``)."""
    return name.rsplit("+", 3)[0]


def check_entry(entry: Path, learner: str, owners: RecordOwners) -> RefusedEntry | None:
    """None when *entry* may be collected as *learner*'s submission; otherwise what to report."""
    try:
        info = entry.lstat()
    except OSError as exc:
        return RefusedEntry(entry.name, learner, "nobody known", f"cannot be read: {exc.strerror}")
    owner = user_name(info.st_uid)
    if not owners.allows(learner, info.st_uid):
        return RefusedEntry(entry.name, learner, owner)
    if not stat.S_ISDIR(info.st_mode):
        return RefusedEntry(entry.name, learner, owner, "a link or a file, not a folder")
    problems: list[OSError] = []
    for folder, dirs, files in os.walk(entry, onerror=problems.append):
        for name in (*dirs, *files):
            inner = Path(folder, name)
            where = inner.relative_to(entry).as_posix()
            try:
                found = inner.lstat()
            except OSError as exc:
                return RefusedEntry(entry.name, learner, owner, f"{where} cannot be read: {exc.strerror}")
            if stat.S_ISLNK(found.st_mode):
                return RefusedEntry(entry.name, learner, user_name(found.st_uid), f"{where} is a link")
            if not owners.allows(learner, found.st_uid):
                return RefusedEntry(entry.name, learner, user_name(found.st_uid), f"holds {where}")
    if problems:
        return RefusedEntry(entry.name, learner, owner, f"cannot be read: {problems[0].strerror}")
    return None
