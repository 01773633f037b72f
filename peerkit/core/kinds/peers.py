"""A response to other learners' work (``page.peers``): ``{"seen": ["gallery:1a2b...", ...], "text": "..."}``.

The page shows a few approved gallery examples or the released summary notes of a path (or, while
nothing is published, examples the course wrote) and asks what the learner would try or change for
their own setting. ``seen`` records what was shown, so a reader of the answer (the facilitator, a
reviewer) knows what it responds to: ``gallery:<digest of the example>``, ``notes:<path id>`` or
``starter:<n>``. The ids hold no one's words, but which examples a page shows is drawn in an order
seeded by its learner's id from the public gallery: anyone holding the gallery and the roster could
recompute each classmate's draw and find the author. A peer's copy therefore keeps only where each
shown example came from (``gallery:``, ``starter:``, ``notes:<path id>``), which is all it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peerkit.core.kinds import markup, values
from peerkit.core.kinds.base import TextRecordKind
from peerkit.core.kinds.values import JSON

FIELDS: dict[str, values.Check] = {"seen": values.short_list, "text": values.text}


def _shown(seen: Any) -> str:
    """What the answer responds to, in plain words ("" when nothing is recorded)."""
    ids = [str(s) for s in seen] if isinstance(seen, list) else []
    if not ids:
        return ""
    if any(i.startswith("notes:") for i in ids):
        return "the group's summary notes"
    peers = sum(1 for i in ids if i.startswith("gallery:"))
    course = len(ids) - peers
    parts = [
        f"{n} example{'s' if n != 1 else ''} {where}"
        for n, where in ((peers, "shared by learners"), (course, "from the course"))
        if n
    ]
    return " and ".join(parts)


def _source(seen: JSON) -> str:
    """Where one shown example came from, without which one it was: the path of released notes (the
    same for everyone), the bare ``gallery:`` or ``starter:`` of a drawn one."""
    text = str(seen)
    return text if text.startswith("notes:") else text.partition(":")[0] + ":"


class Peers(TextRecordKind):
    name = "peers"
    method = "peers"
    widget = "peerkit.widgets.peers:PeersBox"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        return values.record(value, where, FIELDS)

    def redact(self, value: JSON, scrub: Callable[[str], str]) -> JSON:
        record = super().redact(value, scrub)
        if isinstance(record, dict) and isinstance(record.get("seen"), list):
            record["seen"] = [_source(s) for s in record["seen"]]
        return record

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}  # packets are files: expect anything
        shown = _shown(record.get("seen"))
        head = markup.labelled("In response to", markup.escape(shown)) if shown else ""
        return head + markup.paragraphs(record.get("text", ""))


KIND = Peers()
