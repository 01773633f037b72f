"""Records of peer-review rounds: the round, who reviews whom (through which packet), the reviews."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

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
    #: The round's secret (hex), kept in the store: it keys what a learner must not be able to work out
    #: from what they are given (their own packet's token, the exports' pseudonyms). The seed alone has 31
    #: bits: a token hashed from it could be searched back to the seed, and with the seed the allocation
    #: (who reviews whom) recomputed. Empty for a round opened before the store kept one.
    secret: str = ""


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
    excluded: bool = False
    excluded_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CriterionGrade:
    estimate: float | None
    uncertainty: float | None
    reviews: int
    spread: float | None = None
    #: The aggregation method that produced the estimate, and why it was chosen (``"auto"``'s
    #: held-out evidence, or a fallback's reason); None in grades stored before they were recorded.
    method: str | None = None
    why: str | None = None


@dataclass(frozen=True, slots=True)
class Grade:
    """A submission's grade in a round: computed from its reviews, perhaps overridden by hand."""

    author: str
    method: str
    points: float | None
    max_points: float
    uncertainty: float | None
    criteria: Mapping[str, CriterionGrade]
    reviews: int
    flags: tuple[str, ...] = ()
    computed_at: datetime | None = None
    override_points: float | None = None
    override_by: str | None = None
    override_reason: str | None = None
    override_at: datetime | None = None
    released_at: datetime | None = None

    @property
    def final_points(self) -> float | None:
        return self.override_points if self.override_points is not None else self.points

    @property
    def confidence(self) -> str:
        """How sure the grade is, in words: from its uncertainty relative to the rubric's range."""
        if self.override_points is not None:
            return "set by the facilitator"
        if self.points is None or self.uncertainty is None:
            return "not enough reviews yet"
        share = self.uncertainty / self.max_points if self.max_points else 1.0
        return "high" if share <= 0.05 else "medium" if share <= 0.12 else "low"


@dataclass(frozen=True, slots=True)
class NewRating:
    """An author's rating of one review they received (through that review's packet token)."""

    rater: str
    token: str
    helpful: int | None
    note: str = ""
    flagged: bool = False
    flag_reason: str = ""
    rated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A learner's review answer saved before submission (through the hub service).

    ``version`` counts the saves; a writer that read version *n* and saves with ``base=n`` is
    refused if someone saved in between, so two tabs never silently overwrite each other.
    """

    learner: str
    path_id: str
    answer_id: str
    answer: dict[str, Any]
    version: int
    updated: datetime
