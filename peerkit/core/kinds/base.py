"""What an answer kind declares: one object per kind, read by every layer that handles answers.

A kind is a subclass of :class:`AnswerKind` that sets :attr:`~AnswerKind.name` and implements
:meth:`~AnswerKind.validate`; every other hook has a default that suits a kind which holds no
prose (nothing counted, nothing quoted, shown to peers as escaped text). Registering an instance
(:func:`peerkit.core.kinds.register`) makes the kind known to the answer sheet, ingest, the
peer's packet view, the facilitator's figures and notes, the gallery and the path page.

Pure: the widget is named by a dotted path and imported only when a page asks for it, so the
core never imports ipywidgets.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from peerkit.core.errors import ConfigError
from peerkit.core.kinds import markup
from peerkit.core.kinds.values import JSON, any_filled, field_text, walk_strings


@dataclass(frozen=True, slots=True)
class GalleryEntry:
    """What an answer contributes to the course's example gallery."""

    title: str
    story: str
    tags: tuple[str, ...]


class AnswerKind:
    """One kind of answer. Subclasses set the class attributes and override the hooks they need.

    Hooks get a value that passed :meth:`validate`, except :meth:`peer_html`, which also renders
    values read back from packet files and so must accept anything.
    """

    #: The kind's name as answer sheets, packets and the store record it. Never rename one.
    name: ClassVar[str]
    #: The :class:`~peerkit.widgets.PathPage` method notebooks call (``page.<method>("id", ...)``),
    #: which is also how ingest finds a path's activities; None for kinds no path page offers.
    method: ClassVar[str | None] = None
    #: The widget class as ``"module:Class"``, imported on demand (see :meth:`widget_class`).
    widget: ClassVar[str | None] = None
    #: Whether the answer goes into review packets for peers to read and grade (a check of
    #: understanding does not: it teaches, and its feedback is instant).
    peer_reviewed: ClassVar[bool] = True
    #: Whether a submission without it is incomplete (unless the page marks it ``optional=True``). A
    #: check of understanding is not required: skipping one never holds back the work that is graded.
    required: ClassVar[bool] = True

    def validate(self, value: JSON, where: str) -> JSON:
        """The value, checked and normalised; :class:`~peerkit.core.errors.ValidationError` naming *where*
        if it is not valid."""
        raise NotImplementedError

    def is_answered(self, value: JSON) -> bool:
        """Whether the learner wrote or chose something (progress counts these)."""
        return any_filled(value)

    def written(self, value: JSON) -> str:
        """The learner's own words in this answer (word counts, participation equity); choices are not words."""
        return ""

    def reflection(self, value: JSON) -> str:
        """Free reflective text: the facilitator's notes draw recurring themes from it, the demo quotes it."""
        return ""

    def next_step(self, value: JSON) -> str:
        """A step the learner commits to: the facilitator's notes list these as actions."""
        return ""

    def peer_html(self, value: Any) -> str:
        """How a peer sees the answer in a review packet. Everything from the value must be escaped."""
        return markup.preformatted(value)

    def facilitator_text(self, value: JSON) -> str:
        """The answer as plain text for the facilitator's views and exports."""
        return self.written(value) or ("" if value is None else str(value))

    def score(self, value: JSON) -> float | None:
        """Points the answer earns by itself, or None when it is not scored (every kind so far)."""
        return None

    def redact(self, value: JSON, scrub: Callable[[str], str]) -> JSON:
        """*value* as a peer may see it: *scrub* (text -> text) removes names; by default from every string."""
        return walk_strings(value, scrub)

    def gallery_entry(self, value: JSON) -> GalleryEntry | None:
        """What the answer contributes to the example gallery, or None if it is not a gallery kind."""
        return None

    def dates(self, value: JSON) -> tuple[dt.date, ...]:
        """Calendar dates the answer holds (the demo moves them to fall after today)."""
        return ()

    def shift_dates(self, value: JSON, days: int) -> JSON:
        """*value* with its :meth:`dates` moved by *days* (the same object if it holds none)."""
        return value

    def text_length(self, value: JSON) -> int | None:
        """Characters of free text that a page's own length limit applies to; None if none does."""
        return None

    def widget_class(self) -> type:
        """The widget class named by :attr:`widget`, imported now (a widget layer call, never core's)."""
        if not self.widget or ":" not in self.widget:
            raise ConfigError(f"answer kind {self.name!r} has no widget (set widget = 'module:Class')")
        module, _, attr = self.widget.partition(":")
        found = getattr(importlib.import_module(module), attr, None)
        if not isinstance(found, type):
            raise ConfigError(f"answer kind {self.name!r}: {self.widget!r} does not name a class")
        return found

    def __repr__(self) -> str:
        return f"<answer kind {self.name!r}>"


class TextRecordKind(AnswerKind):
    """A kind whose value is a record with the learner's words in its ``"text"`` field and ids beside
    them (a project part, its assembled whole, a response to peers' work): the hooks that read the
    words are one and the same, so a fix to how such answers are counted or scrubbed reaches all."""

    #: The fields that hold the learner's own words, scrubbed of names before peers see them. The
    #: other fields hold ids (a part, a path, an example's digest) that redaction must leave readable.
    scrubbed: ClassVar[tuple[str, ...]] = ("text",)

    def is_answered(self, value: JSON) -> bool:
        return bool(field_text(value, "text").strip())

    def written(self, value: JSON) -> str:
        return field_text(value, "text")

    def reflection(self, value: JSON) -> str:
        return field_text(value, "text")

    def facilitator_text(self, value: JSON) -> str:
        return field_text(value, "text")

    def redact(self, value: JSON, scrub: Callable[[str], str]) -> JSON:
        if not isinstance(value, dict):
            return value
        return {k: scrub(v) if k in self.scrubbed and isinstance(v, str) else v for k, v in value.items()}

    def text_length(self, value: JSON) -> int | None:
        text = value.get("text") if isinstance(value, dict) else None
        return len(text) if isinstance(text, str) else None
