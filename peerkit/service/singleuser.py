"""``peerkit-singleuser``: a learner's hub server that starts with their course folder up to date.

Use it as the spawner's command (``c.Spawner.cmd = ["peerkit-singleuser"]``): it runs ``peerkit
sync`` (fetch released paths, copy the course apps) and then becomes ``jupyterhub-singleuser`` with
the same arguments. A failing sync is logged and never stops the server from starting.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger("peerkit.singleuser")


def singleuser_command() -> str:
    beside = Path(sys.executable).with_name("jupyterhub-singleuser")
    return str(beside) if beside.exists() else (shutil.which("jupyterhub-singleuser") or "jupyterhub-singleuser")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[peerkit-singleuser] %(message)s")
    try:
        from peerkit.identity import resolve_learner
        from peerkit.nbgrader.config import get, learner_config, skip_slow_iri_grammar
        from peerkit.nbgrader.sync import sync

        skip_slow_iri_grammar()
        home = Path.home()
        config = learner_config(home)
        learner = resolve_learner(configured=get(config, "CourseDirectory", "student_id"))
        log.info("%s", sync(config, home=home, learner=learner).summary())
    except Exception as exc:  # noqa: BLE001 - the server must start anyway; the learner can sync later
        log.warning("could not sync the course folder: %s: %s", type(exc).__name__, exc)
    command = singleuser_command()
    os.execv(command, [command, *sys.argv[1:]])  # noqa: S606 - becomes the hub's single-user server
