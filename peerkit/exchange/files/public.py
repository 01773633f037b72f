"""The course's public board: what the facilitator releases to every learner, beside nbgrader's exchange.

::

    <exchange>/<course>/peerkit-public/        mode 0755: everyone may read, only the facilitator writes
        notes-<path>.json                        a path's summary notes, once released
        gallery.json                             the approved examples, without their authors
        review-<path>.json                       once a path's peer review has closed: that it has

Documents are JSON with a ``format`` and a ``version``; they are written atomically, so a learner's
page never reads half a file, and they never hold a learner's name. Both backends keep the board
here: the exchange folder is shared read-only with every learner's server, on one host and on a hub.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Final

from peerkit.config.owners import check_own_folder
from peerkit.core import documents
from peerkit.core.errors import DocumentVersionError, StorageError, ValidationError
from peerkit.exchange.base import NOTES_FORMAT, check_public_name
from peerkit.storage.atomic import write_atomic

log = logging.getLogger(__name__)

PUBLIC: Final = "peerkit-public"
MAX_BYTES: Final = 20_000_000


def public_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / PUBLIC


def ensure_public_root(exchange_root: Path, course_id: str) -> Path:
    root = public_root(exchange_root, course_id)
    try:
        root.mkdir(parents=True, exist_ok=True)
        check_own_folder(root)  # created first by a learner, they could rewrite what everyone reads
        root.chmod(0o755)
    except OSError as exc:
        raise StorageError(f"cannot prepare the public folder {root}: {exc.strerror}", path=str(root)) from exc
    return root


def publish(exchange_root: Path, course_id: str, name: str, doc: dict[str, Any]) -> Path:
    """Write *doc* as the public file *name* (atomically, world-readable)."""
    target = ensure_public_root(exchange_root, course_id) / check_public_name(name)
    write_atomic(target, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), mode=0o644)
    return target


def withdraw(exchange_root: Path, course_id: str, name: str) -> None:
    """Remove the public file *name*, if it is there."""
    (public_root(exchange_root, course_id) / check_public_name(name)).unlink(missing_ok=True)


def read_public(root: Path | None, name: str, fmt: str) -> dict[str, Any] | None:
    """The public document *name* of format *fmt* under *root* (upgraded to the current version);
    None when absent or unreadable, so that a learner's page always opens. Anything but absence is
    logged; a document written by a newer peerkit with the version and the fix."""
    if root is None:
        return None
    try:
        data = (root / check_public_name(name)).read_bytes()[: MAX_BYTES + 1]
        return documents.parse(data, fmt, source=str(root / name), max_bytes=MAX_BYTES)
    except DocumentVersionError as exc:
        log.warning("public file not read: %s", exc)
        return None
    except (OSError, ValidationError) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.warning("public file %s not readable: %s", name, exc)
        return None


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
