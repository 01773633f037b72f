"""Voilà configuration for peerkit: what learners must (not) get."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from peerkit.voila.serve import (
    DENIED_LAB_EXTENSIONS,
    LEARNER_LAB_EXTENSIONS,
    ServeOptions,
    server_extension_config,
    template_root,
    voila_config,
    voila_env,
    with_template_path,
)
from tests.ports import free_port


def test_voila_config_hides_tracebacks_loads_only_the_widget_extensions_and_preheats() -> None:
    config = voila_config(["home.ipynb", "p/p.ipynb"], ServeOptions(port=9999))
    vc = config["VoilaConfiguration"]
    assert vc["show_tracebacks"] is False
    assert vc["extension_allowlist"] == list(LEARNER_LAB_EXTENSIONS) and "extension_denylist" not in vc
    assert config["MappingKernelManager"]["transport_encryption"] == "auto"  # no "eavesdropping" warning
    assert vc["preheat_kernel"] is True and vc["template"] == "peerkit"
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["default"]["pool_size"] == 0 and pools["p/p.ipynb"]["pool_size"] == 1
    assert config["Voila"]["port_retries"] == 0 and config["Voila"]["port"] == 9999
    assert "disable_check_xsrf" not in config["Voila"]["tornado_settings"]  # the beacon sends its _xsrf cookie


def test_a_server_for_other_pages_loads_every_extension_but_the_denied() -> None:
    vc = voila_config([], ServeOptions(lab_extensions=None))["VoilaConfiguration"]
    assert vc["extension_denylist"] == list(DENIED_LAB_EXTENSIONS) and "extension_allowlist" not in vc
    assert "@jupyter/nbgrader" in DENIED_LAB_EXTENSIONS


def test_the_allowed_extensions_are_installed_and_draw_widgets() -> None:
    """Voilà only loads an allowed extension it finds: a renamed one would leave every page without widgets."""
    from voila.utils import get_federated_extensions, get_voila_labextensions_path

    installed = get_federated_extensions(get_voila_labextensions_path())
    assert set(LEARNER_LAB_EXTENSIONS) <= set(installed)


def test_xsrf_stays_on_when_not_bound_to_localhost() -> None:
    config = voila_config([], ServeOptions(ip="0.0.0.0", preheat=False))  # noqa: S104
    assert "disable_check_xsrf" not in config["Voila"]["tornado_settings"] and "VoilaKernelManager" not in config


def test_voila_env_serves_the_configured_learner(tmp_path: Path) -> None:
    env = voila_env(
        tmp_path / "learners" / "you", {"JUPYTERHUB_USER": "someone", "JUPYTER_CONFIG_DIR": "/x", "PATH": "/usr/bin"}
    )
    assert "JUPYTERHUB_USER" not in env
    assert env["JUPYTER_CONFIG_DIR"] == str(tmp_path / "learners" / "you" / ".jupyter")
    assert env["HOME"].endswith("learners/you") and str(template_root()) in env["JUPYTER_PATH"]


def test_template_strips_cdn_links_and_redirects_the_tree() -> None:
    template = template_root() / "voila" / "templates" / "peerkit"
    assert "cdn.jsdelivr.net" in (template / "index.html.j2").read_text()  # the strings it removes
    assert "voila/render/home.ipynb" in (template / "tree-lab.html").read_text()
    assert '{% include "tree-lab.html" %}' in (template / "tree.html").read_text()


def test_dashboard_server_knows_the_course_and_store(tmp_path: Path) -> None:
    from peerkit.voila.serve import dashboard_env

    base = {"PEERKIT_DB": "postgresql://elsewhere/db", "PATH": "/usr/bin"}
    env = dashboard_env(
        tmp_path / "facilitator", course_file=tmp_path / "c.yml", workdir=tmp_path, db_url=None, base=base
    )
    assert (env["PEERKIT_COURSE"], env["PEERKIT_WORKDIR"]) == (str(tmp_path / "c.yml"), str(tmp_path))
    assert "PEERKIT_DB" not in env and env["HOME"] == str(tmp_path / "facilitator")
    assert (
        dashboard_env(tmp_path, course_file=tmp_path, workdir=tmp_path, db_url="sqlite:///x", base={})["PEERKIT_DB"]
        == "sqlite:///x"
    )


def test_serve_prepares_the_dashboard_apart_from_the_learner(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from peerkit.cli import cli
    from tests.conftest import write_test_course

    course_file = write_test_course(tmp_path / "src")
    args = [
        "serve",
        "--course",
        str(course_file),
        "--workdir",
        str(tmp_path / "w"),
        "--port",
        "9911",
        "--ip",
        "0.0.0.0",  # noqa: S104 - the learner's server may face the network; the dashboard must not
    ]
    result = CliRunner().invoke(cli, [*args, "--prepare-only", "--no-cohort"])
    assert result.exit_code == 0, result.output
    assert "Facilitator dashboard: http://localhost:9912/" in result.output
    assert (tmp_path / "w" / "facilitator" / "dashboard.ipynb").is_file()
    assert not (tmp_path / "w" / "learners" / "tester" / "test-course" / "dashboard.ipynb").exists()
    config = json.loads((tmp_path / "w" / "voila-facilitator" / "voila.json").read_text())
    assert config["Voila"]["port"] == 9912 and config["Voila"]["ip"] == "localhost"  # never beyond this machine
    assert "VoilaKernelManager" not in config  # kernels start when the facilitator visits
    assert (tmp_path / "w" / "exchange" / "test-course" / "peerkit-activity").is_dir()


@pytest.mark.kernel
def test_a_hub_server_serves_no_file_of_the_learner_outside_its_login(tmp_path: Path) -> None:
    """On a hub, Voilà runs inside the learner's Jupyter server, whose ``/voila/files/`` (pictures under the
    learner's home) skips the server's login: anyone who reaches the hub read ``/user/<learner>/voila/files/...``.
    With peerkit's server config it serves nothing (no peerkit page shows a file from there)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "sketch.png").write_bytes(b"\x89PNG\r\n\x1a\n a learner's own picture")
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps(server_extension_config()))
    port, token = free_port(), "0123456789abcdef" * 3
    env = with_template_path({**voila_env(home), "JUPYTER_CONFIG_PATH": str(config)})
    log = tmp_path / "server.log"
    with log.open("w") as out:
        options = [f"--ServerApp.port={port}", "--ServerApp.ip=localhost", f"--ServerApp.root_dir={home}"]
        options += [f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False", "--allow-root"]
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", *options],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while "is running at" not in log.read_text():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        url = f"http://localhost:{port}/voila/files/sketch.png"
        for address in (url, f"{url}?token={token}"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(address, timeout=30)  # noqa: S310 - localhost
            assert refused.value.code == 403, address
        with urllib.request.urlopen(f"http://localhost:{port}/voila/static/voila.js", timeout=30) as response:
            assert response.status == 200  # Voilà itself is there
    finally:
        server.terminate()
        server.wait(timeout=30)
