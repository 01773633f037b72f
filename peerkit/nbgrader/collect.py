"""Collect submissions of a path from nbgrader's exchange into the course root (nbgrader collect).

nbgrader copies each learner's newest inbound entry (the newest before the due date, with
``before_duedate``) to ``<course_root>/submitted/<learner>/<path>/``, and with ``update`` replaces a
copy collected earlier only by a newer one. peerkit runs its own collect step, which refuses first
every entry its learner did not write (:mod:`peerkit.nbgrader.inbound`): a classmate's forgery,
however new, is never the one picked, and the learner's genuine newest submission is collected.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.config.owners import RecordOwners, user_name
from peerkit.core.progress import Progress, stage
from peerkit.nbgrader.config import ensure_scripts_on_path, get
from peerkit.nbgrader.inbound import RefusedEntry, check_entry, entry_learner
from peerkit.nbgrader.learner import read_stamp, stamp_text
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app


@dataclass(frozen=True, slots=True)
class Collected:
    """One learner's collected submission: ``<course_root>/submitted/<learner>/<path>/``."""

    learner: str
    path_id: str
    folder: Path
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class CollectRun:
    """What one collect left in the course root, and the inbound entries it refused."""

    path_id: str
    collected: tuple[Collected, ...]
    refused: tuple[RefusedEntry, ...] = ()


def submitted_folder(course_root: Path, learner: str, path_id: str) -> Path:
    return course_root / "submitted" / learner / path_id


def collected(course_root: Path, path_id: str) -> list[Collected]:
    """Every submission of *path_id* already collected into *course_root*, by learner name."""
    found = []
    for folder in sorted((course_root / "submitted").glob(f"*/{path_id}")):
        if not folder.is_dir():
            continue
        when = read_stamp(folder / "timestamp.txt")
        found.append(Collected(learner=folder.parent.name, path_id=path_id, folder=folder, submitted_at=when))
    return found


@functools.cache
def owned_collect() -> type[Any]:
    """nbgrader's filesystem collect, refusing the entries their learner did not write before it
    picks each learner's newest (built on first use: importing nbgrader is slow)."""
    from nbgrader.exchange.default import ExchangeCollect
    from traitlets import Dict
    from traitlets import List as ListTrait

    class OwnedCollect(ExchangeCollect):  # type: ignore[misc]
        unix_users = Dict(help="learner id → Unix login, where the two differ")
        refused: Any = ListTrait(help="the RefusedEntry of every inbound entry left out")

        def init_src(self) -> None:
            super().init_src()  # checks the course and its inbound folder, reads the due date
            owners = RecordOwners.of_folder(Path(self.inbound_path), self.unix_users)
            student = self.coursedir.student_id or "*"
            pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")  # noqa: PTH118
            groups: dict[str, list[dict[str, Any]]] = {}
            refused: list[RefusedEntry] = []
            for entry in sorted(glob.glob(pattern)):  # noqa: PTH207 (nbgrader's own pattern)
                record, problem = self._checked(Path(entry), owners)
                if problem is not None:
                    self.log.warning("refused %s", problem)
                    refused.append(problem)
                    continue
                groups.setdefault(record["username"], []).append(record)
            chosen = []
            for records in groups.values():
                newest_first = self._sort_by_timestamp(records)
                if self.duedate is not None and self.before_duedate:
                    on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
                    newest_first = on_time or newest_first
                chosen.append(newest_first[0])
            self.src_records = chosen
            self.refused = refused
            self.check_owner = False  # done above, and stricter: nbgrader's own check only warns

        def _path_to_record(self, path: str) -> dict[str, Any]:
            """nbgrader's record of the entry at *path*; one whose name holds no time is marked ``unreadable``
            (with the earliest time, so that nbgrader's own first look at every entry goes on) and refused."""
            try:
                record: dict[str, Any] = super()._path_to_record(path)
            except (ValueError, OverflowError):
                name = os.path.basename(path)  # noqa: PTH119 (nbgrader's own split)
                return {
                    "username": entry_learner(name),
                    "filename": name,
                    "timestamp": datetime.min,
                    "unreadable": True,
                }
            return record

        def _checked(self, entry: Path, owners: RecordOwners) -> tuple[dict[str, Any], RefusedEntry | None]:
            """nbgrader's record of *entry*, or why it is refused: a learner did not write it (``check_entry``), or
            a time nbgrader cannot read is in its name or its ``timestamp.txt``. nbgrader reads both with
            ``parse_utc``, and one unreadable time stopped the whole collect, every learner's submission with it
            (anyone may make an entry in the inbound folder)."""
            learner = entry_learner(entry.name)
            problem = check_entry(entry, learner, owners)
            if problem is not None:
                return {}, problem
            owner = user_name(entry.lstat().st_uid)
            record: dict[str, Any] = self._path_to_record(str(entry))
            if record.get("unreadable"):
                return {}, RefusedEntry(entry.name, learner, owner, "its name holds no time")
            stamp = entry / "timestamp.txt"
            if stamp.exists() and not _nbgrader_reads(stamp_text(stamp)):
                return {}, RefusedEntry(entry.name, learner, owner, "its timestamp.txt holds no time")
            return record, None

        def copy_files(self) -> None:
            """nbgrader's copy, a hundredth of the submissions at a time, reporting to ``progress``."""
            chosen, report = list(self.src_records), getattr(self, "progress", None)
            step = max(1, len(chosen) // 100)
            stage(report, "collecting", len(chosen))
            for start in range(0, len(chosen), step) if chosen else [0]:
                self.src_records = chosen[start : start + step]
                super().copy_files()
                if report is not None:
                    report(min(start + step, len(chosen)), len(chosen))
            self.src_records = chosen

    return OwnedCollect


def _nbgrader_reads(text: str | None) -> bool:
    """Whether nbgrader's ``get_existing_timestamp`` reads *text* (a ``timestamp.txt``'s, :func:`stamp_text`;
    None: unreadable or too long) without failing: empty, or a time its ``parse_utc`` parses, in valid UTF-8."""
    if text is None or "\ufffd" in text:
        return False
    if not text:
        return True
    from nbgrader.utils import parse_utc

    try:
        parse_utc(text)
    except (ValueError, OverflowError):
        return False
    return True


def collect(
    config: Config,
    path_id: str,
    *,
    update: bool = True,
    unix_users: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    learner: str | None = None,
) -> CollectRun:
    """Run nbgrader's collect for *path_id* (each learner's newest submission that they wrote
    themselves) and list the result. *unix_users* maps learner ids to Unix logins where they differ;
    *progress* hears (done, total) as submissions are copied. With *learner*, only their entries
    are looked at (rolling review takes one submission in as it arrives).

    A course configured with another collect plugin than nbgrader's filesystem one (an exchange
    that knows who submits, or a subclass of its own) runs that plugin as it is."""
    from nbgrader.exchange.default import ExchangeCollect

    ensure_scripts_on_path()
    parts = make_parts(config, assignment_id=path_id, student_id=learner)
    refused: tuple[RefusedEntry, ...] = ()
    if parts.exchange.collect is ExchangeCollect:
        step = owned_collect()(
            coursedir=parts.coursedir, authenticator=parts.authenticator, config=parts.config, parent=parts.exchange
        )
        step.update = update
        step.unix_users = dict(unix_users or {})
        step.progress = progress
        run_app(step, f"collect {path_id}")
        refused = tuple(step.refused)
    else:
        run_app(parts.step("Collect", update=update), f"collect {path_id}")
    course_root = Path(get(config, "CourseDirectory", "root", "."))
    found = collected(course_root, path_id) if learner is None else collected_of(course_root, learner, path_id)
    return CollectRun(path_id, tuple(found), refused)


def collected_of(course_root: Path, learner: str, path_id: str) -> list[Collected]:
    """One learner's collected submission of *path_id*, if there is one."""
    folder = submitted_folder(course_root, learner, path_id)
    if not folder.is_dir():
        return []
    when = read_stamp(folder / "timestamp.txt")
    return [Collected(learner=learner, path_id=path_id, folder=folder, submitted_at=when)]
