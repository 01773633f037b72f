"""Participation equity: whose voices are heard in a cohort.

Open peer learning promises that every voice counts; these measures show whether it does. A
*contribution* is something a learner wrote that others can read (an answer in a submission, a
comment in a review), measured in words. From contributions and reviews:

* each learner's share of the words, and the reviews they gave and received;
* the Gini coefficient of contributions (0: everyone wrote as much; (n - 1) / n: one person wrote
  everything), now and over time;
* the learners who have said nothing yet;
* circles (a library, a school, a team) whose members review only each other: no voice from outside.

Pure functions over plain records; the dashboard (:mod:`peerkit.facilitator.figures`) feeds them from the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from peerkit.core.errors import ValidationError


def gini(values: Iterable[float]) -> float:
    """The Gini coefficient of non-negative *values*: 0 when all are equal (or there are none, or all are
    0), ``(n - 1) / n`` when one holds everything.

    ``G = 2 Σ i·x_(i) / (n Σ x) - (n + 1) / n`` with the values in ascending order, ``i`` from 1.
    """
    xs = sorted(float(v) for v in values)
    if xs and xs[0] < 0:
        raise ValidationError("the Gini coefficient is defined for non-negative values only")
    total = sum(xs)
    n = len(xs)
    if n == 0 or total == 0:
        return 0.0
    ranked = sum(i * x for i, x in enumerate(xs, start=1))
    return max(0.0, 2.0 * ranked / (n * total) - (n + 1) / n)


@dataclass(frozen=True, slots=True)
class Contribution:
    """*learner* wrote *words* words at *at* (an answer, or a review's comments)."""

    learner: str
    at: datetime
    words: int
    kind: str = "answer"  # answer, review


@dataclass(frozen=True, slots=True)
class Voice:
    """One learner's part in the conversation."""

    learner: str
    words: int
    share: float  # of all words written, 0..1
    reviews_given: int
    reviews_received: int
    circle: str | None = None


@dataclass(frozen=True, slots=True)
class CircleMixing:
    """How much of a circle's reviewing stays inside it."""

    circle: str
    members: int
    given: int
    given_inside: int
    received: int
    received_inside: int

    @property
    def closed(self) -> bool:
        """Every review its members gave went to its own members."""
        return self.given > 0 and self.given_inside == self.given


@dataclass(frozen=True, slots=True)
class Participation:
    voices: tuple[Voice, ...]
    gini_words: float
    gini_reviews: float
    silent: tuple[str, ...]
    circles: tuple[CircleMixing, ...]
    timeline: tuple[tuple[datetime, float], ...]

    @property
    def closed_circles(self) -> tuple[str, ...]:
        return tuple(c.circle for c in self.circles if c.closed)


def circle_mixing(pairs: Iterable[tuple[str, str]], circles: Mapping[str, str | None]) -> list[CircleMixing]:
    """For every circle with members: reviews its members gave and received, and how many of those
    stayed inside the circle. *pairs* are ``(reviewer, author)``; learners without a circle are left out."""
    members: dict[str, int] = defaultdict(int)
    for circle in circles.values():
        if circle:
            members[circle] += 1
    given: dict[str, list[int]] = {c: [0, 0] for c in members}
    received: dict[str, list[int]] = {c: [0, 0] for c in members}
    for reviewer, author in pairs:
        rc, ac = circles.get(reviewer), circles.get(author)
        inside = int(rc is not None and rc == ac)
        if rc:
            given[rc][0] += 1
            given[rc][1] += inside
        if ac:
            received[ac][0] += 1
            received[ac][1] += inside
    return [
        CircleMixing(c, members[c], given[c][0], given[c][1], received[c][0], received[c][1]) for c in sorted(members)
    ]


def gini_timeline(
    contributions: Sequence[Contribution], learners: Sequence[str], *, points: int = 12
) -> list[tuple[datetime, float]]:
    """The Gini coefficient of the words written so far by *learners*, at *points* moments evenly spread
    from the first contribution to the last (the whole cohort counts at every moment, silent ones too)."""
    if not contributions or not learners:
        return []
    ordered = sorted(contributions, key=lambda c: c.at)
    start, end = ordered[0].at, ordered[-1].at
    steps = max(1, points - 1) if end > start else 0
    moments = [start + (end - start) * k / steps for k in range(steps + 1)] if steps else [end]
    totals = dict.fromkeys(learners, 0)
    timeline = []
    index = 0
    for moment in moments:
        while index < len(ordered) and ordered[index].at <= moment:
            if ordered[index].learner in totals:
                totals[ordered[index].learner] += ordered[index].words
            index += 1
        timeline.append((moment, round(gini(totals.values()), 4)))
    return timeline


def participation(
    learners: Sequence[str],
    contributions: Sequence[Contribution],
    reviews: Sequence[tuple[str, str]],
    *,
    circles: Mapping[str, str | None] | None = None,
    points: int = 12,
) -> Participation:
    """Who is heard among *learners*: word shares, reviews given and received (*reviews* are
    ``(reviewer, author)`` pairs), the Gini coefficients, the silent, and closed circles."""
    circles = circles or {}
    names = sorted(set(learners))
    words = dict.fromkeys(names, 0)
    for c in contributions:
        if c.learner in words:
            words[c.learner] += c.words
    given: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    for reviewer, author in reviews:
        given[reviewer] += 1
        received[author] += 1
    total = sum(words.values())
    voices = tuple(
        Voice(
            learner=n,
            words=words[n],
            share=(words[n] / total) if total else 0.0,
            reviews_given=given[n],
            reviews_received=received[n],
            circle=circles.get(n),
        )
        for n in names
    )
    return Participation(
        voices=voices,
        gini_words=round(gini(words.values()), 4),
        gini_reviews=round(gini(given[n] for n in names), 4),
        silent=tuple(n for n in names if words[n] == 0),
        circles=tuple(circle_mixing(reviews, {n: circles.get(n) for n in names})),
        timeline=tuple(gini_timeline(contributions, names, points=points)),
    )
