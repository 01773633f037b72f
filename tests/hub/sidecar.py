"""nbgrader's course service as the Zero to JupyterHub values run it: a sidecar the hub does not
start, registered as an external service, with the hub's environment for it written out in the
values. The hub tests run that very container spec (command, working folder, environment, roles)
against the local hub, with only the cluster's addresses, paths and secrets swapped for local ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.hub.harness import HubError, request
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
VALUES = REPO / "docs" / "hub" / "z2jh-values.yaml"
CONTAINER = "course-service"


def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(VALUES.read_text())
    return loaded


def container(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = spec or values()
    found = [c for c in spec["hub"]["extraContainers"] if c["name"] == CONTAINER]
    assert len(found) == 1, f"the values have no single {CONTAINER!r} sidecar"
    result: dict[str, Any] = found[0]
    return result


def service_name(spec: dict[str, Any] | None = None) -> str:
    env = {e["name"]: e.get("value") for e in container(spec)["env"]}
    return str(env["JUPYTERHUB_SERVICE_NAME"])


@dataclass
class Sidecar:
    """The course-service sidecar of the values, for a local hub with its facilitators' group."""

    facilitator_group: str
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: os.urandom(16).hex())
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return service_name()

    def registration(self) -> str:
        """Hub configuration registering the sidecar as the values do (``hub.services`` and the
        roles that mention it), the service's URL being local."""
        spec = values()
        service = dict(spec["hub"]["services"][self.name])
        service.pop("url")
        registered = {"name": self.name, "url": f"http://127.0.0.1:{self.port}", "api_token": self.token, **service}
        lines = [f"c.JupyterHub.services.append({registered!r})"]
        for role_name, role in spec["hub"]["loadRoles"].items():
            if self.name in role.get("services", []):
                lines.append(f"c.JupyterHub.load_roles.append({ {'name': role_name, **role}!r})")
            access = [s for s in role.get("scopes", []) if s == f"access:services!service={self.name}"]
            if access and role.get("groups"):
                # The values grant it to their course's facilitators; here, to the test course's.
                grant = {"name": f"{role_name}-local", "groups": [self.facilitator_group], "scopes": access}
                lines.append(f"c.JupyterHub.load_roles.append({grant!r})")
        return "\n".join(lines) + "\n"

    def environment(
        self, *, hub_api: str, course_file: Path, course_root: Path, exchange: Path, db_url: str
    ) -> dict[str, str]:
        """The container's environment, with the cluster's addresses, paths and secrets made local."""
        local = {
            "http://0.0.0.0:10102": f"http://127.0.0.1:{self.port}",
            "http://127.0.0.1:8081/hub/api": hub_api,
            "/opt/peerkit/course/course.yml": str(course_file),
            "/srv/peerkit/nbgrader-root": str(course_root),
            "/srv/nbgrader/exchange": str(exchange),
        }
        secrets = {("hub", f"hub.services.{self.name}.apiToken"): self.token, ("peerkit-db", "url"): db_url}
        env: dict[str, str] = {}
        for item in container()["env"]:
            if "valueFrom" in item:
                ref = item["valueFrom"]["secretKeyRef"]
                env[item["name"]] = secrets[(ref["name"], ref["key"])]
                continue
            value = str(item["value"])
            for cluster, here in local.items():
                value = value.replace(cluster, here)
            env[item["name"]] = value
        return env

    def start(self, *, env: dict[str, str], cwd: Path, home: Path, log: Path) -> None:
        spec = container()
        home.mkdir(parents=True, exist_ok=True)
        full = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "PEERKIT_"))}
        full.update(env, HOME=str(home), PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
        command = [str(Path(sys.executable).with_name(spec["command"][0])), *spec["command"][1:]]
        if os.geteuid() == 0:
            command.append("--allow-root")  # the container runs as uid 1000; a local test may be root
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=cwd, env=full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait(self, url: str, token: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise HubError(f"the course-service sidecar exited ({self.process.returncode})")
            if request("GET", f"{url}/services/{self.name}/api/status", token=token, timeout=10).status == 200:
                return
            time.sleep(0.5)
        raise HubError(f"the course-service sidecar did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
