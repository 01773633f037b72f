"""Ports for learners' servers: two servers starting together never share one, whatever the system offers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from peerkit.core.errors import ConfigError
from peerkit.service import ports
from peerkit.service.ports import PortPicker, assign_port


def offered(monkeypatch: pytest.MonkeyPatch, sequence: list[int]) -> None:
    """The system offers these free ports, in this order (as it may: it forgets a port once let go)."""
    it: Iterator[int] = iter(sequence)
    monkeypatch.setattr(ports, "free_port", lambda host="": next(it))


def test_a_port_the_system_offers_twice_is_handed_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    offered(monkeypatch, [33363, 33363, 33363, 48123])
    picker = PortPicker()
    assert [picker.pick(), picker.pick()] == [33363, 48123]
    assert picker.reserved() == {33363, 48123}


def test_a_reservation_ends_after_its_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    offered(monkeypatch, [40000, 40000])
    clock = [1000.0]
    monkeypatch.setattr(ports.time, "monotonic", lambda: clock[0])
    picker = PortPicker(hold=60)
    assert picker.pick() == 40000
    clock[0] += 61
    assert picker.reserved() == set()
    assert picker.pick() == 40000


def test_when_every_offer_is_reserved_the_error_says_what_to_widen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "free_port", lambda host="": 40000)
    picker = PortPicker()
    picker.pick()
    with pytest.raises(ConfigError, match="ip_local_port_range"):
        picker.pick()


def test_the_port_is_free_on_every_interface() -> None:
    port = ports.free_port()
    with socket.socket() as server:  # nothing listens there: a server can take it
        server.bind(("127.0.0.1", port))


def test_local_servers_get_a_fresh_reserved_port_at_every_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyterhub.spawner import SimpleLocalProcessSpawner

    offered(monkeypatch, [41000, 41000, 41001, 41002])
    picker = PortPicker()
    alice, carol = SimpleLocalProcessSpawner(), SimpleLocalProcessSpawner()
    assign_port(alice, picker)
    assign_port(carol, picker)  # the system offers alice's port again: carol gets another
    assert (alice.port, carol.port) == (41000, 41001)
    assign_port(alice, picker)  # a restart: a new port, not the old one kept blindly
    assert alice.port == 41002


def test_a_port_the_site_chose_and_other_spawners_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyterhub.spawner import SimpleLocalProcessSpawner, Spawner

    offered(monkeypatch, [])  # asking the system at all would fail the test
    fixed = SimpleLocalProcessSpawner(port=9999)
    assign_port(fixed, PortPicker())
    assert fixed.port == 9999
    other = Spawner()  # e.g. KubeSpawner: its servers each have their own address
    assign_port(other, PortPicker())
    assert other.port == 0
