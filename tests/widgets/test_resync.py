"""resync: what the kernel sends while a front end loads its widgets is sent again, nothing else."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import comm
import ipywidgets
import pytest
from comm.base_comm import BaseComm

from peerkit.widgets import resync


class RecordingComm(BaseComm):
    """A comm that keeps what the kernel would have sent to the front end."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        super().__init__(**kwargs)

    def publish_msg(
        self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
    ) -> None:
        self.sent.append((msg_type, data or {}))

    def updates(self) -> list[dict[str, Any]]:
        return [data["state"] for kind, data in self.sent if kind == "comm_msg" and data.get("method") == "update"]


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingComm]:
    """Widgets get recording comms in a registry of their own; a control comm answers request_states;
    no timers run."""
    from ipywidgets.widgets import widget as widget_module

    monkeypatch.setattr(widget_module, "_instances", {})  # not the widgets other tests left behind
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))
    monkeypatch.setattr(resync, "TICK", None)
    monkeypatch.setattr(resync, "_open_until", 0.0)
    monkeypatch.setattr(resync, "_noted", {})
    resync.install()
    control = RecordingComm(target_name="jupyter.widget.control")
    monkeypatch.setattr(ipywidgets.Widget, "_control_comm", control)
    yield control


def request_states() -> None:
    ipywidgets.Widget._handle_control_comm_msg({"content": {"data": {"method": "request_states"}}})


def test_install_is_idempotent_and_keeps_the_control_reply(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    resync.install()
    request_states()
    [(kind, reply)] = [sent for sent in kernel.sent if sent[1].get("method") == "update_states"]
    assert kind == "comm_msg" and reply["states"][box.model_id]["state"]["value"] == "before"


def test_a_kernel_change_while_the_front_end_loads_is_sent_again(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    label = ipywidgets.HTML("0 of 3 done")
    request_states()
    box.value = "what another tab saved"  # the front end may drop this: its comm is not registered yet
    label.value = "3 of 3 done"
    box.comm.sent.clear()
    label.comm.sent.clear()
    assert resync.resend() == 2
    assert box.comm.updates() == [{"value": "what another tab saved"}]
    assert label.comm.updates() == [{"value": "3 of 3 done"}]
    resync._open_until = 0.0  # the window closes: what the last tick sent is sent once more, then nothing
    assert resync.resend() == 2
    assert resync.resend() == 0


def test_the_current_value_is_sent_not_the_one_noted(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    request_states()
    box.value = "first reload"
    box.value = "second reload"
    box.comm.sent.clear()
    resync.resend()
    assert box.comm.updates() == [{"value": "second reload"}]


def test_a_change_while_the_states_are_read_is_sent_again(
    kernel: RecordingComm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread changing a widget after ipywidgets read its state, before the reply leaves: the reply
    holds the old value and the change's own update reaches a front end with no comm for it."""
    box = ipywidgets.Textarea(value="before")
    send_reply = kernel.send

    def meanwhile(*args: Any, **kwargs: Any) -> None:
        box.value = "saved meanwhile"  # every state has been read: the reply holds "before"
        send_reply(*args, **kwargs)

    monkeypatch.setattr(kernel, "send", meanwhile)
    request_states()
    [reply] = [data for _, data in kernel.sent if data.get("method") == "update_states"]
    assert reply["states"][box.model_id]["state"]["value"] == "before"
    box.comm.sent.clear()
    assert resync.resend() == 1
    assert box.comm.updates() == [{"value": "saved meanwhile"}]


def test_what_the_learner_types_is_not_sent_back(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    request_states()
    box.comm.handle_msg(
        {"content": {"comm_id": box.model_id, "data": {"method": "update", "state": {"value": "typed"}}}}
    )
    assert box.value == "typed"
    box.comm.sent.clear()
    assert resync.resend() == 0
    assert box.comm.updates() == []


def test_a_property_the_learner_sets_is_no_longer_repeated(kernel: RecordingComm) -> None:
    """A repeat of a kernel-sent value, sent while the learner's next change is on its way, would show the old
    value over theirs until the echo came back (a clicked radio button shown unchecked)."""
    rating = ipywidgets.RadioButtons(options=[1, 2, 3, 4, 5], value=None)
    request_states()
    rating.value = 3  # the kernel shows what another tab saved: noted, to be sent again
    rating.description = "How helpful was it?"
    rating.comm.handle_msg(
        {"content": {"comm_id": rating.model_id, "data": {"method": "update", "state": {"index": 4}}}}
    )
    assert rating.value == 5
    rating.comm.sent.clear()
    assert resync.resend() == 1
    assert rating.comm.updates() == [{"description": "How helpful was it?"}]  # the rest is repeated, not the index
    rating.comm.handle_msg(
        {"content": {"comm_id": rating.model_id, "data": {"method": "update", "state": {"description": "x"}}}}
    )
    assert resync.resend() == 0


def test_changes_outside_the_window_are_not_repeated(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    box.value = "no front end is loading"
    assert resync.resend() == 0
    request_states()
    resync._open_until = 0.0  # the window has passed
    box.value = "later"
    assert resync.resend() == 0


def test_a_widget_closed_since_is_skipped(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    request_states()
    box.value = "changed"
    box.close()
    assert resync.resend() == 0


def test_a_ticker_resends_while_the_window_is_open_then_stops(
    kernel: RecordingComm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resync, "TICK", 0.05)
    monkeypatch.setattr(resync, "WINDOW", 0.3)
    box = ipywidgets.Textarea(value="before")
    request_states()
    box.value = "changed"
    box.comm.sent.clear()
    deadline = time.monotonic() + 5
    while (resync._ticking or not box.comm.updates()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not resync._ticking
    sent = box.comm.updates()
    assert 2 <= len(sent) <= 12 and all(update == {"value": "changed"} for update in sent)
    time.sleep(0.2)
    assert len(box.comm.updates()) == len(sent)  # stopped once the window closed


def test_a_front_end_asking_model_by_model_opens_the_window_too(kernel: RecordingComm) -> None:
    box = ipywidgets.Textarea(value="before")
    box.value = "no front end is loading"
    assert resync.resend() == 0
    box.comm.handle_msg({"content": {"comm_id": box.model_id, "data": {"method": "request_state"}}})
    box.value = "changed after its state was sent"
    box.comm.sent.clear()
    assert resync.resend() == 1
    assert box.comm.updates() == [{"value": "changed after its state was sent"}]


class ChangingInstances(dict[str, Any]):
    """ipywidgets' widget registry, as a thread creating a widget makes it look once."""

    walks = 0

    def values(self) -> Any:
        self.walks += 1
        if self.walks == 1:
            raise RuntimeError("dictionary changed size during iteration")
        return super().values()


def test_the_states_reply_survives_a_widget_created_meanwhile(
    kernel: RecordingComm, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipywidgets.widgets import widget as widget_module

    registry = ChangingInstances(widget_module._instances)
    monkeypatch.setattr(widget_module, "_instances", registry)
    box = ipywidgets.Textarea(value="before")
    request_states()
    [reply] = [data for _, data in kernel.sent if data.get("method") == "update_states"]
    assert registry.walks > 1 and reply["states"][box.model_id]["state"]["value"] == "before"
