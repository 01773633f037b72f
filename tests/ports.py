"""A free loopback port for the servers the tests start (the hub's own picker, on 127.0.0.1)."""

from __future__ import annotations

from peerkit.service import ports


def free_port() -> int:
    """A port nothing listens on now on 127.0.0.1 (the system's choice)."""
    return ports.free_port("127.0.0.1")
