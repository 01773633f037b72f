"""One project across the course: a part written (or revised) on this path, and the capstone's whole.

A learner designs one peer-learning initiative through the course: each path adds one part of it
(course.yml ``project``) or revises an earlier one. The page shows what they have written so far,
read only, from their **own saved answers** of earlier paths (the answers files in their course
folder, :func:`peerkit.config.workspace.read_own_answers`), never from feedback, which may not be
released yet. When this path revises a part, its previous version stands beside the box and fills
it to start from. The capstone (:class:`ProjectSummaryBox`) puts every part's latest version
together, in course order, into one text to revise; a part the learner never wrote (a path skipped)
is named in plain words and left as a gap to fill.

Which parts the course has, and where each is introduced, come from ``metadata.peerkit.project``
that the build stamps into every path notebook; the order of paths from the notebooks fetched into
the learner's course folder (:func:`peerkit.widgets.frame.course_stops`). A preview (no learner's
folder) has neither: it shows the box alone.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from peerkit.config.workspace import read_own_answers
from peerkit.core import documents
from peerkit.core.answers import JSON, is_answered
from peerkit.core.errors import PeerkitError
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.frame import METADATA_KEY, Stop, course_stops, titled
from peerkit.widgets.look import Look
from peerkit.widgets.model_answer import ModelAnswer, attach_model
from peerkit.widgets.reflection import text_box, word_note
from peerkit.widgets.session import PathSession

log = logging.getLogger(__name__)

MUTED = "color:#55595f"


@dataclass(frozen=True, slots=True)
class PartInfo:
    """One part of the course project as the build described it."""

    id: str
    title: str
    path: str
    position: int
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class Version:
    """The learner's saved text of one part, and the path it was saved on."""

    part: str
    text: str
    path: str
    path_label: str
    position: int


@dataclass(frozen=True, slots=True)
class ProjectSoFar:
    """The course's project parts and the learner's latest version of each, from paths other than this one."""

    parts: tuple[PartInfo, ...] = ()
    latest: Mapping[str, Version] | None = None
    #: This path's position in the course (0: unknown, a preview).
    position: int = 0
    #: "Path 2 · Why and when", by path id: where a part belongs, in the learner's words.
    labels: Mapping[str, str] | None = None

    def version(self, part: str) -> Version | None:
        return (self.latest or {}).get(part)

    def part(self, part_id: str) -> PartInfo | None:
        return next((p for p in self.parts if p.id == part_id), None)


def project_parts(notebook: Path) -> tuple[PartInfo, ...]:
    """The project parts stamped into a built path notebook (none when it is not one, or unreadable)."""
    try:
        doc = json.loads(notebook.read_text(encoding="utf-8"))
        meta = doc.get("metadata", {}).get(METADATA_KEY) if isinstance(doc, dict) else None
        if not isinstance(meta, dict):
            return ()
        meta = documents.parse(meta, documents.NOTEBOOK, source=str(notebook))
    except (OSError, ValueError, PeerkitError) as exc:
        log.debug("no project parts in %s: %s", notebook, exc)
        return ()
    parts = []
    for entry in meta.get("project") or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
            position = entry.get("position")
            parts.append(
                PartInfo(
                    id=entry["id"],
                    title=str(entry.get("title") or entry["id"]),
                    path=str(entry.get("path", "")),
                    position=position if isinstance(position, int) and not isinstance(position, bool) else 0,
                    prompt=str(entry.get("prompt", "")),
                )
            )
    return tuple(parts)


def _label(stop: Stop) -> str:
    return titled(stop.label.split(" of ")[0], stop.title)


def read_project(session: PathSession, *, before_only: bool = True) -> ProjectSoFar:
    """The project as the learner has saved it so far, from their own answers of the course's other
    paths: each part's version from the latest path (in course order) that holds it. *before_only*:
    only paths that come before this one (a part page); otherwise every other path (the capstone)."""
    if session.folder is None:
        return ProjectSoFar()
    course_folder = session.folder.parent
    parts = project_parts(session.folder / f"{session.path_id}.ipynb")
    stops = [s for s in course_stops(course_folder) if s.review_of is None] if course_folder.is_dir() else []
    here = next((s.position for s in stops if s.id == session.path_id), 0)
    latest: dict[str, Version] = {}
    for stop in stops:  # in course order: a later path's version replaces an earlier one
        if stop.id == session.path_id or (before_only and here and stop.position >= here):
            continue
        sheet = read_own_answers(course_folder, stop.id)
        if sheet is None:
            continue
        found = [
            (answer.updated, answer.value)
            for answer in sheet.answers.values()
            if answer.kind == "project" and is_answered(answer) and isinstance(answer.value, dict)
        ]
        for _updated, value in sorted(found, key=lambda f: f[0]):
            part = str(value.get("part", ""))
            latest[part] = Version(part, str(value.get("text", "")), stop.id, _label(stop), stop.position)
    labels = {s.id: _label(s) for s in stops}
    return ProjectSoFar(parts=parts, latest=latest, position=here, labels=labels)


def _paragraphs(text: str) -> str:
    found = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in found)


def render_parts(so_far: ProjectSoFar, parts: list[PartInfo], *, heading: str, open_: bool = True) -> str:
    """The learner's saved parts, read only, every word escaped; a part not written yet says so."""
    if not parts:
        return ""
    blocks = []
    for part in parts:
        version = so_far.version(part.id)
        title = f'<h4 style="margin:8px 0 2px 0">{html.escape(part.title)}</h4>'
        if version is None:
            where = (so_far.labels or {}).get(part.path)
            belongs = f"It belongs to {where}." if where else "It belongs to a path you have not opened yet."
            body = (
                f'<p class="peerkit-project-missing" style="margin:0;{MUTED}"><em>Not written yet. '
                f"{html.escape(belongs)} You can add it there, or when you put your project together at the end."
                "</em></p>"
            )
        else:
            body = (
                f'<p style="margin:0;{MUTED};font-size:0.9em">Saved in {html.escape(version.path_label)}</p>'
                + _paragraphs(version.text)
            )
        blocks.append(f'<div class="peerkit-project-part" data-part="{html.escape(part.id)}">{title}{body}</div>')
    return (
        f'<details class="peerkit-project-so-far"{" open" if open_ else ""} style="border:1px solid #d0d7de;'
        'border-radius:8px;padding:6px 14px;margin:0 0 8px 0">'
        f'<summary style="cursor:pointer;font-weight:600">{html.escape(heading)}</summary>{"".join(blocks)}</details>'
    )


def _describe_words(value: JSON, min_words: int) -> str:
    return word_note(str(value.get("text", "")) if isinstance(value, dict) else "", min_words)


class ProjectBox(AnswerWidget):
    """One part of the learner's project (``page.project("project-setting", part="setting", ...)``).

    Shows the project's earlier parts (read only) and, when this part was saved on an earlier path,
    that previous version beside the box, which it fills until the learner saves their revision.
    *model*: a model answer in the course's words, offered once the path is submitted.
    """

    kind = "project"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        part: str,
        label: str = "Your part of the project",
        min_words: int = 0,
        model: str = "",
        rows: int = 8,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.part = part
        self.min_words = min_words
        self.so_far = read_project(session, before_only=True)
        info = self.so_far.part(part)
        self.title = info.title if info is not None else part
        self.previous = self.so_far.version(part)
        earlier = [
            p for p in self.so_far.parts if p.id != part and (not p.position or p.position < self.so_far.position)
        ]
        controls: list[Any] = []
        if earlier:
            self.earlier = look.html_widget(render_parts(self.so_far, earlier, heading="Your project so far"))
            controls.append(self.earlier)
        intro = f'<p class="peerkit-project-title" style="margin:4px 0"><strong>{html.escape(self.title)}</strong>'
        if info is not None and info.prompt:
            intro += f'<br><span style="{MUTED}">{html.escape(info.prompt)}</span>'
        if self.previous is not None:
            intro += (
                f'<br><span style="{MUTED}">You wrote this part in {html.escape(self.previous.path_label)}. '
                "Your previous version is in the box to start from: revise it with what you have learnt since.</span>"
            )
        controls.append(look.html_widget(intro + "</p>"))
        wide = widgets.Layout(width="100%", flex="1 1 20rem", flex_flow="column", align_items="stretch")
        self.text = text_box(label, look=look, rows=rows, layout=wide)
        if self.previous is not None:
            shown = (
                '<section class="peerkit-previous-version" aria-label="Previous version" '
                'style="border-left:4px solid #d0d7de;padding:0 10px">'
                f'<p style="margin:0;font-weight:600">Previous version</p><p style="margin:0;{MUTED};font-size:0.9em">'
                f"{html.escape(self.previous.path_label)}</p>{_paragraphs(self.previous.text)}</section>"
            )
            self.previous_view = widgets.HTML(shown, layout=widgets.Layout(flex="1 1 16rem"))
            controls.append(
                widgets.HBox([self.text, self.previous_view], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
            )
        else:
            controls.append(self.text)
        super().__init__(session, answer_id, controls, look=look)
        self.watch(self.text)
        self.model: ModelAnswer | None = attach_model(self, model, look=look)

    def read(self) -> JSON:
        value: dict[str, Any] = {"part": self.part, "title": self.title[:200], "text": str(self.text.value)}
        if self.previous is not None:
            value["based_on"] = self.previous.path
        return value

    def write(self, value: JSON | None) -> None:
        if value is None:  # nothing saved here yet: start from the previous version, if there is one
            self.text.value = self.previous.text if self.previous is not None else ""
            return
        self.text.value = str(value.get("text", "")) if isinstance(value, dict) else str(value)

    def describe(self, value: JSON) -> str:
        return _describe_words(value, self.min_words)


def assemble(so_far: ProjectSoFar) -> tuple[str, list[str], list[str]]:
    """The whole project as one text to revise: each part's title, then its latest version (a gap to
    fill for a part never written); with the ids of the parts assembled and of those missing."""
    blocks, assembled, missing = [], [], []
    for part in so_far.parts:
        version = so_far.version(part.id)
        if version is not None and version.text.strip():
            blocks.append(f"{part.title}\n\n{version.text.strip()}")
            assembled.append(part.id)
        else:
            blocks.append(f"{part.title}\n\n(Not written yet: add this part here.)")
            missing.append(part.id)
    return "\n\n\n".join(blocks), assembled, missing


class ProjectSummaryBox(AnswerWidget):
    """The capstone's whole project (``page.project_summary("project-final", ...)``): every part's
    latest version put together once into one text the learner revises; parts never written are named."""

    kind = "project_summary"

    def __init__(
        self,
        session: PathSession,
        answer_id: str,
        *,
        label: str = "My initiative, assembled and revised",
        min_words: int = 0,
        model: str = "",
        rows: int = 18,
        look: Look | None = None,
    ) -> None:
        look = look or Look()
        self.min_words = min_words
        self.so_far = read_project(session, before_only=False)
        self.assembled_text, self.assembled, self.missing = assemble(self.so_far)
        controls: list[Any] = []
        notes = []
        if not self.so_far.parts:
            notes.append(
                "Your project's parts will appear here from your answers on earlier paths. "
                "You can also write your whole initiative straight into the box."
            )
        else:
            notes.append(
                "Your project's parts, as you last saved them on each path, are put together in the box below. "
                "Revise them into one plan: make the parts fit together, and use what you have learnt since."
            )
        if self.missing:
            labels = self.so_far.labels or {}
            names = ", ".join(
                f"“{p.title}” ({labels[p.path]})" if p.path in labels else f"“{p.title}”"
                for p in self.so_far.parts
                if p.id in self.missing
            )
            count = len(self.missing)
            notes.append(
                f"{count} part{'s are' if count != 1 else ' is'} missing, because no saved answer holds "
                f"{'them' if count != 1 else 'it'}: {names}. Write {'them' if count != 1 else 'it'} in the box "
                "where it says “Not written yet”, or go back to that path and add it there first."
            )
        text = "".join(f'<p style="margin:0 0 4px 0">{html.escape(n)}</p>' for n in notes)
        self.notes = look.html_widget(f'<div class="peerkit-project-notes">{text}</div>')
        controls.append(self.notes)
        if self.so_far.parts:
            self.saved_parts = look.html_widget(
                render_parts(self.so_far, list(self.so_far.parts), heading="Your parts as you saved them", open_=False)
            )
            controls.append(self.saved_parts)
        self.text = text_box(label, look=look, rows=rows)
        controls.append(self.text)
        super().__init__(session, answer_id, controls, look=look)
        self.watch(self.text)
        self.model: ModelAnswer | None = attach_model(self, model, look=look)

    def read(self) -> JSON:
        return {"text": str(self.text.value), "parts": list(self.assembled), "missing": list(self.missing)}

    def write(self, value: JSON | None) -> None:
        if value is None:  # prefilled once: after the first save, the learner's own text is kept
            self.text.value = self.assembled_text if self.so_far.parts else ""
            return
        self.text.value = str(value.get("text", "")) if isinstance(value, dict) else str(value)

    def describe(self, value: JSON) -> str:
        return _describe_words(value, self.min_words)
