"""Plots are SVG from matplotlib, deterministic, shown in an inert <img>."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

from peerkit.dashboard import plots
from peerkit.facilitator.figures import Bias


def test_every_plot_is_svg_and_deterministic() -> None:
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
    ]
    for svg in made:
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<script" not in svg
    assert made[0] == plots.grade_distribution([1, 2.5, 4, 4], 4)
    assert "ana" in made[2] and "no grades yet" in made[1]  # text stays text


def test_names_are_escaped_and_the_img_is_inert() -> None:
    svg = plots.bias_chart([Bias("<script>x</script>", 0.1, 1)])
    assert "<script>x" not in svg and "&lt;script&gt;" in svg
    img = plots.as_img(svg, 'bias "chart"')
    assert img.startswith('<img class="peerkit-plot" alt="bias &quot;chart&quot;"')
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", img)
    assert data is not None and base64.b64decode(data.group(1)).decode() == svg
