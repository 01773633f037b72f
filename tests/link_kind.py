"""A test-local answer kind, "link": a web address and why it helps. CONTRIBUTING.md's worked example.

It lives outside peerkit on purpose: tests/test_new_answer_kind.py registers it with one line and
shows that every layer (validation, ingest, the peer's packet view, the facilitator's figures,
the path page) handles it without any other change. A kind inside peerkit puts :class:`Link` in
``peerkit/core/kinds/link.py`` (pure) and :class:`LinkBox` in ``peerkit/widgets/link.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import ipywidgets as widgets

from peerkit.core.errors import ValidationError
from peerkit.core.kinds import AnswerKind, markup, values
from peerkit.core.kinds.values import JSON
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.look import Look
from peerkit.widgets.session import PathSession


def is_web_address(url: object) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


class Link(AnswerKind):
    """``{"url": "https://...", "why": "..."}``; an empty url is allowed (not answered yet)."""

    name = "link"
    widget = "tests.link_kind:LinkBox"

    def validate(self, value: JSON, where: str) -> dict[str, JSON]:
        record = values.record(value, where, {"url": values.short, "why": values.text})
        if record.get("url") and not is_web_address(record["url"]):
            raise ValidationError(f"{where}.url: expected an http(s) address", field=f"{where}.url")
        return record

    def is_answered(self, value: JSON) -> bool:
        return bool(values.field_text(value, "url").strip())

    def written(self, value: JSON) -> str:
        return values.field_text(value, "why")  # the address is not the learner's words

    def peer_html(self, value: Any) -> str:
        record = value if isinstance(value, dict) else {}  # packets are files: expect anything
        url = record.get("url", "")
        shown = markup.escape(url)
        if is_web_address(url):  # never a javascript: address, even from a forged packet
            shown = f'<a href="{shown}" rel="noopener noreferrer" target="_blank">{shown}</a>'
        return markup.labelled("Link", shown or "—") + markup.paragraphs(record.get("why", ""))

    def facilitator_text(self, value: JSON) -> str:
        return f"{values.field_text(value, 'url')}\n{values.field_text(value, 'why')}".strip()


KIND = Link()


class LinkBox(AnswerWidget):
    """The widget: an address box and a "why" box; built by ``page.answer("link", "id")``."""

    kind = "link"

    def __init__(self, session: PathSession, answer_id: str, *, look: Look | None = None) -> None:
        look = look or Look()
        self.url = widgets.Text(description="Web address", layout=look.stacked, style=look.text)
        self.why = widgets.Textarea(description="Why it helps", rows=3, layout=look.stacked, style=look.text)
        super().__init__(session, answer_id, [self.url, self.why], look=look)
        self.watch(self.url, self.why)

    def read(self) -> JSON:
        return {"url": str(self.url.value).strip(), "why": str(self.why.value)}

    def write(self, value: JSON | None) -> None:
        record = value if isinstance(value, dict) else {}
        self.url.value = str(record.get("url", ""))
        self.why.value = str(record.get("why", ""))
