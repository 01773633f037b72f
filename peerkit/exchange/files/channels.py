"""Each learner's review channel beside nbgrader's exchange (the files backend's private documents).

nbgrader's filesystem exchange has one shared, listable tree for everyone; its only per-learner
channel is released feedback, named by a hash of the learner's submission secret. Review packets
use the same idea::

    <exchange>/<course>/peerkit-channels/          mode 0711: anyone may pass through, nobody may list
        <channel key>/                             a hash of the learner's own submission secret
            round-<path>.json                      the learner's packets for that path, and the rubric
            packet-<token>.json                    one packet each (random token, no author in it)
            feedback-<path>.json                   once the round is closed: their grade and reviews

Only the learner (whose nbgrader cache holds the secret) and the facilitator (who collected the
submission) can compute the key, and without listing the parent nobody else can find the folder.
Files are written atomically and readable by the learner's Unix user.

Only the facilitator writes here: learners cannot add a name to the channels folder, so nobody can
plant or block a channel (unlike the activity folder, :mod:`.activity`, where every learner writes
and records are told apart by their owner). The one way in would be to create ``peerkit-channels``
before the course does; the facilitator's side then refuses a folder it does not own. The files
backend keeps no review drafts beside the exchange (the answers file in the learner's own folder is
the draft), so there is no other per-learner record to guard here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from peerkit.config.identity import check_learner_id
from peerkit.config.owners import check_own_folder
from peerkit.core import documents
from peerkit.core.errors import DocumentVersionError, StorageError, ValidationError
from peerkit.core.packets import MAX_PACKET_BYTES, parse_packet, parse_round
from peerkit.core.review import channel_key
from peerkit.core.rubric import Rubric
from peerkit.exchange.base import (
    check_document_name,
    check_token,
    feedback_file,
    packet_file,
    round_file,
)
from peerkit.nbgrader.learner import secret_text
from peerkit.storage.atomic import remove_stale_temps, write_atomic_many

log = logging.getLogger(__name__)

CHANNELS: Final = "peerkit-channels"
_KEY_CHARS = set("0123456789abcdef")


def channels_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / CHANNELS


def ensure_root(exchange_root: Path, course_id: str) -> Path:
    """Create the channels folder, traversable but not listable by others (0711)."""
    root = channels_root(exchange_root, course_id)
    try:
        root.mkdir(parents=True, exist_ok=True)
        check_own_folder(root)  # created first by a learner, it would be theirs to list
        root.chmod(0o711)
    except OSError as exc:
        raise StorageError(f"cannot prepare the review channels folder {root}: {exc.strerror}", path=str(root)) from exc
    return root


def check_key(key: str) -> str:
    if len(key) != 64 or not set(key) <= _KEY_CHARS:
        raise ValidationError("malformed channel key", field="channel_key")
    return key


def _encoded(doc: dict[str, Any]) -> bytes:
    """A channel document as its file holds it: compact JSON (the C encoder: pretty-printing runs in
    Python and was most of the time a round's delivery took)."""
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_channels(exchange_root: Path, course_id: str, parcels: Mapping[str, Mapping[str, dict[str, Any]]]) -> int:
    """Write each channel's JSON files (*parcels*: channel key → file name → document) into the
    folder named by its key (found only by whoever knows the key: the channels folder is not
    listable), syncing the disk twice in all rather than twice per file; return how many channels were written."""
    root = ensure_root(exchange_root, course_id)
    writes: list[tuple[Path, bytes]] = []
    folders: list[Path] = []
    for key, files in parcels.items():
        folder = root / check_key(key)
        for name in files:
            check_document_name(name)
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)
        folders.append(folder)
        writes += [(folder / name, _encoded(doc)) for name, doc in files.items()]
    write_atomic_many(writes, mode=0o644)
    for folder in folders:  # what an earlier delivery, killed before its renames, left hidden there
        remove_stale_temps(folder, any_file=True)
    return len(parcels)


def learner_channels(exchange_root: Path, course_id: str, cache: Path, path_id: str, *, learner: str) -> list[Path]:
    """The learner's channels for *path_id* that exist, found through the submission secrets in
    their own nbgrader cache *cache* (one per submission they made; newest first)."""
    root = channels_root(exchange_root, course_id)
    cached = sorted((cache / course_id).glob(f"{check_learner_id(learner)}+{path_id}+*"), reverse=True)
    found = []
    for entry in cached:
        try:
            secret = secret_text(entry)
        except ValidationError as exc:  # a link or a huge file in the learner's own cache: not nbgrader's
            log.warning("%s: %s", entry.name, exc)
            continue
        if secret is None:
            continue
        key = channel_key(path_id, secret)
        if key and (root / key / round_file(path_id)).is_file():
            found.append(root / key)
    return found


def read_round(folder: Path, path_id: str) -> tuple[dict[str, Any], Rubric]:
    try:
        file = folder / round_file(path_id)
        return parse_round(file.read_bytes(), source=str(file))
    except OSError as exc:
        raise StorageError(f"cannot read the review round: {exc.strerror}", path=str(folder)) from exc


def read_packet(folder: Path, token: str) -> dict[str, Any]:
    check_token(token)
    try:
        file = folder / packet_file(token)
        return parse_packet(file.read_bytes(), source=str(file))
    except OSError as exc:
        raise StorageError(f"cannot read a review packet: {exc.strerror}", path=str(folder)) from exc


def read_feedback(folder: Path, path_id: str) -> dict[str, Any] | None:
    """The feedback document in *folder*, or None when absent or not feedback (a learner's page
    always opens; one written by a newer peerkit is logged with the version and the fix)."""
    file = folder / feedback_file(path_id)
    try:
        return documents.parse(file.read_bytes()[: MAX_PACKET_BYTES + 1], documents.FEEDBACK, source=str(file))
    except DocumentVersionError as exc:
        log.warning("feedback not read: %s", exc)
        return None
    except (OSError, ValidationError):
        return None
