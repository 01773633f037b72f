"""Jupyter servers on the hub that start ready for the course.

``peerkit-singleuser`` is a learner's server: use it as the spawner's command
(``c.Spawner.cmd = ["peerkit-singleuser"]``). It runs ``peerkit sync`` (fetch released paths, copy
the course apps) and then becomes ``jupyterhub-singleuser`` with the same arguments. A failing sync
is logged and never stops the server from starting.

``peerkit-course-service`` is nbgrader's course service (the formgrader, for the course's
facilitators only): it copies the facilitator dashboard into its folder (the course root) as
``dashboard.ipynb`` and becomes ``jupyterhub-singleuser``, so facilitators open the dashboard at
``/services/<course>/voila/render/dashboard.ipynb``. The hub lets only ``formgrade-<course>`` in.

Both run Voilà with the settings ``peerkit serve`` gives it: nbgrader's lab extensions denied,
tracebacks hidden, the peerkit template; and both start ``jupyterhub-singleuser`` through
:mod:`peerkit.cli.singleuser_launch`, which skips a second of import nobody uses.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path

log = logging.getLogger("peerkit.singleuser")


def singleuser_command() -> list[str]:
    """``jupyterhub-singleuser`` run by this interpreter through :mod:`peerkit.cli.singleuser_launch` (a second
    sooner). ``-P``: the server starts in the learner's own folder, and a ``jupyterhub.py`` or ``numpy.py`` there
    must not be imported in place of the real one, as ``python -m`` would by default."""
    return [sys.executable, "-P", "-m", "peerkit.cli.singleuser_launch"]


def trust_course_folder(folder: Path) -> None:
    """Sign the course's notebooks for this server (its Jupyter data folder), so that Voilà does not
    log "not trusted" for each page view."""
    from peerkit.voila.trust import trust_notebooks

    try:
        if folder.exists():
            trust_notebooks(folder)
    except Exception as exc:  # noqa: BLE001 - an unsigned notebook only costs a log line; the server must start
        log.warning("could not sign the notebooks in %s: %s: %s", folder, type(exc).__name__, exc)


def server_config_dir(home: Path | None = None, *, learner_pages: bool = True) -> Path:
    """The folder of peerkit's ``jupyter_server_config.json`` (:func:`peerkit.voila.serve.server_extension_config`),
    written afresh at each start in the server's own home (never a shared folder another user
    could prepare): ``~/.peerkit/jupyter-config``. Learner pages load only the widget extensions;
    the course service's dashboard (``learner_pages=False``) every extension but the denied ones."""
    from peerkit.storage.atomic import write_atomic
    from peerkit.voila.serve import LEARNER_LAB_EXTENSIONS, server_extension_config

    folder = (home or Path.home()) / ".peerkit" / "jupyter-config"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(server_extension_config(LEARNER_LAB_EXTENSIONS if learner_pages else None), indent=1) + "\n"
    write_atomic(folder / "jupyter_server_config.json", text.encode())
    return folder


def become_singleuser(args: list[str], *, learner_pages: bool = True) -> None:
    """Replace this process with ``jupyterhub-singleuser *args`` (:func:`singleuser_command`), with peerkit's Voilà
    settings."""
    from peerkit.voila.serve import prepend_path, with_template_path

    command = singleuser_command()
    # The hub stops a server or a managed service with SIGINT, and SIGTERM only after a wait. A process
    # started in the background by a script (``one-host.sh start``) has SIGINT ignored, and so has a
    # service the hub spawns before it has set up its own signal handling: a Jupyter server without a
    # terminal keeps an inherited "ignore", so ``stop`` waited half a minute for the course service.
    # Ctrl-C's default action, set here, survives the exec: Python turns it into a clean shutdown.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    env = prepend_path(
        with_template_path(dict(os.environ)), "JUPYTER_CONFIG_PATH", server_config_dir(learner_pages=learner_pages)
    )
    os.execve(command[0], [*command, *args], env)  # noqa: S606 - becomes the hub's server


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[peerkit-singleuser] %(message)s")
    try:
        from peerkit.apps.sync import sync
        from peerkit.config.identity import resolve_learner
        from peerkit.nbgrader.config import get, learner_config, skip_slow_iri_grammar

        skip_slow_iri_grammar()
        home = Path.home()
        config = learner_config(home)
        learner = resolve_learner(configured=get(config, "CourseDirectory", "student_id"))
        report = sync(config, home=home, learner=learner)
        log.info("%s", report.summary())
        trust_course_folder(report.course_dir)
    except Exception as exc:  # noqa: BLE001 - the server must start anyway; the learner can sync later
        log.warning("could not sync the course folder: %s: %s", type(exc).__name__, exc)
    become_singleuser(sys.argv[1:])


def course_service_main() -> None:
    logging.basicConfig(level=logging.INFO, format="[peerkit-course-service] %(message)s")
    from peerkit.apps import DASHBOARD_NOTEBOOK, install_app

    try:
        if install_app(DASHBOARD_NOTEBOOK, Path.cwd()):
            log.info("facilitator dashboard installed as %s", Path.cwd() / DASHBOARD_NOTEBOOK)
    except Exception as exc:  # noqa: BLE001 - the formgrader must start anyway
        log.warning("could not install the facilitator dashboard: %s: %s", type(exc).__name__, exc)
    trust_course_folder(Path.cwd() / DASHBOARD_NOTEBOOK)
    become_singleuser(sys.argv[1:], learner_pages=False)
