"""Records of peer-review rounds: the round, who reviews whom (through which packet), the reviews."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from peerkit.core.rubric import Anonymity, ReviewContent

Status = Literal["open", "done", "replaced"]

_SECRET = re.compile(r"^[0-9a-f]{32,256}$")


def channel_key(path_id: str, secret: str) -> str | None:
    """The name of a learner's review channel for *path_id*, from their nbgrader submission secret.

    nbgrader writes a random ``submission_secret.txt`` (128 hex digits) into every submission and
    keeps a copy in the learner's own cache; only the learner and the facilitator (after collect)
    know it. The channel is named by a hash of it, the way nbgrader names released feedback, so
    the name can be computed on both sides and guessed by nobody else. None for a malformed secret.
    """
    secret = secret.strip()
    if not _SECRET.match(secret):
        return None
    return hashlib.sha256(f"peerkit review channel\0{path_id}\0{secret}".encode()).hexdigest()


ReviewKind = Literal["peer", "self"]


@dataclass(frozen=True, slots=True)
class Round:
    path_id: str
    rubric_id: str
    per_submission: int
    anonymity: Anonymity
    self_assessment: bool
    seed: int
    opened_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """*reviewer* reviews *author*'s submission through the packet named *token*."""

    token: str
    reviewer: str
    author: str
    status: Status
    assigned_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewReview:
    """A review to record: through assignment *token* (a peer review) or, with no token, a self-assessment."""

    reviewer: str
    token: str | None
    content: ReviewContent
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    reviewer: str
    author: str
    kind: ReviewKind
    content: ReviewContent
    submitted_at: datetime
    token: str | None = None
    current: bool = True
