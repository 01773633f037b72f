"""The dashboard's plots, drawn with matplotlib as SVG.

Each function returns SVG text: the Voilà app shows it as an ``<img>`` (:func:`as_img`), where
nothing in it can run, so no JavaScript plotting extension is needed and no console error can come
from one. Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, no global
state, safe in a server); text stays text (``svg.fonttype: none``) and output is deterministic.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from peerkit.config.extras import require
from peerkit.facilitator.figures import STAGES, Bias

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INK, MUTED, ACCENT, WARN = "#1f2328", "#55595f", "#1d4f91", "#a11d1d"
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text as <text>: small files, readable, searchable
    "svg.hashsalt": "peerkit",  # stable element ids: the same figures give the same SVG
    "font.size": 10,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _render(draw: Callable[[Figure, Axes], None], *, title: str, height: float = 3.2, width: float = 6.4) -> str:
    """Draw one figure with *draw* in peerkit's style; return it as SVG text."""
    require("dashboard", for_what="the dashboard's figures")
    import matplotlib
    from matplotlib.figure import Figure

    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # keys checked by matplotlib at run time
        figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        draw(figure, axes)
        axes.set_title(title, loc="left", color=INK)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _bar_height(bars: int) -> float:
    return max(2.4, 0.28 * bars + 1.2)


def grade_distribution(points: Sequence[float], max_points: float, *, title: str = "Grades") -> str:
    """A histogram of final grades on ``0..max_points``."""

    def draw(_figure: Figure, axes: Axes) -> None:
        if points:
            bins = max(4, min(20, int(max_points * 2) or 4))
            axes.hist(points, bins=bins, range=(0, max_points or 1), color=ACCENT, edgecolor="white")
            axes.set_ylabel("submissions")
        else:
            _empty(axes, "no grades yet")
        axes.set_xlabel(f"points (of {max_points:g})")

    return _render(draw, title=title)


def bias_chart(biases: Sequence[Bias], *, title: str = "Reviewer bias (calibrated model)") -> str:
    """One bar per reviewer: the estimated bias in points (left: severe, right: generous)."""

    def draw(_figure: Figure, axes: Axes) -> None:
        if not biases:
            _empty(axes, "no reviews yet")
            return
        values = [b.bias for b in biases]
        axes.barh(range(len(values)), values, color=[WARN if v < 0 else ACCENT for v in values])
        axes.set_yticks(range(len(values)), [b.reviewer for b in biases])
        axes.axvline(0, color=MUTED, linewidth=0.8)
        axes.set_xlabel("points: severe ← 0 → generous")

    return _render(draw, title=title, height=_bar_height(len(biases)))


def participation_timeline(
    timeline: Sequence[tuple[datetime, float]], *, title: str = "Participation over time"
) -> str:
    """The Gini coefficient of words written so far, over time (0 = everyone heard equally)."""

    def draw(figure: Figure, axes: Axes) -> None:
        if not timeline:
            _empty(axes, "nothing written yet")
            return
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        moments: Any = [t for t, _ in timeline]  # matplotlib plots datetimes; its stubs say numbers only
        axes.plot(moments, [g for _, g in timeline], color=ACCENT, marker="o", markersize=3)
        if timeline[0][0] == timeline[-1][0]:  # everything written at once: a day around it
            axes.set_xlim(timeline[0][0] - timedelta(hours=12), timeline[0][0] + timedelta(hours=12))  # type: ignore[arg-type]
        locator = AutoDateLocator()  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        axes.set_ylim(0, 1)
        axes.set_ylabel("Gini of words written")

    return _render(draw, title=title)


def word_shares(shares: Mapping[str, float], *, title: str = "Share of words", top: int = 25) -> str:
    """Each learner's share of the words written, largest first (the *top* largest)."""
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    def draw(_figure: Figure, axes: Axes) -> None:
        if not any(v for _, v in ranked):
            _empty(axes, "nothing written yet")
            return
        axes.barh(range(len(ranked)), [100 * v for _, v in ranked], color=ACCENT)
        axes.set_yticks(range(len(ranked)), [k for k, _ in ranked])
        axes.invert_yaxis()
        axes.set_xlabel("% of all words")

    return _render(draw, title=title, height=_bar_height(len(ranked)))


def _whole_numbers(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def funnel(counts: Mapping[str, int], *, title: str = "Progress") -> str:
    """How many learners reached each stage of a path."""
    stages = [s for s in STAGES if s in counts]

    def draw(_figure: Figure, axes: Axes) -> None:
        axes.bar(range(len(stages)), [counts[s] for s in stages], color=ACCENT)
        axes.set_xticks(range(len(stages)), stages)
        axes.set_ylim(bottom=0, top=max([1, *counts.values()]))
        _whole_numbers(axes.yaxis)
        axes.set_ylabel("learners")

    return _render(draw, title=title, height=2.6)


def funnels(by_path: Mapping[str, Mapping[str, int]], *, title: str = "Progress by path") -> str:
    """Every path's funnel in one chart: per path, a bar per stage (darker: further along; amber:
    submitted with blanks, which never counts as submitted)."""
    paths = list(by_path)
    palette = {"submitted with blanks": "#d08c2c"}
    blues = iter(["#c6d4e8", "#93afd6", "#5f89c2", "#1d4f91", "#0b2a55", "#061a36"])
    shades = [palette.get(stage) or next(blues) for stage in STAGES]

    def draw(_figure: Figure, axes: Axes) -> None:
        height = 0.8 / len(STAGES)
        for n, stage in enumerate(STAGES):
            offsets = [i - 0.4 + (n + 0.5) * height for i in range(len(paths))]
            values = [by_path[p].get(stage, 0) for p in paths]
            axes.barh(offsets, values, height=height, color=shades[n], label=stage)
        axes.set_yticks(range(len(paths)), [p if len(p) <= 34 else p[:33] + "…" for p in paths])
        axes.invert_yaxis()
        axes.set_xlim(left=0, right=max([1, *(v for c in by_path.values() for v in c.values())]))
        _whole_numbers(axes.xaxis)
        axes.set_xlabel("learners")
        axes.legend(loc="lower right", fontsize=8, frameon=False)

    return _render(draw, title=title, height=max(2.6, 0.62 * len(paths) + 1.2), width=7.6)


def as_img(svg: str, alt: str) -> str:
    """An ``<img>`` holding *svg* as a data URL: shown by any browser, inert (no script can run)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="peerkit-plot" alt="{html.escape(alt)}" style="max-width:100%;height:auto" '
        f'src="data:image/svg+xml;base64,{data}">'
    )
