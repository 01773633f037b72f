"""Ports for learners' servers that the hub starts as local processes: never the same port twice at once.

JupyterHub's local-process spawner gives each server a port by asking the system for a free one and
letting it go again. When a class logs in at the same moment, two servers starting a few
milliseconds apart can be handed the same port: the second cannot listen on it, and the hub, polling
that port, finds the *first* server there, declares the second learner's server ready and routes
their requests to someone else's server (their pages answer "404 : Not Found"). Seen in this
project's hub tests, three learners starting together.

:func:`assign_port` is the documented hub configuration's ``pre_spawn_hook``
(docs/hub/jupyterhub_config.py): it gives each local server a port that is free now *and* was not
handed to another server in the last few minutes, whether or not that server is listening yet.
Spawners that do not pick ports themselves (Kubernetes, Docker) are left alone.
"""

from __future__ import annotations

import socket
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from peerkit.core.errors import ConfigError

#: How long a port handed to a starting server stays reserved: longer than a server may take to start.
HOLD_SECONDS = 300.0
#: Free ports the system offers before the picker gives up (each one was recently handed out).
ATTEMPTS = 200


def free_port(host: str = "") -> int:
    """A port nothing listens on now (the system's choice); *host* '' checks every interface."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class PortPicker:
    """Hands out free ports, each reserved for *hold* seconds even before its server listens."""

    hold: float = HOLD_SECONDS
    _reserved: dict[int, float] = field(default_factory=dict)

    def pick(self) -> int:
        taken = self.reserved()
        for _ in range(ATTEMPTS):
            port = free_port()
            if port not in taken:
                self._reserved[port] = time.monotonic() + self.hold
                return port
        raise ConfigError(
            f"no free port for a learner's server after {ATTEMPTS} tries ({len(taken)} reserved): "
            "widen the system's ephemeral port range (net.ipv4.ip_local_port_range)"
        )

    def reserved(self) -> set[int]:
        """The ports handed out less than *hold* seconds ago (the older ones are forgotten here)."""
        now = time.monotonic()
        self._reserved = {port: until for port, until in self._reserved.items() if until > now}
        return set(self._reserved)


#: The hub's one picker (the hub runs spawners on one event loop: no lock needed).
PICKER = PortPicker()
_ASSIGNED: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def assign_port(spawner: Any, picker: PortPicker = PICKER) -> None:
    """``pre_spawn_hook``: a fresh reserved port for a local-process server at every start.

    A port the site configured itself (``c.Spawner.port``) is kept; so is any spawner that does not
    start local processes."""
    from jupyterhub.spawner import LocalProcessSpawner

    if not isinstance(spawner, LocalProcessSpawner):
        return
    if spawner.port != 0 and _ASSIGNED.get(spawner) != spawner.port:
        return
    spawner.port = picker.pick()
    _ASSIGNED[spawner] = spawner.port
