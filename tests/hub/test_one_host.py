"""The one-host recipe, docs/hub/one-host.sh, run as written on this machine as root: it creates the
folders and the Unix users, starts JupyterHub with local processes as the learners' own users, the
proxy and both services; a facilitator releases a path, two learners get its page through the proxy,
and `stop` leaves no process of the hub behind.

Only what a test machine cannot have is swapped: a temporary root for /srv, /etc and the homes
(PEERKIT_PREFIX), this environment's Python (PEERKIT_PYTHON) and proxy (PEERKIT_PROXY), free ports,
and a site file with a shared password instead of PAM, and an API token acting as administrator."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from peerkit.cli.singleuser import singleuser_command
from tests.conftest import require
from tests.hub.harness import PASSWORD, Response, chp_command, request
from tests.ports import free_port
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.hub, pytest.mark.postgres, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "docs" / "hub" / "one-host.sh"
COURSE = yaml.safe_load((REPO / "course" / "course.yml").read_text())
PATH = COURSE["paths"][0]  # the first path of the course that ships (orientation)
#: The one address the proxy listens on: not 127.0.0.1, so that `start` must wait for the hub there.
BIND = "127.0.0.2"


@dataclass
class OneHost:
    root: Path
    env: dict[str, str]
    users: list[str]
    admin_token: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{BIND}:{self.port}"

    @property
    def state(self) -> Path:
        return self.root / "srv" / "jupyterhub"

    def run(self, *args: str, timeout: float = 180, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["bash", str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert done.returncode == code, f"one-host.sh {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def api(self, method: str, path: str, body: object = None) -> Response:
        return request(method, f"{self.url}/hub/api/{path}", token=self.admin_token, body=body)

    def token(self, user: str) -> str:
        response = self.api("POST", f"users/{user}/tokens", {"note": "one-host test"})
        assert response.status == 201, response.error
        return str(response.json()["token"])

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.state / "jupyterhub.log").read_text(errors="replace")[-6000:]
        return "(no log)"


def marked(state: Path) -> dict[int, str]:
    """Every process that carries the mark of the hub whose state is *state*, with its command line."""
    mark = f"PEERKIT_ONE_HOST={state}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if mark in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return found


def ignores_sigint(pid: int) -> bool:
    """Whether process *pid* ignores SIGINT (its mask of ignored signals, from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def processes_of(uids: set[int]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            if entry.name.isdigit() and entry.stat().st_uid in uids:
                found.append(int(entry.name))
    return found


@pytest.fixture
def one_host(postgres: PostgresServer) -> Iterator[OneHost]:
    require(os.geteuid() == 0, "the one-host recipe runs as root (it creates Unix users)")
    require(shutil.which("useradd") is not None, "useradd is missing")
    chp = chp_command()
    require(chp is not None, "configurable-http-proxy is not installed (the test command installs it)")
    # Not under pytest's tmp_path: the learners' own users must reach their homes and the exchange.
    root = Path(tempfile.mkdtemp(prefix="peerkit-one-host-", dir="/tmp"))
    root.chmod(0o755)
    tag = f"{os.getpid() % 100000}"
    users = [f"pkf{tag}", f"pka{tag}", f"pkb{tag}"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "PEERKIT_"))}
    env.update(
        PEERKIT_PREFIX=str(root),
        PEERKIT_PYTHON=sys.executable,
        PEERKIT_PROXY=str(chp),
        PEERKIT_DB=postgres.create_database(f"peerkit_one_host_{tag}"),
        PEERKIT_BIND=BIND,
        PEERKIT_HUB_PORT=str(port),
        PEERKIT_PUBLIC_URL=f"http://{BIND}:{port}",
        PEERKIT_HUB_API_PORT=str(free_port()),
        PEERKIT_PROXY_API_PORT=str(free_port()),
        PEERKIT_SERVICE_PORT=str(free_port()),
        PEERKIT_COURSE_PORT=str(free_port()),
    )
    host = OneHost(root=root, env=env, users=users, admin_token=os.urandom(16).hex(), port=port)
    try:
        yield host
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=120, check=False)
        for user in users:
            subprocess.run(["userdel", "--remove", user], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def test_the_one_host_recipe_serves_a_path_to_two_learners_and_stops_without_orphans(one_host: OneHost) -> None:
    facilitator, *learners = one_host.users
    installed = one_host.run("install", "--facilitator", facilitator, *(a for u in learners for a in ("--learner", u)))
    assert "installed course peer-learning" in installed.stdout
    root = one_host.root
    for folder in ("srv/nbgrader/exchange", "srv/nbgrader/peer-learning", "srv/peerkit/course", "etc/jupyter"):
        assert (root / folder).is_dir(), folder
    assert (root / "srv/nbgrader/exchange").stat().st_mode & 0o777 == 0o777
    for user in one_host.users:
        assert pwd.getpwnam(user).pw_dir == str(root / "home" / user)
    # What only this site knows (docs/deploy-jupyterhub.md): its authenticator, and here an admin token.
    (root / "etc/jupyterhub/jupyterhub_site.py").write_text(
        f"""
c = get_config()
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
c.JupyterHub.services.append({{"name": "test-driver", "api_token": {one_host.admin_token!r}}})
c.JupyterHub.load_roles.append({{"name": "test-driver", "services": ["test-driver"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:hub"]}})
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
"""
    )
    one_host.run("start")
    try:
        release = request(
            "POST",
            f"{one_host.url}/services/peerkit/api/facilitator/paths/{PATH['id']}/release",
            token=one_host.token(facilitator),
            body={},
            timeout=120,
        )
        assert release.status == 200, f"{release.status} {release.error}\n{one_host.log()}"
        for learner in learners:
            response = one_host.api("POST", f"users/{learner}/server")
            assert response.status in (201, 202), f"{response.status} {response.error}"
        deadline = time.monotonic() + 120
        while not all(
            (one_host.api("GET", f"users/{u}").json().get("servers") or {}).get("", {}).get("ready") for u in learners
        ):
            assert time.monotonic() < deadline, f"the learners' servers did not start:\n{one_host.log()}"
            time.sleep(0.5)
        for learner in learners:
            home = Path(pwd.getpwnam(learner).pw_dir)
            notebooks = sorted((home / COURSE["id"] / PATH["id"]).glob("*.ipynb"))
            assert notebooks, f"{learner} did not get {PATH['id']}:\n{one_host.log()}"
            assert notebooks[0].stat().st_uid == pwd.getpwnam(learner).pw_uid  # fetched as the learner
            page = request(
                "GET",
                f"{one_host.url}/user/{learner}/voila/render/{notebooks[0].relative_to(home).as_posix()}",
                token=one_host.token(learner),
                timeout=180,
            )
            text = page.body.decode(errors="replace")
            assert page.status == 200, f"{learner}: {page.status}\n{text[-2000:]}"
            assert PATH["title"].split(":")[0] in text
        # The mark that `stop` looks for is on every part: the hub, the proxy, both services (the
        # course service has become jupyterhub-singleuser, through peerkit's launcher) and each learner's server,
        # as that learner.
        server = " ".join(singleuser_command()[1:])
        running = marked(one_host.state)
        commands = list(running.values())
        assert any("jupyterhub -f" in c for c in commands), commands
        assert any("configurable-http-proxy" in c for c in commands), commands
        assert any("-m peerkit service" in c for c in commands), commands
        course_root = str(root / "srv/nbgrader" / COURSE["id"])
        assert any(server in c and os.readlink(f"/proc/{pid}/cwd") == course_root for pid, c in running.items()), (
            commands
        )
        learner_uids = {pwd.getpwnam(u).pw_uid for u in learners}
        assert learner_uids <= {Path(f"/proc/{pid}").stat().st_uid for pid in running}
        # The hub stops each server and service with SIGINT first (SIGTERM after a wait): none may ignore it,
        # though the script starts the hub in the background, which leaves SIGINT ignored.
        servers = [pid for pid, command in running.items() if server in command]
        assert len(servers) == 3, commands  # the course service and both learners'
        assert [pid for pid in servers if ignores_sigint(pid)] == [], commands
        refused = one_host.run("upgrade", code=1)
        assert "stop first" in refused.stderr
    finally:
        stopped = one_host.run("stop")
    assert "stopped" in stopped.stdout
    assert stopped.stderr == ""  # reading other processes' environments says nothing, even where refused
    assert marked(one_host.state) == {}, f"left running after stop: {marked(one_host.state)}"
    assert processes_of({pwd.getpwnam(u).pw_uid for u in one_host.users}) == []
    assert [pid for pid in running if Path(f"/proc/{pid}").exists()] == []
    with pytest.raises(OSError):  # nothing listens on the hub's port any more
        request("GET", f"{one_host.url}/hub/api/", timeout=5)
    # Stopped, `upgrade` checks the service's store (the service migrated it when it started) and
    # upgrades it; peerkit itself is PEERKIT_PYTHON's, which it leaves alone.
    upgraded = one_host.run("upgrade")
    assert "store's revision" in upgraded.stdout and "is up to date" in upgraded.stdout, upgraded.stdout
    assert "now:" in upgraded.stdout.splitlines()[-1]
