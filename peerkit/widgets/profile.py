"""A learner profile: what I already know, what I bring, what I want to learn, in my own words, and a note.

Review allocation reads it to pair authors with reviewers who know what the author wants to learn.
Own words rarely meet exactly, so the course's topic vocabulary (course.yml ``topics:``) is shown as
chips beside the words: the topics the words name are ticked as the learner types, and the learner
ticks or unticks any chip. Allocation matches on the chips kept (:mod:`peerkit.core.topics`).
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from peerkit.core import documents
from peerkit.core.answers import JSON
from peerkit.core.errors import PeerkitError
from peerkit.core.models import Topic
from peerkit.core.topics import KNOW_FIELDS, WANT_FIELDS, Vocabulary, chosen_topics, field_text, topics_from_metadata
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession
from peerkit.widgets.tags import parse_tags, show_tags, tag_field

log = logging.getLogger(__name__)

FIELDS = (
    ("know", "What I already know"),
    ("bring", "What I bring to a group"),
    ("want", "What I want to learn"),
)
EXAMPLES = {
    "know": "e.g. storytimes, spreadsheets, grant writing",
    "bring": "e.g. patience, a wide network, good questions",
    "want": "e.g. coaching, running video calls",
}
#: Which text fields feed which row of chips, and the row's heading.
SIDES = {
    "know": (KNOW_FIELDS, "Topics I can help others with"),
    "want": (WANT_FIELDS, "Topics I want to learn"),
}
CHIPS_HINT = (
    "Ticked as you type: the course's topics your words name. Tick or untick any of them; "
    "reviewers are chosen among those who know a topic you want to learn."
)


def course_topics(session: PathSession) -> tuple[Topic, ...]:
    """The course's topic vocabulary as this page can see it: stamped into the path's built notebook
    (a learner's page), else the course's own ``course.yml`` (a preview); none when neither is there."""
    if session.folder is not None:
        notebook = Path(session.folder) / f"{session.path_id}.ipynb"
        try:
            doc = json.loads(notebook.read_text(encoding="utf-8"))
            meta = documents.parse(doc["metadata"]["peerkit"], documents.NOTEBOOK, source=str(notebook))
            return topics_from_metadata(meta.get("topics"))
        except (OSError, ValueError, KeyError, TypeError, PeerkitError) as exc:
            log.debug("no topics in %s: %s", notebook, exc)
            return ()
    try:
        from peerkit.config.course import default_course_file, load_course

        return load_course(default_course_file()).topics
    except (OSError, PeerkitError) as exc:
        log.debug("no course topics for a preview: %s", exc)
        return ()


class TopicChips(widgets.VBox):
    """One row of chips: a named group of checkboxes, one per topic (keyboard: Tab, Space)."""

    def __init__(self, side: str, heading: str, topics: Sequence[Topic], *, look: Look, level: int = 4) -> None:
        self.side = side
        self.topics = tuple(topics)
        self.heading = look.html_widget(
            f'<p class="peerkit-label" role="heading" aria-level="{level}">{html.escape(heading)}</p>'
        )
        self.boxes = {
            t.id: widgets.Checkbox(value=False, description=t.label, indent=False, layout=look.auto, style=look.check)
            for t in self.topics
        }
        for topic_id, box in self.boxes.items():
            box.add_class("peerkit-chip")
            box.add_class(f"peerkit-chip-{topic_id}")
        self.row = widgets.HBox(list(self.boxes.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.row.add_class("peerkit-chip-row")
        super().__init__([self.heading, self.row], layout=look.full_width)
        self.add_class("peerkit-chips")
        self.add_class(f"peerkit-chips-{side}")

    @property
    def chosen(self) -> list[str]:
        return [t for t, box in self.boxes.items() if box.value]

    def show(self, chosen: set[str]) -> None:
        for topic_id, box in self.boxes.items():
            if box.value != (topic_id in chosen):
                box.value = topic_id in chosen


class Profile(AnswerWidget):
    """Three fields in the learner's own words, chips for the topics they name, and a note.

    The answer is ``{"know": [...], "bring": [...], "want": [...], "notes": "...",
    "topics": {"know": [ids], "want": [ids]}}`` (``topics`` only when the course has a vocabulary).
    Words are typed freely; commas separate them into pieces. *examples* replaces the few shown in
    the fields' placeholders: one text for all three, or one per field (``know``, ``bring``,
    ``want``). With *ask_name*, a first field asks for the name the learner goes by (``"name"`` in
    the answer), which review packets never show. *topics* overrides the course's vocabulary
    (:func:`course_topics`); an empty one shows no chips.
    """

    kind = "profile"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        examples: str | Mapping[str, str] | None = None,
        notes_label: str = "Anything else peers should know about your work",
        ask_name: bool = False,
        topics: Sequence[Topic] | None = None,
        look: Look | None = None,
        heading_level: int = 4,
    ) -> None:
        """*heading_level*: the level of the chip rows' headings, one below the heading the profile sits
        under (4 in a path page's section; 3 under the home page's "My profile")."""
        look = look or Look()
        self.vocabulary = Vocabulary.of(course_topics(session) if topics is None else topics)
        # The learner's own ticks and unticks, which win over what their words name (this page only:
        # the saved chips are what counts once the page is gone).
        self._ticked: dict[str, set[str]] = {side: set() for side in SIDES}
        self._unticked: dict[str, set[str]] = {side: set() for side in SIDES}
        self.name: widgets.Text | None = None
        if ask_name:
            self.name = widgets.Text(
                description="The name you go by (reviewers never see it)", layout=look.stacked, style=look.text
            )
            self.name.add_class("peerkit-profile-name")
        hints = dict.fromkeys(EXAMPLES, examples) if isinstance(examples, str) else {**EXAMPLES, **(examples or {})}
        self.tags = {key: tag_field(text, placeholder=hints[key], look=look) for key, text in FIELDS}
        for key, tags in self.tags.items():
            tags.add_class(f"peerkit-profile-{key}")
        self.chips = (
            {
                side: TopicChips(side, heading, self.vocabulary.topics, look=look, level=heading_level)
                for side, (_, heading) in SIDES.items()
            }
            if self.vocabulary.topics
            else {}
        )
        self.hint = look.html_widget(f'<p class="peerkit-chips-hint">{html.escape(CHIPS_HINT)}</p>')
        self.notes = widgets.Textarea(description=notes_label, rows=3, layout=look.stacked, style=look.text)
        self.notes.add_class("peerkit-answer")
        fields: list[Any] = [*([self.name] if self.name else []), self.tags["know"], self.tags["bring"]]
        if self.chips:
            fields += [self.hint, self.chips["know"]]
        fields.append(self.tags["want"])
        if self.chips:
            fields.append(self.chips["want"])
        fields.append(self.notes)
        super().__init__(session, answer_id, fields, look=look)
        self.watch(*([self.name] if self.name else []), self.notes)
        for tags in self.tags.values():
            tags.observe(self._on_words, names="value")
        for chips in self.chips.values():
            for topic_id, box in chips.boxes.items():
                box.observe(lambda change, s=chips.side, t=topic_id: self._on_chip(s, t, change), names="value")

    # -- chips ---------------------------------------------------------------------------------------

    def named(self, side: str) -> set[str]:
        """The topics the words of *side*'s fields name now."""
        fields = SIDES[side][0]
        return set(self.vocabulary.find(field_text({f: self.tags[f].value for f in fields}, fields)))

    def _chosen(self, side: str) -> set[str]:
        return (self.named(side) - self._unticked[side]) | self._ticked[side]

    def _refresh_chips(self) -> None:
        was, self._applying = self._applying, True
        try:
            for side, chips in self.chips.items():
                chips.show(self._chosen(side))
        finally:
            self._applying = was

    def _on_words(self, change: dict[str, Any]) -> None:
        if self._applying:
            return
        self._refresh_chips()
        self._on_control(change)

    def _on_chip(self, side: str, topic_id: str, change: dict[str, Any]) -> None:
        if self._applying:
            return
        ticked, unticked = self._ticked[side], self._unticked[side]
        if change["new"]:
            unticked.discard(topic_id)
            if topic_id not in self.named(side):
                ticked.add(topic_id)
        else:
            ticked.discard(topic_id)
            if topic_id in self.named(side):
                unticked.add(topic_id)
        self._on_control(change)

    # -- the answer ----------------------------------------------------------------------------------

    def read(self) -> JSON:
        value: dict[str, JSON] = {key: parse_tags(tags.value) for key, tags in self.tags.items()}
        value["notes"] = str(self.notes.value)
        if self.name is not None and self.name.value.strip():
            value["name"] = self.name.value.strip()
        if self.chips:
            value["topics"] = {side: list(chips.chosen) for side, chips in self.chips.items()}
        return value

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        for key, tags in self.tags.items():
            tags.value = show_tags(record.get(key, []))
        self.notes.value = str(record.get("notes", ""))
        if self.name is not None:
            self.name.value = str(record.get("name", ""))
        for side in self.chips:
            saved = chosen_topics(record, side)
            named = self.named(side)
            chosen = named if saved is None else set(saved)
            self._ticked[side], self._unticked[side] = chosen - named, named - chosen
            self.chips[side].show(chosen)

    def describe(self, value: JSON) -> str:
        record = value if isinstance(value, dict) else {}
        chosen = record.get("topics")
        if self.chips and isinstance(chosen, dict):
            know, want = len(chosen.get("know", [])), len(chosen.get("want", []))
            return f"topics: {know} you can help with, {want} you want to learn"
        count = sum(len(record.get(key, [])) for key, _ in FIELDS)
        return f"{count} tag{'s' if count != 1 else ''}"
