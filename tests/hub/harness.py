"""A real JupyterHub on localhost for the multi-user tests.

The hub loads the documented configuration (``docs/hub/jupyterhub_config.py``) and adds only what a
test machine needs: a shared-password authenticator, local processes for the servers, free ports,
configurable-http-proxy from ``.peerkit/tools`` (installed by the test command), and an API-only
service ``test-driver`` whose token acts as the hub's administrator.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
CHP = REPO / ".peerkit" / "tools" / "node_modules" / ".bin" / "configurable-http-proxy"
DOCS = REPO / "docs" / "hub"
PASSWORD = "peerkit-test-password"
RESULT = re.compile(r"PEERKIT-RESULT (\{.*?\}) END")


def chp_command() -> str | None:
    if CHP.exists():
        return str(CHP)
    return shutil.which("configurable-http-proxy")


class HubError(AssertionError):
    pass


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]  # names in lower case (the proxy sends them so)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> str:
        try:
            return str(self.json().get("error", ""))
        except ValueError:
            return self.body.decode(errors="replace")[:300]


def request(method: str, url: str, *, token: str | None = None, body: Any = None, timeout: float = 60) -> Response:
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http to localhost
    if token:
        req.add_header("Authorization", f"token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return Response(resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()})
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()})


@dataclass
class Hub:
    root: Path
    course_id: str
    course_file: Path
    course_root: Path
    exchange: Path
    db_url: str
    users: list[str]
    facilitators: list[str]
    learners: list[str]
    port: int = field(default_factory=free_port)
    hub_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    service_port: int = field(default_factory=free_port)
    course_port: int = field(default_factory=free_port)
    admin_token: str = field(default_factory=lambda: os.urandom(16).hex())
    #: More configuration, appended after everything else (e.g. an external service to register).
    extra_config: str = ""
    #: Seconds the peerkit service trusts the hub's answer for reads (PEERKIT_AUTH_CACHE): shorter than
    #: the default 30 so that a test of the cache's end does not sit idle for half a minute.
    auth_cache: int = 6
    process: subprocess.Popen[bytes] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.url}/services/peerkit/"

    @property
    def homes(self) -> Path:
        return self.root / "homes"

    @property
    def log_file(self) -> Path:
        return self.root / "hub.log"

    def home(self, user: str) -> Path:
        return self.homes / user

    # -- lifecycle ---------------------------------------------------------------------------------

    def write_config(self) -> Path:
        state = self.root / "state"
        state.mkdir(parents=True, exist_ok=True)
        self.homes.mkdir(exist_ok=True)
        learner_config = self.root / "learner-config"
        learner_config.mkdir(exist_ok=True)
        shutil.copy(DOCS / "nbgrader_config.py", learner_config / "nbgrader_config.py")
        self.course_root.mkdir(parents=True, exist_ok=True)
        config = self.root / "jupyterhub_config.py"
        chp = chp_command()
        config.write_text(
            f"""
import os
load_subconfig({str(DOCS / "jupyterhub_config.py")!r})
c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{self.hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.auth_token = {os.urandom(16).hex()!r}
c.JupyterHub.db_url = "sqlite:///{state / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = "{state / "cookie_secret"}"
c.JupyterHub.pid_file = "{state / "hub.pid"}"
c.ConfigurableHTTPProxy.pid_file = "{state / "proxy.pid"}"
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {PASSWORD!r}
c.Authenticator.allowed_users = set({self.users!r})
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{self.homes}/{{username}}"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.JupyterHub.services.append({{"name": "test-driver", "api_token": {self.admin_token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "test-driver",
    "services": ["test-driver"],
    "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens", "access:servers",
               "access:services", "list:services", "read:services", "read:hub"],
}})
c.JupyterHub.log_level = "INFO"
"""
            + self.extra_config
        )
        return config

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
        env.update(
            PEERKIT_COURSE_ID=self.course_id,
            PEERKIT_COURSE_FILE=str(self.course_file),
            PEERKIT_COURSE_ROOT=str(self.course_root),
            PEERKIT_EXCHANGE=str(self.exchange),
            PEERKIT_DB=self.db_url,
            PEERKIT_PUBLIC_URL=self.url,
            PEERKIT_SERVICE_PORT=str(self.service_port),
            PEERKIT_COURSE_PORT=str(self.course_port),
            PEERKIT_LEARNER_CONFIG=str(self.root / "learner-config"),
            PEERKIT_FACILITATORS=",".join(self.facilitators),
            PEERKIT_LEARNERS=",".join(self.learners),
            PEERKIT_AUTH_CACHE=str(self.auth_cache),
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        return env

    def start(self, timeout: float = 90) -> Hub:
        config = self.write_config()
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(config)],
            cwd=self.root,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubError(f"the hub exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if request("GET", f"{self.url}/hub/api/", timeout=5).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise HubError(f"the hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        with contextlib.suppress(ProcessLookupError):  # anything left in the hub's session (servers, proxy)
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    # -- the hub's API ------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Response:
        return request(method, f"{self.url}/hub/api/{path.lstrip('/')}", token=token or self.admin_token, body=body)

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        """An API token of *user* (cached per user unless *scopes* are given)."""
        if scopes is None and user in self.tokens:
            return self.tokens[user]
        body: dict[str, Any] = {"note": "peerkit test"}
        if scopes is not None:
            body["scopes"] = scopes
        response = self.api("POST", f"users/{user}/tokens", body)
        if response.status != 201:
            raise HubError(f"token for {user}: {response.status} {response.error}")
        token = str(response.json()["token"])
        if scopes is None:
            self.tokens[user] = token
        return token

    def spawn(self, users: Iterable[str], timeout: float = 120) -> None:
        """Start the servers of *users* in parallel and wait until they are ready."""
        users = list(users)

        def one(user: str) -> None:
            self.home(user).mkdir(parents=True, exist_ok=True)
            response = self.api("POST", f"users/{user}/server")
            if response.status not in (201, 202, 400):  # 400: already running
                raise HubError(f"spawn {user}: {response.status} {response.error}")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                model = self.api("GET", f"users/{user}").json()
                server = (model.get("servers") or {}).get("")
                if server and server.get("ready"):
                    return
                time.sleep(0.5)
            raise HubError(f"the server of {user} was not ready within {timeout:.0f} s:\n{self.log_tail()}")

        with ThreadPoolExecutor(max(1, len(users))) as pool:
            list(pool.map(one, users))

    def service(
        self, method: str, path: str, user: str | None = None, *, token: str | None = None, body: Any = None
    ) -> Response:
        """Call the peerkit service through the proxy as *user* (or with *token*)."""
        auth = token if token is not None else (self.token(user) if user else None)
        return request(method, self.service_url + path.lstrip("/"), token=auth, body=body)

    # -- running code in a learner's server, the way a learner does: a Voilà page -------------------

    def render(self, user: str, notebook: Path, timeout: float = 180) -> str:
        """Render *notebook* (under the user's home) with the Voilà of the user's server; return the HTML."""
        relative = notebook.relative_to(self.home(user)).as_posix()
        response = request(
            "GET", f"{self.url}/user/{user}/voila/render/{relative}", token=self.token(user), timeout=timeout
        )
        page = response.body.decode(errors="replace")
        if response.status != 200:
            raise HubError(f"Voilà render of {relative} for {user}: {response.status}\n{page[-2000:]}")
        return page

    def run_code(self, user: str, code: str, *, name: str = "driver") -> dict[str, Any]:
        """Run *code* in a Voilà kernel of *user*'s server; it must ``emit(dict)`` its result."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                "import json, traceback\n"
                "def emit(result):\n"
                "    print('PEERKIT-RESULT ' + json.dumps(result) + ' END')\n"
            ),
            nbformat.v4.new_code_cell(
                "try:\n" + "".join(f"    {line}\n" for line in code.strip().splitlines()) + "except Exception as exc:\n"
                "    emit({'error': type(exc).__name__ + ': ' + str(exc), 'trace': traceback.format_exc()})\n"
            ),
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        target = self.home(user) / f"{name}.ipynb"
        nbformat.write(nb, str(target))
        page = self.render(user, target)
        found = RESULT.findall(html.unescape(page))
        if not found:
            raise HubError(f"no result from {name} for {user}:\n{html.unescape(page)[-3000:]}")
        result: dict[str, Any] = json.loads(found[-1])
        if "error" in result:
            raise HubError(f"{name} failed for {user}: {result['error']}\n{result.get('trace', '')}")
        return result
