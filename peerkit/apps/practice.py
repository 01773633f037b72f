"""Practice on the review page: two course-written examples to rate before reviewing a classmate.

The review notebook carries the path's practice (its examples with their model reviews, and the rubric
they are rated on) in ``metadata.peerkit``, stamped there by ``peerkit build``; the page reads it
from the notebook so practice works before any classmate's work has arrived.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from peerkit.core.errors import PeerkitError
from peerkit.core.packets import rubric_from_document
from peerkit.core.practice import METADATA_FIELD, example_from_document
from peerkit.core.rubric import PracticeExample, Rubric
from peerkit.widgets.look import Look
from peerkit.widgets.practice import PracticeExampleView

log = logging.getLogger(__name__)

INTRO = (
    '<section class="peerkit-practice-intro"><h2 style="margin:0.4em 0;font-size:1.25em">'
    "Practice before you review</h2>"
    "<p>Rate two example submissions, written by the course, on the same rubric you will use for "
    "your classmates. Then compare your levels with a model review: where they differ, you can read "
    "why. There is no pass mark, and you can rate again as often as you like.</p>"
    "<p>Your practice ratings are sent with your reviews. They are not marked; they help the course "
    "allow for reviewers who tend to be generous or strict.</p></section>"
)


@dataclass(frozen=True, slots=True)
class Practice:
    """A path's practice examples and the rubric they are rated on, as its review notebook carries them."""

    rubric: Rubric
    examples: tuple[PracticeExample, ...]
    #: How the path is reviewed: ``round`` (a facilitator opens it) or ``rolling`` (work arrives as peers submit).
    mode: str = "round"


def read_practice(notebook: Path) -> Practice | None:
    """The practice the review *notebook* carries in ``metadata.peerkit`` (None when it has none, or when it
    cannot be read: the page then goes without practice rather than failing)."""
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("peerkit", {})
        doc = meta.get(METADATA_FIELD) if isinstance(meta, dict) else None
        if not isinstance(doc, dict) or not doc.get("examples"):
            return None
        examples = tuple(example_from_document(e, f"examples[{i}]") for i, e in enumerate(doc["examples"]))
        mode = meta.get("review_mode")
        return Practice(rubric_from_document(doc["rubric"]), examples, mode if mode == "rolling" else "round")
    except (OSError, ValueError, AttributeError, PeerkitError) as exc:
        log.warning("no practice examples on the review page (%s): %s", notebook, exc)
        return None


def practice_section(views: Sequence[PracticeExampleView], *, look: Look) -> Any:
    """The practice part of the review page: what practice is for, then each example's view."""
    return widgets.VBox([look.html_widget(INTRO), *views], layout=look.full_width)
