"""One or two plain sentences per dashboard figure: what a facilitator would say looking at the plot.

They are the plots' text alternative (a screen reader reads them as the figure's name, everyone
sees them under the figure) and they work in a terminal too. Pure: figures in, a string out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise

from peerkit.facilitator.figures import STAGES, Bias


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def funnel_summary(counts: Mapping[str, int], *, learners: int, title: str) -> str:
    """How far the learners of one path got, and the stage where most of them stopped."""
    reached = {s: counts.get(s, 0) for s in STAGES}
    if not reached["opened"]:
        return f"None of the {_n(learners, 'learner')} has opened {title} yet."
    sent = reached["submitted"] + reached["submitted with blanks"]
    sentence = f"{reached['opened']} of {learners} learners opened {title}; {reached['submitted']} submitted"
    sentence += " complete answers"
    if reached["submitted with blanks"]:
        sentence += f" and {reached['submitted with blanks']} submitted with blanks"
    if reached["reviewed"] or reached["feedback read"]:
        sentence += f"; {reached['reviewed']} finished their reviews"
        sentence += f" and {reached['feedback read']} read their feedback"
    sentence += "."
    chain = [("opened", reached["opened"]), ("answered", reached["answered"]), ("submitted", sent)]
    if reached["reviewed"]:
        chain.append(("reviewed", reached["reviewed"]))
    stops = [(before - after, stage) for (stage, before), (_, after) in pairwise(chain)]
    worst = max(stops, default=(0, ""))
    if worst[0] > 0:
        sentence += f" {worst[0]} of {learners} learners are stuck at '{worst[1]}', the most at any one stage."
    return sentence


def funnels_summary(by_path: Mapping[str, Mapping[str, int]], *, learners: int) -> str:
    """Every path in one sentence: how many submitted each, and where the fewest did."""
    if not by_path:
        return "The course has no paths."
    submitted = {title: counts.get("submitted", 0) for title, counts in by_path.items()}
    blanks = sum(counts.get("submitted with blanks", 0) for counts in by_path.values())
    fewest = min(submitted, key=lambda t: (submitted[t], list(submitted).index(t)))
    most = max(submitted, key=lambda t: (submitted[t], -list(submitted).index(t)))
    text = (
        f"Of {learners} learners, the most submitted {most} ({submitted[most]}), the fewest {fewest} "
        f"({submitted[fewest]})."
    )
    if blanks:
        text += f" {_n(blanks, 'submission')} in all have blanks."
    return text


def grades_summary(points: Sequence[float], max_points: float) -> str:
    if not points:
        return "No grades yet."
    ordered = sorted(points)
    middle = ordered[len(ordered) // 2] if len(ordered) % 2 else sum(ordered[len(ordered) // 2 - 1 :][:2]) / 2
    return (
        f"{_n(len(points), 'graded submission')} of {max_points:g} points: median {middle:g}, "
        f"lowest {ordered[0]:g}, highest {ordered[-1]:g}."
    )


def bias_summary(biases: Sequence[Bias], *, shown: int) -> str:
    if not biases:
        return "No reviews yet, so no reviewer bias to estimate."
    severe, generous = biases[0], biases[-1]
    text = (
        f"{_n(len(biases), 'reviewer')}: the most severe is {severe.reviewer} ({severe.bias:+.2f} points), "
        f"the most generous {generous.reviewer} ({generous.bias:+.2f} points)."
    )
    if shown < len(biases):
        text += f" The chart shows the {shown} furthest from 0; the table lists everyone."
    return text


def shares_summary(shares: Mapping[str, float], *, shown: int) -> str:
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    if not any(v for _, v in ranked):
        return "Nobody has written anything yet."
    top = ranked[: max(1, len(ranked) // 10)]
    text = (
        f"{ranked[0][0]} wrote the most ({ranked[0][1]:.0%} of all words); the top {_n(len(top), 'learner')} "
        f"wrote {sum(v for _, v in top):.0%}, and {sum(1 for _, v in ranked if not v)} wrote nothing."
    )
    if shown < len(ranked):
        text += f" The chart shows the {shown} who wrote most."
    return text


def timeline_summary(timeline: Sequence[tuple[datetime, float]]) -> str:
    if not timeline:
        return "Nothing written yet."
    first, last = timeline[0][1], timeline[-1][1]
    trend = "more even" if last < first else ("less even" if last > first else "as even")
    return (
        f"The Gini coefficient of words went from {first:.2f} to {last:.2f} "
        f"(0: everyone equally), so voices are {trend} now than at the start."
    )
