"""docs/hub/one-host.sh's own logic, without a hub: sourced, the script only defines its functions.

The whole recipe runs as root in tests/hub/test_one_host.py (with the proxy bound to one address)."""

from __future__ import annotations

import subprocess
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
