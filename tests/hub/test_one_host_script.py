"""docs/hub/one-host.sh's own logic, without a hub: sourced, the script only defines its functions.

The whole recipe runs as root in tests/hub/test_one_host.py (with the proxy bound to one address)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "hub" / "one-host.sh"


def hub_api_url(bind: str, port: str = "8000") -> str:
    done = subprocess.run(
        ["bash", "-c", 'source "$1" && hub_api_url "$2" "$3"', "test", str(SCRIPT), bind, port],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("", "http://127.0.0.1:8000/hub/api/"),  # every interface: this host's loopback answers
        ("0.0.0.0", "http://127.0.0.1:8000/hub/api/"),  # noqa: S104 - a value the script is given
        ("::", "http://127.0.0.1:8000/hub/api/"),
        ("10.1.2.3", "http://10.1.2.3:8000/hub/api/"),  # one address: only it answers
        ("hub.lan", "http://hub.lan:8000/hub/api/"),
        ("::1", "http://[::1]:8000/hub/api/"),
        ("[::1]", "http://[::1]:8000/hub/api/"),
    ],
)
def test_start_waits_for_the_hub_where_the_proxy_listens(bind: str, url: str) -> None:
    assert hub_api_url(bind) == url


def test_sourcing_the_script_runs_no_command() -> None:
    done = subprocess.run(
        ["bash", "-c", 'source "$1" && echo sourced', "test", str(SCRIPT)], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "sourced\n", "")


def test_the_usage_names_every_subcommand() -> None:
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "| start | stop | status | upgrade" in done.stderr


# -- upgrade, on a host made of stubs: a saved install under a temporary root, and a venv whose
# `peerkit` and `python` only write down how they were called (and exit as the test says).

PEERKIT_STUB = """#!/bin/sh
echo "peerkit $*" >>"$CALLS"
case "$1 $2" in
    "db --help") exit "${HELP_EXIT:-0}" ;;
    "db current") echo "verdict: (stub)"; exit "${CURRENT_EXIT:-0}" ;;
    "db upgrade") echo "store upgraded (stub)"; exit "${UPGRADE_EXIT:-0}" ;;
esac
exit 9
"""
PYTHON_STUB = """#!/bin/sh
echo "python $*" >>"$CALLS"
"""


@dataclass
class Host:
    root: Path
    bin: Path
    calls: Path
    course_file: str = "/srv/peerkit/course/course.yml"
    db: str = "postgresql://peerkit:secret@127.0.0.1/peerkit"

    def save_settings(self, bin_folder: Path | None = None) -> None:
        (self.root / "etc/jupyterhub/peerkit.env").write_text(
            f"PEERKIT_BIN={bin_folder or self.bin}\nPEERKIT_DB={self.db}\nPEERKIT_COURSE_FILE={self.course_file}\n"
        )

    def upgrade(self, **env: str) -> subprocess.CompletedProcess[str]:
        """``one-host.sh upgrade`` as root would run it (the root check aside), with *env* added."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PEERKIT_")}
        environ.update(PEERKIT_PREFIX=str(self.root), CALLS=str(self.calls), **env)
        return subprocess.run(
            ["bash", "-c", 'source "$1" && need_root() { :; } && cmd_upgrade', "one-host.sh", str(SCRIPT)],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def called(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def commands(self) -> list[str]:
        """What was called, without the arguments: ``peerkit db current``, ``python -m pip``."""
        return [" ".join(call.split()[:3]) for call in self.called()]


def stub(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def host(tmp_path: Path) -> Host:
    root = tmp_path / "root"
    for folder in ("etc/jupyterhub", "etc/jupyter", "srv/jupyterhub"):
        (root / folder).mkdir(parents=True)
    bin_folder = root / "opt/peerkit/venv/bin"  # the venv install makes
    stub(bin_folder / "peerkit", PEERKIT_STUB)
    stub(bin_folder / "python", PYTHON_STUB)
    made = Host(root=root, bin=bin_folder, calls=tmp_path / "calls")
    made.save_settings()
    return made


@pytest.mark.parametrize("current", ["0", "3"])  # up to date, behind
def test_upgrade_installs_peerkit_then_upgrades_the_store_the_service_uses(host: Host, current: str) -> None:
    # PEERKIT_DB of the saved settings, the service's, not one left in the shell
    done = host.upgrade(CURRENT_EXIT=current, PEERKIT_DB="sqlite:////elsewhere.db")
    assert done.returncode == 0, done.stderr
    store = f"--course {host.course_file} --db {host.db}"
    assert host.called() == [
        "peerkit db --help",
        f"peerkit db current {store}",
        f"python -m pip install --quiet -U {SCRIPT.parents[2]}[hub]",  # what install installs
        f"peerkit db upgrade {store}",
    ]
    assert done.stdout.splitlines()[-1] == "one-host: upgraded; now: one-host.sh start"
    # the hub's configuration of this checkout, as install copies it
    assert (host.root / "etc/jupyterhub/peerkit_hub_config.py").read_bytes() == (
        SCRIPT.parent / "jupyterhub_config.py"
    ).read_bytes()
    assert (host.root / "etc/jupyter/nbgrader_config.py").read_bytes() == (
        SCRIPT.parent / "nbgrader_config.py"
    ).read_bytes()


@pytest.mark.parametrize(
    ("current", "says"),
    [
        ("4", "the store is newer than the peerkit in"),  # a newer peerkit has upgraded it
        ("1", "peerkit db current could not read the store (above; exit code 1); nothing was changed"),
    ],
)
def test_upgrade_changes_nothing_when_the_store_is_newer_or_unreadable(host: Host, current: str, says: str) -> None:
    done = host.upgrade(CURRENT_EXIT=current)
    assert done.returncode == 1
    assert says in done.stderr
    assert "run one-host.sh upgrade again" in done.stderr
    assert host.commands() == ["peerkit db --help", "peerkit db current"]
    assert not (host.root / "etc/jupyterhub/peerkit_hub_config.py").exists()


def test_upgrade_refuses_while_the_hub_runs(host: Host) -> None:
    (host.root / "srv/jupyterhub/one-host.pid").write_text(str(os.getpid()))  # a live process
    done = host.upgrade()
    assert done.returncode == 1
    assert done.stderr == f"one-host: the hub is running (pid {os.getpid()}): stop first: one-host.sh stop\n"
    assert host.called() == []


def test_upgrade_needs_an_install(tmp_path: Path) -> None:
    done = Host(root=tmp_path, bin=tmp_path, calls=tmp_path / "calls").upgrade()
    assert done.returncode == 1
    assert "peerkit.env is missing: run one-host.sh install first" in done.stderr


def test_upgrade_installs_the_package_named_in_its_environment(host: Host) -> None:
    done = host.upgrade(PEERKIT_PACKAGE="peerkit[hub]==9.9")
    assert done.returncode == 0, done.stderr
    assert "python -m pip install --quiet -U peerkit[hub]==9.9" in host.called()


def test_upgrade_leaves_peerkit_in_an_environment_install_did_not_make_to_its_owner(host: Host, tmp_path: Path) -> None:
    own = tmp_path / "own/bin"  # install's PEERKIT_PYTHON
    stub(own / "peerkit", PEERKIT_STUB)
    stub(own / "python", PYTHON_STUB)
    host.save_settings(own)
    done = host.upgrade(CURRENT_EXIT="3")
    assert done.returncode == 0, done.stderr
    assert f"{own} is your own environment (PEERKIT_PYTHON): upgrade peerkit[hub] there yourself" in done.stdout
    assert host.commands() == ["peerkit db --help", "peerkit db current", "peerkit db upgrade"]


def test_upgrade_from_a_peerkit_without_db_lets_the_new_one_check_the_store(host: Host) -> None:
    done = host.upgrade(HELP_EXIT="2")  # click: no such command
    assert done.returncode == 0, done.stderr
    assert host.commands() == [
        "peerkit db --help",
        "python -m pip",
        "peerkit db upgrade",
    ]


def test_a_store_upgrade_that_fails_does_not_send_the_operator_to_start(host: Host) -> None:
    done = host.upgrade(UPGRADE_EXIT="1")
    assert done.returncode == 1
    assert "the store was not upgraded (above): fix that before one-host.sh start" in done.stderr
    assert "now:" not in done.stdout
