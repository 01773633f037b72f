"""Whose file is it? On one host, a learner's record counts only if the operating system says they wrote it.

Learners on one host share folders the facilitator made for them: the activity folder, where each
learner's page adds a file of their own, is writable by every learner, so a file's *name* proves
nothing: anyone can create ``ada.jsonl``.
Its *owner* is what the kernel vouches for. A learner's record is accepted when its file belongs to

* that learner's Unix user: by default the login equal to the learner id (nbgrader's rule on one
  host), or the one configured for them (``c.PeerkitConfig.unix_users = {"ada": "alovelace"}``,
  variable ``PEERKIT_UNIX_USERS=ada=alovelace,ben=bsmith``); or
* the facilitator (the user who owns the shared folder) or root, who could write anything anyway.
  This keeps the single-user course working: on a laptop, or in the demo, every learner's page runs
  as the facilitator's own user.

Anything else is refused and reported (:class:`Refused`), never silently counted or dropped.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from peerkit.config.identity import check_learner_id
from peerkit.core.errors import ConfigError, StorageError

ROOT_UID = 0


def user_name(uid: int) -> str:
    """The login of *uid*, or ``uid <n>`` when the system has no name for it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def parse_unix_users(text: str, *, source: str = "PEERKIT_UNIX_USERS") -> dict[str, str]:
    """``ada=alovelace,ben=bsmith`` → ``{"ada": "alovelace", "ben": "bsmith"}`` (an empty text: none)."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        learner, sep, login = (s.strip() for s in item.partition("="))
        if not sep or not learner or not login:
            raise ConfigError(f"{item!r} is not learner=login; write e.g. ada=alovelace,ben=bsmith", source=source)
        found[learner] = login
    return found


def check_unix_users(users: Mapping[str, str], *, source: str = "unix_users") -> dict[str, str]:
    """*users* if every key is a learner id and every value a plausible login; else a ConfigError."""
    checked: dict[str, str] = {}
    for learner, login in users.items():
        if not isinstance(learner, str) or not isinstance(login, str):
            raise ConfigError("unix_users maps learner ids to Unix logins, both strings", source=source)
        check_learner_id(learner)
        if not login or "/" in login or ":" in login or any(c.isspace() for c in login):
            raise ConfigError(f"{login!r} (for {learner}) is not a Unix login", source=source, where=learner)
        checked[learner] = login
    return checked


@dataclass(frozen=True, slots=True)
class Refused:
    """A file in a shared folder that claims a learner it was not written by."""

    file: str  # its name in the shared folder
    learner: str  # whom its name claims
    owner: str  # who wrote it (a login, or ``uid <n>``)

    def __str__(self) -> str:
        return f"{self.file} is owned by {self.owner}, not by {self.learner}"


@dataclass(frozen=True, slots=True)
class RecordOwners:
    """Which Unix users may write each learner's records in one shared folder."""

    #: uids whose files count for any learner: the folder's owner (the facilitator) and root.
    trusted: frozenset[int]
    #: learner id → Unix login, where the two differ (by default the learner id is the login).
    unix_users: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_folder(cls, folder: Path, unix_users: Mapping[str, str] | None = None) -> RecordOwners:
        """The rule for *folder*: its owner is the facilitator."""
        try:
            facilitator = folder.stat().st_uid
        except OSError as exc:
            raise StorageError(f"cannot read the owner of {folder}: {exc.strerror}", path=str(folder)) from exc
        return cls(trusted=frozenset({facilitator, ROOT_UID}), unix_users=dict(unix_users or {}))

    def login(self, learner: str) -> str:
        return self.unix_users.get(learner, learner)

    def uid(self, learner: str) -> int | None:
        """The uid of *learner*'s Unix user, or None when the system has no such user."""
        try:
            return pwd.getpwnam(self.login(learner)).pw_uid
        except KeyError:
            return None

    def allows(self, learner: str, uid: int) -> bool:
        """Whether a file owned by *uid* may hold *learner*'s records."""
        return uid in self.trusted or uid == self.uid(learner)

    def check(self, file: Path, learner: str, uid: int) -> Refused | None:
        """None when *uid* may write *learner*'s *file*; otherwise what to report."""
        return None if self.allows(learner, uid) else Refused(file.name, learner, user_name(uid))


def check_own_folder(folder: Path) -> Path:
    """*folder* if this process's user (or root) owns it. A shared folder that someone else created
    first could be listed or emptied by them: refuse it, saying whose it is and what to do."""
    uid = os.geteuid()
    try:
        owner = folder.stat().st_uid
    except OSError as exc:
        raise StorageError(f"cannot read the owner of {folder}: {exc.strerror}", path=str(folder)) from exc
    if owner not in (uid, ROOT_UID):
        raise StorageError(
            f"{folder} belongs to {user_name(owner)}, not to you ({user_name(uid)}): someone created it "
            "before the course did; move it aside and prepare the course again",
            path=str(folder),
        )
    return folder
