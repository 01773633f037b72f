"""The hub's server wrappers: the dashboard installed in the course service, Voilà's settings."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from jupyter_server.serverapp import ServerApp
from traitlets.config import Config
from voila.configuration import VoilaConfiguration

from peerkit.apps import DASHBOARD_NOTEBOOK, app_notebook, install_app
from peerkit.cli.singleuser import server_config_dir
from peerkit.config.settings import settings_from_env
from peerkit.voila.serve import (
    DENIED_LAB_EXTENSIONS,
    LEARNER_LAB_EXTENSIONS,
    TEMPLATE,
    template_root,
    with_template_path,
)


def test_the_dashboard_is_installed_once_and_repaired_when_changed(tmp_path: Path) -> None:
    assert install_app(DASHBOARD_NOTEBOOK, tmp_path)
    target = tmp_path / DASHBOARD_NOTEBOOK
    assert target.read_bytes() == app_notebook(DASHBOARD_NOTEBOOK).read_bytes()
    assert not install_app(DASHBOARD_NOTEBOOK, tmp_path)  # unchanged: left alone
    target.write_text("{}")
    assert install_app(DASHBOARD_NOTEBOOK, tmp_path)
    assert target.read_bytes() == app_notebook(DASHBOARD_NOTEBOOK).read_bytes()


def test_the_server_config_gives_voila_what_peerkit_serve_gives_it(tmp_path: Path) -> None:
    folder = server_config_dir(tmp_path)
    assert folder == tmp_path / ".peerkit" / "jupyter-config"
    loaded = Config(json.loads((folder / "jupyter_server_config.json").read_text()))
    voila = VoilaConfiguration(config=loaded)
    assert voila.extension_allowlist == list(LEARNER_LAB_EXTENSIONS)  # learner pages: the widget managers only
    assert "nbgrader" not in json.dumps(voila.extension_allowlist)
    assert voila.show_tracebacks is False
    assert voila.template == TEMPLATE
    settings = ServerApp(config=loaded).tornado_settings
    assert settings["mathjax_url"] is None  # never the CDN Voilà's extension falls back to
    server_config_dir(tmp_path)  # written afresh at each start, idempotent
    dashboard = Config(
        json.loads((server_config_dir(tmp_path, learner_pages=False) / "jupyter_server_config.json").read_text())
    )
    assert VoilaConfiguration(config=dashboard).extension_denylist == list(DENIED_LAB_EXTENSIONS)


def test_the_template_comes_first_on_jupyter_path_once() -> None:
    env = with_template_path({"JUPYTER_PATH": os.pathsep.join(["/a", str(template_root())])})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/a"]
    assert with_template_path({})["JUPYTER_PATH"] == str(template_root())


def test_the_dashboard_reads_the_hubs_exchange_from_the_environment(tmp_path: Path) -> None:
    settings = settings_from_env({"PEERKIT_EXCHANGE": str(tmp_path / "exchange"), "PEERKIT_DB": "postgresql://x/y"})
    assert settings.exchange == tmp_path / "exchange"
    assert settings.db_url == "postgresql://x/y"
    assert settings_from_env({}).exchange is None


def test_a_server_started_with_ctrl_c_ignored_still_stops_on_it(tmp_path: Path) -> None:
    """The hub stops servers and services with SIGINT (SIGTERM only after a wait). A process a script started
    in the background, or a service the hub spawned before setting up its signals, has SIGINT ignored; a
    Jupyter server without a terminal kept that, and one-host.sh stop waited half a minute for the course
    service. The wrappers hand the server SIGINT's default: here the exec'd command reads its own mask."""
    grep = shutil.which("grep")
    assert grep is not None
    code = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # as `command &` in a script leaves it
        "import peerkit.cli.singleuser as wrapper\n"
        "wrapper.singleuser_command = lambda: [sys.argv[1]]\n"
        "wrapper.become_singleuser(['SigIgn', '/proc/self/status'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, grep],
        env=dict(os.environ, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    ignored = int(done.stdout.split()[1], 16)
    assert not ignored & (1 << (signal.SIGINT - 1)), done.stdout
