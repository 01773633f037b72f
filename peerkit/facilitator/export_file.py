"""Where an export may be written: the checks on a facilitator's ``-o`` file before an export is made.

Its folder exists; its name ends as the export's type does (``.csv``, ``.json``); it is neither the course's
store nor any database; and an existing file is replaced only when it is an earlier export of the same kind
(recognised by its header row or first key), an empty file, or with ``force``. Each refusal names the file
and the fix.
"""

from __future__ import annotations

from pathlib import Path

from peerkit.core.errors import NotFound, ValidationError
from peerkit.facilitator import export as exports

#: Names of database files, which an export never overwrites nor takes.
DATABASE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3", ".db3"})


def checked_target(target: Path, suffix: str, kind: str, *, store: Path | None, force: bool = False) -> Path:
    """*target* as the file an export of *kind* (a *suffix* file) may be written to; *store* is the course's
    SQLite store file (None: a server store), never written over."""
    instead = f"choose another file, e.g. {target.with_name(f'{kind}{suffix}')}"
    if target.is_dir():
        raise ValidationError(f"cannot write the export to {target}: it is a folder; {instead}", field="output")
    if not target.parent.is_dir():
        raise NotFound(
            f"cannot write the export to {target}: the folder {target.parent} does not exist; "
            "create it or choose another",
            path=str(target),
        )
    if target.exists() and store is not None and store.exists() and target.samefile(store):
        raise ValidationError(
            f"will not write the export over {target}: it is the course's store; {instead}", field="output"
        )
    if target.suffix.lower() in DATABASE_SUFFIXES or _is_sqlite(target):
        raise ValidationError(
            f"will not write the export over {target}: it is a database file; {instead}", field="output"
        )
    if target.exists() and target.suffix.lower() != suffix:
        raise ValidationError(
            f"will not overwrite {target}: an export of {kind} is a {suffix} file and this one is not; "
            f"{instead}, or remove it first",
            field="output",
        )
    if target.suffix.lower() != suffix:
        raise ValidationError(
            f"cannot write the export of {kind} to {target}: it is {suffix[1:].upper()}, and the file's name "
            f"does not end in {suffix}; fix: name it {target.with_suffix(suffix)}",
            field="output",
        )
    if target.exists() and not force:
        found = _export_kind(target)
        if found not in ("", kind):
            what = f"an export of {found}" if found else "not an earlier export (its first line is not one's)"
            raise ValidationError(
                f"will not overwrite {target}: it is {what}, and this is an export of {kind}; "
                f"{instead}, or add --force to replace it",
                field="output",
            )
    return target


def _export_kind(file: Path) -> str | None:
    """Which export *file* holds (:func:`~peerkit.facilitator.export.export_kind` of its start): "" for
    an empty file (nothing is lost by replacing it), None for an unreadable one or any other file."""
    try:
        with file.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return None
    if not head.strip():
        return ""
    return exports.export_kind(head.decode("utf-8", errors="replace"))


def _is_sqlite(file: Path) -> bool:
    """Whether *file* exists and is an SQLite database (by its header)."""
    try:
        with file.open("rb") as stream:
            return stream.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
