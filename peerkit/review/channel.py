"""What one reviewer's channel receives when review work reaches them, in a round and in rolling
review alike: the packets of peers' work new to them, their own packet the first time, and a fresh
manifest. One function builds these files for both, so a packet or manifest field added for one mode
cannot go missing from the other."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from peerkit.core.models import LearningPath
from peerkit.core.packets import Questions, build_packet, build_round, removed_from
from peerkit.core.redaction import Redactor
from peerkit.core.review import Assignment, Round
from peerkit.core.rubric import Rubric
from peerkit.core.store import StoredSubmission
from peerkit.exchange.base import packet_file, round_file


def in_given_order(assignments: Iterable[Assignment]) -> list[str]:
    """The tokens of a reviewer's *assignments* in the order their packets are listed: as the reviews
    were given, then by the random token. Never by author: the store returns a reviewer's
    assignments sorted by their authors' names, and "Submission 1 of 3" would then tell which
    classmate wrote it (in a round of k + 1 learners, exactly)."""
    return [a.token for a in sorted(assignments, key=lambda a: (a.assigned_at, a.token))]


def self_token(learner: str, round_: Round) -> str:
    """The token of a learner's own packet: stable for the round; it only ever sits in their own channel.

    Keyed by the round's secret (:attr:`~peerkit.core.review.Round.secret`): hashed from the 31-bit seed
    alone, as a round opened before the store kept a secret still has it, the learner holding it could
    search back to the seed and recompute who reviews whom."""
    if round_.secret:
        message = f"self\0{round_.path_id}\0{learner}".encode()
        return hmac.new(bytes.fromhex(round_.secret), message, hashlib.sha256).hexdigest()[:32]
    return hashlib.sha256(f"self\0{round_.path_id}\0{round_.seed}\0{learner}".encode()).hexdigest()[:32]


def channel_files(
    learner: str,
    *,
    path: LearningPath,
    round_: Round,
    rubric: Rubric,
    questions: Questions,
    redactor: Redactor,
    new_packets: Iterable[tuple[str, StoredSubmission]],
    packets: Sequence[str],
    own: StoredSubmission | None,
    newcomer: bool,
    assessed: bool,
    mode: str | None = None,
    per_submission: int | None = None,
    waiting_for: int | None = None,
) -> dict[str, dict[str, Any]]:
    """*learner*'s files: a packet per (token, author's submission) of *new_packets*, scrubbed by
    *redactor*; their *own* submission as a self packet when they are a *newcomer* to a round with self
    assessment; and the manifest listing *packets*, with their self packet when they are *assessed*
    (in the round) and how many names were taken out of their own submission. *mode*,
    *per_submission* and *waiting_for* go into the manifest of a rolling path."""
    files: dict[str, dict[str, Any]] = {}
    for token, author in new_packets:
        files[packet_file(token)] = build_packet(
            token=token,
            path_id=path.id,
            path_title=path.title,
            kind="peer",
            sheet=author.sheet,
            questions=questions,
            author=author.learner,
            anonymity=round_.anonymity,
            redactor=redactor,
        )
    own_token = self_token(learner, round_)
    if round_.self_assessment and newcomer and own is not None:
        files[packet_file(own_token)] = build_packet(
            token=own_token,
            path_id=path.id,
            path_title=path.title,
            kind="self",
            sheet=own.sheet,
            questions=questions,
            author=learner,
        )
    files[round_file(path.id)] = build_round(
        path_id=path.id,
        path_title=path.title,
        rubric=rubric,
        anonymity=round_.anonymity,
        packets=list(packets),
        own=own_token if round_.self_assessment and assessed else None,
        removed=removed_from(own.sheet, redactor) if own is not None else 0,
        mode=mode,
        per_submission=per_submission,
        waiting_for=waiting_for,
    )
    return files
