"""A server-rendered stand-in for each answer widget: its label and the learner's saved answer, as
plain HTML in the page's first paint, before the widgets connect.

Voilà sends a page's text at once but draws widgets only after its scripts have loaded, the kernel
has connected and the widget state has arrived: a second or more. Each activity therefore first
puts out one HTML output (:func:`show_placeholder`), marked with :data:`MARK` in the output's
metadata; the peerkit Voilà template writes marked outputs into the page as HTML, where every other
output waits for the browser's scripts. The answer widget follows in the same output area, and the
placeholder's own style rule hides it (``display: none``, so screen readers drop it too) as soon as
the widget has rendered there: one copy of the content on the page, never two.

Everything taken from an answer is escaped (each kind's :meth:`~peerkit.core.kinds.AnswerKind.peer_html`).
A preheated kernel runs the notebook long before the visit, so answers it read then may be out of
date when the page is shown: there the placeholder shows the label only, never a stale answer.
Outside Voilà (JupyterLab, nbgrader's autograde) nothing is put out.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from typing import Any

from peerkit.core import kinds
from peerkit.widgets.session import PathSession
from peerkit.widgets.visit import preheated

#: The output metadata key that tells the peerkit template to write the output as HTML.
MARK = "peerkit-placeholder"
#: Hides a placeholder once a widget has rendered in the same output area (its own rule, so it also
#: holds where the page is drawn without peerkit's template).
HIDE_ONCE_RENDERED = "<style>.jp-OutputArea:has(.peerkit-answer-widget) .peerkit-placeholder{display:none}</style>"

_TAG = re.compile(r"<[^>]+>")


def in_voila() -> bool:
    """Whether this kernel is rendering a Voilà page (Voilà sets this variable in every kernel it starts)."""
    return bool(os.environ.get("VOILA_KERNEL_ID"))


def controls(widget: Any) -> Iterator[Any]:
    """*widget* and every widget inside it, depth first."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from controls(child)


def widget_label(widget: Any) -> str:
    """The first visible label among the widget's controls: a peerkit label line (an HTML widget, as a
    checklist has above its boxes) or a control's ``description``; empty if none."""
    for control in controls(widget):
        value = getattr(control, "value", None)
        if isinstance(value, str) and 'class="peerkit-label"' in value:
            return html.unescape(_TAG.sub("", value)).strip()
        text = getattr(control, "description", "")
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


def answer_html(session: PathSession, answer_id: str) -> str:
    """The saved answer as escaped HTML, or an empty string when there is none (or it cannot be shown)."""
    answer = session.sheet.get(answer_id)
    if answer is None or answer.value in (None, "", [], {}):
        return ""
    try:
        return kinds.get(answer.kind, where=answer_id).peer_html(answer.value)
    except Exception:  # noqa: BLE001 - a placeholder must never break the page; the widget shows the answer
        return ""


def placeholder_html(label: str, answer: str) -> str:
    """The placeholder's markup: *label* (plain text, escaped here) and *answer* (HTML, already escaped)."""
    parts = [f'<div class="peerkit-placeholder">{HIDE_ONCE_RENDERED}']
    if label:
        parts.append(f'<p class="peerkit-label">{html.escape(label)}</p>')
    if answer:
        parts.append(f'<div class="peerkit-placeholder-answer">{answer}</div>')
    parts.append("</div>")
    return "".join(parts)


def placeholder_for(widget: Any, session: PathSession, answer_id: str) -> str:
    """The placeholder of one answer widget (no answer in a preheated kernel: it may be stale by the visit)."""
    answer = "" if preheated() else answer_html(session, answer_id)
    return placeholder_html(widget_label(widget), answer)


def show_placeholder(widget: Any, session: PathSession, answer_id: str) -> None:
    """Put out the placeholder of *widget* as a marked HTML output of the running cell (in Voilà only)."""
    if not in_voila():
        return
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:
        return
    markup = placeholder_for(widget, session, answer_id)
    bundle = {"text/html": markup, "text/plain": widget_label(widget)}
    display(bundle, raw=True, metadata={MARK: True})  # type: ignore[no-untyped-call]
