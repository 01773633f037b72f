"""The course's public board: what the facilitator releases to every learner, beside nbgrader's exchange.

::

    <exchange>/<course>/peerkit-public/        mode 0755: everyone may read, only the facilitator writes
        notes-<path>.json                        a path's summary notes, once released
        gallery.json                             the approved examples, without their authors

Documents are JSON with a ``format`` and a ``version``; they are written atomically, so a learner's
page never reads half a file, and they never hold a learner's name. Learners' pages read them with
:func:`read_public`, finding the folder through their own nbgrader config (:func:`learner_public_root`).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Final

from traitlets.config import Config

from peerkit.core.errors import StorageError, ValidationError
from peerkit.nbgrader.config import get
from peerkit.storage.atomic import write_atomic

log = logging.getLogger(__name__)

PUBLIC: Final = "peerkit-public"
NOTES_FORMAT: Final = "peerkit-notes"
GALLERY_FORMAT: Final = "peerkit-gallery"
GALLERY_FILE: Final = "gallery.json"
VERSION: Final = 1
MAX_BYTES: Final = 20_000_000
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,80}\.json$")


def public_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / PUBLIC


def learner_public_root(config: Config) -> Path | None:
    """The public folder as a learner's nbgrader config locates it; None without a course."""
    exchange = get(config, "Exchange", "root", "")
    course_id = get(config, "CourseDirectory", "course_id", "")
    return public_root(Path(str(exchange)), str(course_id)) if exchange and course_id else None


def notes_file(path_id: str) -> str:
    return f"notes-{path_id}.json"


def ensure_public_root(exchange_root: Path, course_id: str) -> Path:
    root = public_root(exchange_root, course_id)
    try:
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
    except OSError as exc:
        raise StorageError(f"cannot prepare the public folder {root}: {exc.strerror}", path=str(root)) from exc
    return root


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValidationError(f"unsafe public file name {name!r}")
    return name


def publish(exchange_root: Path, course_id: str, name: str, doc: dict[str, Any]) -> Path:
    """Write *doc* as the public file *name* (atomically, world-readable)."""
    target = ensure_public_root(exchange_root, course_id) / _checked(name)
    write_atomic(target, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), mode=0o644)
    return target


def withdraw(exchange_root: Path, course_id: str, name: str) -> None:
    """Remove the public file *name*, if it is there."""
    (public_root(exchange_root, course_id) / _checked(name)).unlink(missing_ok=True)


def read_public(root: Path | None, name: str, fmt: str) -> dict[str, Any] | None:
    """The public document *name* of format *fmt* under *root*; None when absent or malformed."""
    if root is None:
        return None
    try:
        data = (root / _checked(name)).read_bytes()[: MAX_BYTES + 1]
        if len(data) > MAX_BYTES:
            raise ValueError("too large")
        doc = json.loads(data)
    except (OSError, ValueError, ValidationError) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.warning("public file %s not readable: %s", name, exc)
        return None
    if not isinstance(doc, dict) or doc.get("format") != fmt or doc.get("version") != VERSION:
        return None
    return doc


def released_notes(root: Path | None) -> list[dict[str, Any]]:
    """Every released summary note under *root*, in file-name order."""
    if root is None or not root.is_dir():
        return []
    found = []
    for file in sorted(root.glob("notes-*.json")):
        doc = read_public(root, file.name, NOTES_FORMAT)
        if doc is not None:
            found.append(doc)
    return found
