"""The dashboard's plots: matplotlib drawn as inline SVG, each with a text summary and its data table.

Why matplotlib and static SVG, not an interactive plotting library: the dashboard is a Voilà app,
and Voilà serves offline, so a plot may only use what the server ships. Plotly, Bokeh, Altair and
bqplot all need a JavaScript bundle in the page (a JupyterLab extension or a script tag); an
``ipywidgets.HTML`` output never runs scripts, so each would add a front-end extension to install,
load and keep in step with Voilà's, and a new source of console errors. What a facilitator wants to
hover or filter is covered without one:

* **hover**: every bar is an SVG group with a ``<title>`` ("Capstone, submitted: 40 learners"), which
  browsers show as a tooltip on hover, and the exact numbers are in the table under the plot;
* **filter**: the dashboard's path chooser redraws every tab for one path, and each plot's data is a
  real ``<table>`` (in a ``<details>``) that can be read, searched (Ctrl+F) and copied.

Accessibility (WCAG 2.2 AA): the SVG is inline (not an ``<img>``, which would drop its ``<title>``s)
with ``role="img"`` and an ``aria-label`` holding the title and the one- or two-sentence summary from
:mod:`peerkit.facilitator.summaries`, which is also shown under it. Colours are the Okabe–Ito
palette (told apart with every common colour-vision deficiency), each bar has a dark edge so it
stands out from the white background at ≥ 3:1 whatever its fill, legends sit below the axes where
they can never cover a bar, and every piece of text is :data:`INK` or :data:`MUTED`, ≥ 4.5:1 on
white (:func:`contrast` checks it in the tests).

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, no global state, safe
in a server); text stays text (``svg.fonttype: none``) and output is deterministic.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from peerkit.config.extras import require
from peerkit.facilitator import summaries
from peerkit.facilitator.figures import STAGES, Bias

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INK, MUTED, BACKGROUND = "#1f2328", "#55595f", "#ffffff"
#: Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), dark to light.
OKABE_ITO = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000")
ACCENT, WARN = OKABE_ITO[0], OKABE_ITO[1]
#: A colour per progress stage; "submitted with blanks" is orange, apart from the complete stages.
STAGE_COLOURS = dict(zip(STAGES, ("#56b4e9", "#009e73", "#e69f00", "#0072b2", "#cc79a7", "#000000"), strict=True))
EDGE: dict[str, Any] = {"edgecolor": INK, "linewidth": 0.6}
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text as <text>: small files, readable, searchable
    "svg.hashsalt": "peerkit",  # stable element ids: the same figures give the same SVG
    "font.size": 10,
    "text.color": INK,
    "axes.facecolor": BACKGROUND,
    "figure.facecolor": BACKGROUND,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: The most bars a chart draws; its table always has every row.
MOST_BARS = 30


def contrast(foreground: str, background: str = BACKGROUND) -> float:
    """WCAG's contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True, slots=True)
class Plot:
    """A drawn plot: its SVG, the sentences that say what it shows, and its data as a table."""

    title: str
    svg: str
    summary: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def html(self) -> str:
        """A ``<figure>``: the inline SVG (``role="img"``, named by its title and summary), the summary
        as its caption and the data in a ``<details>`` table."""
        label = f"{self.title}. {self.summary}"
        svg = _inline(self.svg, label)
        table = data_table(self.header, self.rows, caption=f"Data: {self.title}")
        return (
            f'<figure class="peerkit-figure" style="margin:0.6em 0 1em 0">{svg}'
            f'<figcaption class="peerkit-plot-summary" style="color:{INK};margin:0.2em 0">'
            f"{html.escape(self.summary)}</figcaption>"
            f'<details class="peerkit-plot-data"><summary>Show the data as a table</summary>{table}</details>'
            "</figure>"
        )


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str = "",
    css: str = "peerkit-table",
    limit: int = 500,
) -> str:
    """A table with a ``<caption>``, column headers (``scope="col"``) and each row's first cell as its
    header (``scope="row"``); every cell escaped. Past *limit* rows it says how many it left out."""

    def cell(value: object) -> str:
        return html.escape("" if value is None else str(value))

    pad = "padding:2px 10px 2px 0;text-align:left"
    head = "".join(f'<th scope="col" style="{pad}">{cell(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row" style="{pad};font-weight:normal">{cell(row[0])}</th>'
        + "".join(f'<td style="{pad}">{cell(c)}</td>' for c in row[1:])
        + "</tr>"
        for row in rows[:limit]
    )
    more = ""
    if len(rows) > limit:
        more = f'<p class="peerkit-table-more">{limit} of {len(rows)} rows shown; the exports have every row.</p>'
    title = f'<caption style="text-align:left;font-weight:600;color:{INK}">{cell(caption)}</caption>' if caption else ""
    return (
        f'<table class="{css}" style="border-collapse:collapse;font-size:0.92em;color:{INK}">'
        f"{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
    )


_TIP = re.compile(r'<g id="peerkit-tip-(\d+)">')


def _render(draw: Callable[[Figure, Axes], list[str]], *, title: str, height: float = 3.2, width: float = 6.4) -> str:
    """Draw one figure with *draw* in peerkit's style; return it as SVG text. *draw* returns a tooltip
    per artist it gave the gid ``peerkit-tip-<n>``: each becomes that group's ``<title>``."""
    require("dashboard", for_what="the dashboard's figures")
    import matplotlib
    from matplotlib.figure import Figure

    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # keys checked by matplotlib at run time
        figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        tips = draw(figure, axes)
        axes.set_title(title, loc="left", color=INK)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return _TIP.sub(lambda m: f"{m.group(0)}<title>{html.escape(tips[int(m.group(1))])}</title>", svg)


def _inline(svg: str, label: str) -> str:
    """*svg* ready to sit inside HTML: no XML prolog, metadata or page-wide ``<style>``, its ids made
    unique to this plot, and ``role="img"`` with *label* as its accessible name."""
    prefix = "pk" + hashlib.sha1(svg.encode("utf-8"), usedforsecurity=False).hexdigest()[:8] + "-"
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.S)
    body = re.sub(r"<style[^>]*>.*?</style>\s*", "", body, flags=re.S)
    body = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", body)
    body = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', body)
    return body.replace(
        "<svg ",
        f'<svg class="peerkit-plot" role="img" aria-label="{html.escape(label)}" focusable="false" '
        'style="max-width:100%;height:auto;stroke-linejoin:round;stroke-linecap:butt" ',
        1,
    )


def _empty(axes: Axes, text: str) -> list[str]:
    axes.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])
    return []


def _bar_height(bars: int) -> float:
    return max(2.4, 0.28 * bars + 1.2)


def _tips(bars: Any, labels: Sequence[str], tips: list[str]) -> None:
    """Give each bar a gid that :func:`_render` turns into a hover ``<title>``."""
    for bar, label in zip(bars, labels, strict=True):
        bar.set_gid(f"peerkit-tip-{len(tips)}")
        tips.append(label)


def _whole_numbers(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def grade_distribution(points: Sequence[float], max_points: float, *, title: str = "Grades") -> Plot:
    """A histogram of final grades on ``0..max_points``."""
    bins = max(4, min(20, int(max_points * 2) or 4))
    step = (max_points or 1) / bins
    counts = [0] * bins
    for p in points:
        counts[min(bins - 1, max(0, int(p / step)))] += 1
    edges = [(round(i * step, 2), round((i + 1) * step, 2)) for i in range(bins)]

    def draw(_figure: Figure, axes: Axes) -> list[str]:
        axes.set_xlabel(f"points (of {max_points:g})")
        if not points:
            return _empty(axes, "no grades yet")
        tips: list[str] = []
        bars = axes.bar([lo for lo, _ in edges], counts, width=step, align="edge", color=ACCENT, **EDGE)
        _tips(bars, [f"{lo:g}–{hi:g} points: {n}" for (lo, hi), n in zip(edges, counts, strict=True)], tips)
        _whole_numbers(axes.yaxis)
        axes.set_ylabel("submissions")
        return tips

    rows = tuple((f"{lo:g}–{hi:g}", n) for (lo, hi), n in zip(edges, counts, strict=True))
    return Plot(
        title, _render(draw, title=title), summaries.grades_summary(points, max_points), ("points", "submissions"), rows
    )


def bias_chart(biases: Sequence[Bias], *, title: str = "Reviewer bias (calibrated model)") -> Plot:
    """One bar per reviewer: the estimated bias in points (left: severe, right: generous); past
    :data:`MOST_BARS` reviewers, the ones furthest from 0."""
    shown = sorted(
        sorted(biases, key=lambda b: (-abs(b.bias), b.reviewer))[:MOST_BARS], key=lambda b: (b.bias, b.reviewer)
    )

    def draw(_figure: Figure, axes: Axes) -> list[str]:
        if not shown:
            return _empty(axes, "no reviews yet")
        values = [b.bias for b in shown]
        tips: list[str] = []
        bars = axes.barh(range(len(values)), values, color=[WARN if v < 0 else ACCENT for v in values], **EDGE)
        _tips(bars, [f"{b.reviewer}: {b.bias:+.2f} points ({b.reviews} reviews)" for b in shown], tips)
        axes.set_yticks(range(len(values)), [b.reviewer for b in shown])
        axes.axvline(0, color=MUTED, linewidth=0.8)
        axes.set_xlabel("points: severe ← 0 → generous")
        return tips

    rows = tuple((b.reviewer, f"{b.bias:+.2f}", b.reviews) for b in biases)
    svg = _render(draw, title=title, height=_bar_height(len(shown)))
    summary = summaries.bias_summary(biases, shown=len(shown))
    return Plot(title, svg, summary, ("reviewer", "bias (points)", "reviews"), rows)


def participation_timeline(
    timeline: Sequence[tuple[datetime, float]], *, title: str = "Participation over time"
) -> Plot:
    """The Gini coefficient of words written so far, over time (0 = everyone heard equally)."""

    def draw(_figure: Figure, axes: Axes) -> list[str]:
        if not timeline:
            return _empty(axes, "nothing written yet")
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
        return []

    rows = tuple((t.strftime("%Y-%m-%d %H:%M UTC"), f"{g:.2f}") for t, g in timeline)
    summary = summaries.timeline_summary(timeline)
    return Plot(title, _render(draw, title=title), summary, ("time", "Gini of words"), rows)


def word_shares(shares: Mapping[str, float], *, title: str = "Share of words", top: int = 25) -> Plot:
    """Each learner's share of the words written, largest first (the *top* largest)."""
    everyone = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked = everyone[:top]

    def draw(_figure: Figure, axes: Axes) -> list[str]:
        if not any(v for _, v in ranked):
            return _empty(axes, "nothing written yet")
        tips: list[str] = []
        bars = axes.barh(range(len(ranked)), [100 * v for _, v in ranked], color=ACCENT, **EDGE)
        _tips(bars, [f"{k}: {v:.1%} of all words" for k, v in ranked], tips)
        axes.set_yticks(range(len(ranked)), [k for k, _ in ranked])
        axes.invert_yaxis()
        axes.set_xlabel("% of all words")
        return tips

    rows = tuple((k, f"{v:.1%}") for k, v in everyone)
    svg = _render(draw, title=title, height=_bar_height(len(ranked)))
    return Plot(title, svg, summaries.shares_summary(shares, shown=len(ranked)), ("learner", "share of words"), rows)


def funnel(counts: Mapping[str, int], *, title: str = "Progress", learners: int | None = None) -> Plot:
    """How many learners reached each stage of a path."""
    stages = [s for s in STAGES if s in counts]

    def draw(_figure: Figure, axes: Axes) -> list[str]:
        tips: list[str] = []
        bars = axes.bar(
            range(len(stages)), [counts[s] for s in stages], color=[STAGE_COLOURS[s] for s in stages], **EDGE
        )
        _tips(bars, [f"{s}: {counts[s]} learners" for s in stages], tips)
        axes.set_xticks(range(len(stages)), [s.replace(" with ", "\nwith ") for s in stages])
        axes.set_ylim(bottom=0, top=max([1, *counts.values()]))
        _whole_numbers(axes.yaxis)
        axes.set_ylabel("learners")
        return tips

    total = learners if learners is not None else max([0, *counts.values()])
    summary = summaries.funnel_summary(counts, learners=total, title=title)
    return Plot(
        title,
        _render(draw, title=title, height=2.8),
        summary,
        ("stage", "learners"),
        tuple((s, counts[s]) for s in stages),
    )


def funnels(
    by_path: Mapping[str, Mapping[str, int]], *, title: str = "Progress by path", learners: int | None = None
) -> Plot:
    """Every path's funnel in one chart: per path, a bar per stage in its own colour (the legend, below
    the axes, names them in order; orange: submitted with blanks, which never counts as submitted)."""
    paths = list(by_path)

    def draw(figure: Figure, axes: Axes) -> list[str]:
        height = 0.8 / len(STAGES)
        tips: list[str] = []
        for n, stage in enumerate(STAGES):
            offsets = [i - 0.4 + (n + 0.5) * height for i in range(len(paths))]
            values = [by_path[p].get(stage, 0) for p in paths]
            bars = axes.barh(offsets, values, height=height, color=STAGE_COLOURS[stage], label=stage, **EDGE)
            _tips(bars, [f"{p}, {stage}: {v} learners" for p, v in zip(paths, values, strict=True)], tips)
        axes.set_yticks(range(len(paths)), [p if len(p) <= 34 else p[:33] + "…" for p in paths])
        axes.invert_yaxis()
        axes.set_xlim(left=0, right=max([1, *(v for c in by_path.values() for v in c.values())]))
        _whole_numbers(axes.xaxis)
        axes.set_xlabel("learners")
        figure.legend(loc="outside lower center", ncols=3, fontsize=9, frameon=False)
        return tips

    total = learners if learners is not None else max([0, *(c.get("opened", 0) for c in by_path.values())])
    rows = tuple((p, *(by_path[p].get(s, 0) for s in STAGES)) for p in paths)
    svg = _render(draw, title=title, height=max(3.2, 0.62 * len(paths) + 1.8), width=7.6)
    return Plot(title, svg, summaries.funnels_summary(by_path, learners=total), ("path", *STAGES), rows)
