"""Per-learner delivery beside nbgrader's exchange: each learner's review channel.

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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.errors import StorageError, ValidationError
from peerkit.core.packets import parse_packet, parse_round
from peerkit.core.review import channel_key
from peerkit.core.rubric import Rubric
from peerkit.nbgrader.config import get
from peerkit.nbgrader.learner import cache_dir, course_id_of
from peerkit.storage.atomic import write_atomic

CHANNELS = "peerkit-channels"
_KEY_CHARS = set("0123456789abcdef")


def channels_root(exchange_root: Path, course_id: str) -> Path:
    return exchange_root / course_id / CHANNELS


def ensure_root(exchange_root: Path, course_id: str) -> Path:
    """Create the channels folder, traversable but not listable by others (0711)."""
    root = channels_root(exchange_root, course_id)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o711)
    return root


def _channel(root: Path, key: str) -> Path:
    if len(key) != 64 or not set(key) <= _KEY_CHARS:
        raise ValidationError("malformed channel key")
    return root / key


def publish(exchange_root: Path, course_id: str, key: str, files: dict[str, dict[str, Any]]) -> Path:
    """Write JSON *files* into the learner's channel *key*; return the channel folder."""
    folder = _channel(ensure_root(exchange_root, course_id), key)
    folder.mkdir(exist_ok=True)
    folder.chmod(0o755)
    for name, doc in files.items():
        if "/" in name or name.startswith("."):
            raise ValidationError(f"unsafe channel file name {name!r}")
        write_atomic(folder / name, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode(), mode=0o644)
    return folder


def round_file(path_id: str) -> str:
    return f"round-{path_id}.json"


def packet_file(token: str) -> str:
    return f"packet-{token}.json"


FEEDBACK_FORMAT = "peerkit-feedback"


def feedback_file(path_id: str) -> str:
    """The learner's feedback on *path_id* (grade and the reviews they received)."""
    return f"feedback-{path_id}.json"


def learner_channels(config: Config, path_id: str, *, learner: str) -> list[Path]:
    """The learner's channels for *path_id* that exist, found through the submission secrets in
    their own nbgrader cache (one per submission they made; newest first)."""
    course = course_id_of(config)
    exchange = Path(str(get(config, "Exchange", "root", "")))
    root = channels_root(exchange, course)
    cached = sorted((cache_dir(config) / course).glob(f"{check_learner_id(learner)}+{path_id}+*"), reverse=True)
    found = []
    for entry in cached:
        secret = entry / "submission_secret.txt"
        if not secret.is_file():
            continue
        key = channel_key(path_id, secret.read_text(errors="replace")[:300])
        if key and (root / key / round_file(path_id)).is_file():
            found.append(root / key)
    return found


def read_round(folder: Path, path_id: str) -> tuple[dict[str, Any], Rubric]:
    try:
        return parse_round((folder / round_file(path_id)).read_bytes())
    except OSError as exc:
        raise StorageError(f"cannot read the review round: {exc.strerror}") from exc


def read_packet(folder: Path, token: str) -> dict[str, Any]:
    if not set(token) <= _KEY_CHARS:
        raise ValidationError("malformed packet token")
    try:
        return parse_packet((folder / packet_file(token)).read_bytes())
    except OSError as exc:
        raise StorageError(f"cannot read a review packet: {exc.strerror}") from exc
