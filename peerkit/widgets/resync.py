"""Send again what a loading front end may have missed (an upstream ipywidgets race).

An ipywidgets 8 front end (Voilà's included) loads a page's widgets with one ``request_states``
round trip on the control comm, and only afterwards registers one comm per model. An update the
kernel sends in between reaches a front end with no comm for it and is dropped without a word: the
page keeps showing the old value until the next change (ipywidgets#2570 names the gap and leaves it
open). peerkit's pages change widgets from threads at exactly that moment: a preheated kernel
re-reads the answers when its visitor arrives, and the watch loop picks up what another tab saved.

:func:`install` closes the gap in this kernel: from the moment a ``request_states`` arrives (a thread
may change a widget after ipywidgets has read its state for the reply) until :data:`WINDOW` seconds
after the reply, it notes every property the kernel sends, and sends its current value again every
:data:`TICK` seconds while that lasts and once after, when the front end has registered its models.
A front end that falls back to asking model by model (``request_state``) opens the same window.
Only properties the kernel itself sent are repeated, never what the learner is typing, and a property
stops being repeated once the front end sets it: the learner's own choice is newer than anything the kernel
could repeat, and a repeat sent while their next change is on its way would undo it on the page until the
kernel's echo came back (a radio button clicked and shown unchecked again). It also
retries the reply to ``request_states`` when a thread created a widget while ipywidgets was walking
them all (which would otherwise leave the front end waiting 4 s for a fallback). Idempotent; a
no-op without ipywidgets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

WINDOW = 3.0  # seconds after the last full-state request during which sent properties are noted
TICK: float | None = 1.0  # noted properties are sent again this often while the window is open, and once after

_lock = threading.Lock()
_installed = False
_ticking = False
_open_until = 0.0
_noted: dict[str, set[str]] = {}  # model id -> names of the properties sent in the window


def install() -> None:
    """Patch ipywidgets in this kernel (once) so that a loading front end gets what it missed."""
    global _installed
    with _lock:
        if _installed:
            return
        try:
            from ipywidgets import Widget
        except ImportError:  # pragma: no cover - every kernel that shows pages has ipywidgets
            return
        _installed = True
    handle_control = Widget._handle_control_comm_msg.__func__
    send_state = Widget.send_state
    set_state = Widget.set_state

    def handle_control_comm_msg(cls: Any, msg: dict[str, Any]) -> None:
        states_requested = msg.get("content", {}).get("data", {}).get("method") == "request_states"
        if states_requested:  # before the walk: a thread's change after a widget's state was read is noted
            front_end_loading()
        for attempt in range(3):
            try:
                handle_control(cls, msg)  # iterates every widget: a thread may create one meanwhile
                break
            except RuntimeError as exc:
                if "changed size during iteration" not in str(exc) or attempt == 2:
                    raise
        if states_requested:  # and after it: the window counts from the reply
            front_end_loading()

    def send_state_noted(self: Any, key: str | Iterable[str] | None = None) -> None:
        send_state(self, key)
        if key is None:  # the whole state: a front end asked for this model alone (its fallback path)
            front_end_loading()
        else:
            note(self, key)

    def set_state_from_front_end(self: Any, sync_data: dict[str, Any]) -> None:
        forget(self, sync_data)  # before: what the kernel sends while applying it is noted again
        set_state(self, sync_data)

    Widget._handle_control_comm_msg = classmethod(handle_control_comm_msg)
    Widget.send_state = send_state_noted
    Widget.set_state = set_state_from_front_end


def front_end_loading(now: float | None = None) -> None:
    """A front end has just been sent states: note what is sent next, and send it again later."""
    global _open_until, _ticking
    start = time.monotonic() if now is None else now
    with _lock:
        _open_until = max(_open_until, start + WINDOW)
        if _ticking or TICK is None:
            return
        _ticking = True
    threading.Thread(target=_tick, args=(TICK,), name="peerkit-resync", daemon=True).start()


def _tick(interval: float) -> None:
    """Send noted properties again every *interval* while the window is open, then once more."""
    global _ticking
    while True:
        time.sleep(interval)
        resend()
        with _lock:
            if time.monotonic() >= _open_until:
                _ticking = False
                break
    resend()


def note(widget: Any, key: str | Iterable[str]) -> None:
    """Remember that *widget* sent *key* (a property name or several) if a front end is loading."""
    if time.monotonic() > _open_until:
        return
    model_id = getattr(widget, "model_id", None)
    if model_id is None:
        return
    with _lock:
        _noted.setdefault(model_id, set()).update({key} if isinstance(key, str) else key)


def forget(widget: Any, keys: Iterable[str]) -> None:
    """Stop repeating *keys* of *widget*: the front end has just set them itself."""
    model_id = getattr(widget, "model_id", None)
    if model_id is None:
        return
    with _lock:
        noted = _noted.get(model_id)
        if noted is None:
            return
        noted.difference_update(keys)
        if not noted:
            del _noted[model_id]


def resend() -> int:
    """Send the current value of every noted property again; return how many widgets were sent."""
    from ipywidgets.widgets.widget import _instances

    with _lock:
        noted = dict(_noted)
        _noted.clear()
    sent = 0
    for model_id, keys in noted.items():
        widget = _instances.get(model_id)
        if widget is None or getattr(widget, "comm", None) is None:
            continue  # closed since
        try:
            widget.send_state(key=sorted(keys))
            sent += 1
        except Exception:  # a widget that cannot send now must not stop the others
            log.warning("could not send %s again", model_id, exc_info=True)
    return sent
