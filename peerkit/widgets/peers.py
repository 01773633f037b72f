"""Learners use each other's work: read what peers shared, then say what you would take from it.

``page.peers("peers-gallery", source="gallery", count=3)`` shows up to *count* examples from the
course's gallery (contributed by learners, approved by the facilitator, published without names),
never the learner's own, chosen to differ in path and tags; ``page.peers("peers-notes",
source="notes", path="peer-learning-groups")`` shows the released summary notes of that path. While
nothing is published, the course's *starters* stand in, labelled as examples from the course, not
from classmates. Below them a text box asks for a response (which would you try, what would you
change for your setting). The answer records what was shown (``seen``), and the same items are
shown again while they are still published, so the response keeps answering what is on the page.

Everything shown is escaped (:mod:`peerkit.widgets.public_view`). Public documents are read through
the learner's side of the course's exchange; a preview has none and shows the starters.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from peerkit.config.workspace import read_own_answers
from peerkit.core import kinds
from peerkit.core.answers import JSON, is_answered
from peerkit.core.errors import ConfigError, PeerkitError
from peerkit.core.redaction import REMOVED
from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.public_view import render_example, render_notes
from peerkit.widgets.reflection import text_box, word_note
from peerkit.widgets.session import PathSession
from peerkit.widgets.visit import when_visited

log = logging.getLogger(__name__)

Source = Literal["gallery", "notes"]
SOURCES: tuple[str, ...] = ("gallery", "notes")
MUTED = "color:#55595f"


@dataclass(frozen=True, slots=True)
class Shown:
    """One contribution on the page: its id (recorded in the answer), its HTML (escaped), whose it is."""

    id: str
    html: str
    by_peers: bool


def gallery_id(item: dict[str, Any]) -> str:
    """A stable id for a published example (the gallery names no author, so none is derived from one)."""
    key = json.dumps([str(item.get(k, "")) for k in ("path", "title", "story")], ensure_ascii=False)
    return "gallery:" + hashlib.sha256(key.encode()).hexdigest()[:12]


def same_after_redaction(published: str, original: str) -> bool:
    """Whether *published* is *original* with some names replaced by "[name removed]" (the gallery
    removes names before publishing, so a learner's own example may not match their text exactly)."""
    pieces = [re.escape(p) for p in published.strip().split(REMOVED)]
    return re.fullmatch(".+?".join(pieces), original.strip(), flags=re.DOTALL) is not None


def is_own(item: dict[str, Any], own: Sequence[tuple[str, str]]) -> bool:
    """Whether the published *item* is one of the learner's own examples (*own*: their titles and stories)."""
    title, story = str(item.get("title", "")), str(item.get("story", ""))
    for own_title, own_story in own:
        if story.strip() and own_story.strip():
            if same_after_redaction(story, own_story):
                return True
        elif same_after_redaction(title, own_title):
            return True
    return False


def own_examples(session: PathSession, paths: Sequence[str]) -> list[tuple[str, str]]:
    """The learner's own gallery contributions (title, story) saved on *paths*, from their answers files."""
    if session.folder is None:
        return []
    found = []
    for path_id in dict.fromkeys(paths):
        if path_id == session.path_id:
            sheets = [session.sheet]
        else:
            other = read_own_answers(session.folder.parent, path_id)
            sheets = [other] if other is not None else []
        for sheet in sheets:
            for answer in sheet.answers.values():
                kind = kinds.find(answer.kind)
                entry = kind.gallery_entry(answer.value) if kind is not None and is_answered(answer) else None
                if entry is not None:
                    found.append((entry.title, entry.story))
    return found


def varied(items: Sequence[dict[str, Any]], count: int, *, seed: str, keep: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Up to *count* of *items*: first those whose id is in *keep* (what the learner saw before), then,
    in an order fixed by *seed* (the same learner sees the same choice on every visit), each time the
    one whose path and tags the chosen ones share least."""
    by_id = {gallery_id(i): i for i in items}
    chosen = [by_id[k] for k in dict.fromkeys(keep) if k in by_id][:count]
    rest = [i for i in items if gallery_id(i) not in {gallery_id(c) for c in chosen}]
    random.Random(seed).shuffle(rest)  # noqa: S311 - a repeatable order per learner, not a secret
    while rest and len(chosen) < count:

        def overlap(item: dict[str, Any]) -> tuple[int, int]:
            paths = sum(1 for c in chosen if c.get("path") == item.get("path"))
            tags = {str(t).lower() for t in item.get("tags", [])}
            shared = sum(len(tags & {str(t).lower() for t in c.get("tags", [])}) for c in chosen)
            return paths, shared

        best = min(rest, key=overlap)  # min keeps the first of equals: the seeded order breaks ties
        chosen.append(best)
        rest.remove(best)
    return chosen


def render_starter(title: str, text: str) -> str:
    """An example the course wrote, labelled as such (never passed off as a classmate's)."""
    return render_example({"title": title, "story": text, "tags": [], "path_title": ""}).replace(
        "From “”", "An example written by the course team"
    )


class PeersBox(AnswerWidget):
    """Contributions of other learners (or the course's starters) and the learner's response to them."""

    kind = "peers"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        source: str = "gallery",
        path: str = "",
        count: int = 3,
        label: str = "What would you try, and what would you change for your setting?",
        min_words: int = 0,
        starters: Sequence[tuple[str, str]] = (),
        rows: int = 6,
        look: Look | None = None,
    ) -> None:
        if source not in SOURCES:
            raise ConfigError(f"page.peers({answer_id!r}): source must be one of {', '.join(SOURCES)}, not {source!r}")
        if source == "notes" and not path:
            raise ConfigError(f"page.peers({answer_id!r}): source='notes' needs path='<the path whose notes to show>'")
        look = look or Look()
        self.source = source
        self.notes_path = path
        self.count = max(1, count)
        self.min_words = min_words
        self.starters = [(str(t), str(x)) for t, x in starters]
        self.shown: list[Shown] = []
        self.view = look.html_widget()
        self.view.add_class("peerkit-peers-view")
        self.text = text_box(label, look=look, rows=rows)
        self._session = session
        self._answer_id = answer_id
        self.refresh(show=False)
        super().__init__(session, answer_id, [self.view, self.text], look=look)
        self.watch(self.text)
        when_visited(self.refresh, name=f"peerkit-peers-{answer_id}")

    # -- what is shown ------------------------------------------------------------------------------

    def _saved_seen(self) -> list[str]:
        value = self._session.value(self._answer_id)
        seen = value.get("seen") if isinstance(value, dict) else None
        return [str(s) for s in seen] if isinstance(seen, list) else []

    def _published(self) -> list[Shown]:
        exchange = self._session.exchange
        if exchange is None:
            return []
        try:
            if self.source == "notes":
                docs = [d for d in exchange.notes() if isinstance(d, dict) and d.get("path") == self.notes_path]
                return [Shown(f"notes:{self.notes_path}", render_notes(docs[-1], open_=True), True)] if docs else []
            doc = exchange.public(GALLERY_FILE, GALLERY_FORMAT) or {}
        except PeerkitError as exc:  # the page still works: the starters stand in
            log.warning("published contributions cannot be read: %s", exc)
            return []
        items = [i for i in doc.get("items", []) if isinstance(i, dict)]
        own = own_examples(self._session, [str(i.get("path", "")) for i in items])
        others = [i for i in items if not is_own(i, own)]
        seed = f"{self._session.learner or ''}:{self._session.path_id}:{self._answer_id}"
        picked = varied(others, self.count, seed=seed, keep=self._saved_seen())
        return [Shown(gallery_id(i), render_example(i), True) for i in picked]

    def refresh(self, *, show: bool = True) -> None:
        """Read what is published now and show it (on building the page, and again when a preheated
        page meets its visitor)."""
        published = self._published()
        starters = [Shown(f"starter:{n}", render_starter(t, x), False) for n, (t, x) in enumerate(self.starters, 1)]
        self.shown = published or starters[: self.count if self.source == "gallery" else len(starters)]
        self.view.value = self._intro(bool(published)) + "".join(s.html for s in self.shown)

    def _intro(self, published: bool) -> str:
        if published and self.source == "notes":
            text = (
                "The summary notes of your classmates' work on this path, released by your facilitator "
                "(names removed). Read them, then answer below."
            )
        elif published:
            n = len(self.shown)
            text = (
                f"{n} example{'s' if n != 1 else ''} of peer learning shared by other learners of this course "
                "and chosen by your facilitator (names removed). Read them, then answer below."
            )
        elif self.starters:
            what = "summary notes" if self.source == "notes" else "examples"
            text = (
                f"Your classmates' {what} are not published yet, so here are examples written by the course team. "
                f"Your classmates' {what} will appear here once your facilitator publishes them."
            )
        else:
            what = "summary notes" if self.source == "notes" else "examples"
            text = f"Your classmates' {what} are not published yet: answer from your own experience for now."
        return f'<p class="peerkit-peers-intro" role="note" style="margin:0 0 4px 0;{MUTED}">{html.escape(text)}</p>'

    # -- the answer -----------------------------------------------------------------------------------

    def read(self) -> JSON:
        return {"seen": [s.id for s in self.shown], "text": str(self.text.value)}

    def write(self, value: JSON | None) -> None:
        self.text.value = str(value.get("text", "")) if isinstance(value, dict) else ""

    def describe(self, value: JSON) -> str:
        return word_note(str(value.get("text", "")) if isinstance(value, dict) else "", self.min_words)
