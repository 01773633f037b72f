"""What a facilitator curates for the whole cohort: summary notes per path, and the example gallery.

Summary notes are drafted from the cohort's reflections, edited by the facilitator and released to
every learner; a gallery decision approves (or hides) one learner's contributed example, keeping the
content as it was approved. Records only; :mod:`peerkit.storage.curation` keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

GalleryStatus = Literal["approved", "hidden"]


@dataclass(frozen=True, slots=True)
class SummaryNote:
    """The summary notes of one path: the machine draft, the working text, the released text."""

    path_id: str
    draft: str
    text: str
    sources: int = 0
    drafted_at: datetime | None = None
    edited_by: str | None = None
    edited_at: datetime | None = None
    released_text: str | None = None
    released_at: datetime | None = None
    released_by: str | None = None

    @property
    def state(self) -> str:
        """``draft``, ``edited``, ``released`` or ``changed since release``."""
        if self.released_text is not None:
            return "released" if self.released_text == self.text else "changed since release"
        return "edited" if self.edited_by else "draft"


@dataclass(frozen=True, slots=True)
class GalleryDecision:
    """A facilitator's decision on one example answer (learner, path, answer id)."""

    learner: str
    path_id: str
    answer_id: str
    status: GalleryStatus
    content: Mapping[str, Any]
    checksum: str
    decided_by: str
    decided_at: datetime
