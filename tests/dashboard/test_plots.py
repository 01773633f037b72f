"""Plots are inline SVG from matplotlib: deterministic, inert, named for a screen reader, with a text
summary and their data as a table, in colours that can be told apart and text that can be read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from peerkit.dashboard import plots
from peerkit.facilitator.figures import STAGES, Bias


def test_every_plot_is_svg_with_a_summary_and_a_table() -> None:
    t0 = datetime(2026, 11, 2, tzinfo=UTC)
    made = [
        plots.grade_distribution([1, 2.5, 4, 4], 4),
        plots.grade_distribution([], 4),
        plots.bias_chart([Bias("ana", -0.4, 3), Bias("bo", 0.2, 3)]),
        plots.bias_chart([]),
        plots.participation_timeline([(t0, 0.6), (t0 + timedelta(days=2), 0.4)]),
        plots.participation_timeline([]),
        plots.word_shares({"ana": 0.6, "bo": 0.4}),
        plots.funnel({"opened": 5, "answered": 3, "submitted": 2}),
        plots.funnels({"Essay": {"opened": 5, "submitted": 2}, "Capstone": {"opened": 2}}),
    ]
    for plot in made:
        assert plot.svg.lstrip().startswith("<?xml") and "<svg" in plot.svg and "<script" not in plot.svg
        assert plot.summary.endswith(".") and plot.header
        page = plot.html()
        assert page.startswith('<figure class="peerkit-figure"') and "<?xml" not in page and "<style" not in page
        assert re.search(r'<svg class="peerkit-plot" role="img" aria-label="[^"]+\. [^"]+"', page)
        assert "<figcaption" in page and "<details" in page and "<caption" in page and 'scope="col"' in page
    assert made[0].svg == plots.grade_distribution([1, 2.5, 4, 4], 4).svg
    assert "ana" in made[2].svg and "no grades yet" in made[1].svg  # text stays text
    assert made[0].summary == "4 graded submissions of 4 points: median 3.25, lowest 1, highest 4."
    assert made[2].rows == (("ana", "-0.40", 3), ("bo", "+0.20", 3))


def test_bars_have_hover_titles_and_ids_are_unique_per_plot() -> None:
    one = plots.funnel({"opened": 5, "answered": 3, "submitted": 2}).html()
    assert "<title>opened: 5 learners</title>" in one and "<title>submitted: 2 learners</title>" in one
    other = plots.funnel({"opened": 4, "answered": 3, "submitted": 2}).html()
    ids = re.findall(r'\bid="([^"]+)"', one)
    assert ids and not set(ids) & set(re.findall(r'\bid="([^"]+)"', other))
    for ref in re.findall(r"url\(#([^)]+)\)", one):
        assert ref in ids


def test_the_funnel_says_where_learners_are_stuck() -> None:
    counts = {"opened": 40, "answered": 30, "submitted with blanks": 2, "submitted": 16, "reviewed": 10}
    plot = plots.funnel({**counts, "feedback read": 4}, title="Essay", learners=50)
    assert plot.summary.startswith("40 of 50 learners opened Essay; 16 submitted complete answers and 2 submitted")
    assert "12 of 50 learners are stuck at 'answered'" in plot.summary


def test_legend_sits_below_the_bars() -> None:
    svg = plots.funnels({"Essay": dict.fromkeys(STAGES, 3)}).svg
    legend = svg.index('id="legend_1"')
    label_y = [float(y) for y in re.findall(r'<g id="legend_1">.*?y="([\d.]+)"', svg[legend - 20 :], flags=re.S)[:1]]
    axes_y = re.search(r'<g id="patch_2">\s*<path d="M [\d.]+ ([\d.]+)', svg)
    assert axes_y is not None and label_y and label_y[0] > float(axes_y.group(1))


@pytest.mark.parametrize("colour", [plots.INK, plots.MUTED])
def test_figure_text_has_enough_contrast(colour: str) -> None:
    assert plots.contrast(colour) >= 4.5
    for key in ("text.color", "axes.labelcolor", "axes.titlecolor", "xtick.labelcolor", "ytick.labelcolor"):
        assert plots.contrast(plots.STYLE[key], plots.STYLE["axes.facecolor"]) >= 4.5


def test_bars_stand_out_and_colours_differ() -> None:
    assert plots.contrast(plots.EDGE["edgecolor"]) >= 3  # every bar's edge, whatever its fill
    assert len(set(plots.STAGE_COLOURS.values())) == len(STAGES)
    assert set(plots.STAGE_COLOURS.values()) <= set(plots.OKABE_ITO)
    assert plots.contrast("#000000", "#ffffff") == pytest.approx(21)


def test_names_are_escaped() -> None:
    plot = plots.bias_chart([Bias("<script>x</script>", 0.1, 1)])
    assert "<script>x" not in plot.svg and "&lt;script&gt;" in plot.svg
    assert "<script>x" not in plot.html() and "&lt;script&gt;x" in plot.html()


def test_long_lists_draw_the_extremes_and_tabulate_everyone() -> None:
    biases = [Bias(f"r{i:03d}", (i - 50) / 10, 2) for i in range(101)]
    plot = plots.bias_chart(biases)
    assert len(plot.rows) == 101 and plot.svg.count("<title>") == plots.MOST_BARS
    assert "r000" in plot.svg and "r100" in plot.svg and "r050" not in plot.svg
    table = plots.data_table(["a"], [[i] for i in range(10)], limit=3)
    assert table.count("<tr>") == 4 and "3 of 10 rows shown" in table
