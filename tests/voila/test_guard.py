"""Who reaches peerkit's Voilà servers: a real server (preheated, as the learner's) answers only requests that
name this machine and carry its token or the cookie the token set; websockets from another origin are refused;
XSRF checks stay on and the page's unload beacon still shuts its kernel down."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from peerkit.voila.guard import host_allowed
from peerkit.voila.serve import (
    LOCAL_HOSTS,
    ServeOptions,
    allowed_hosts,
    page_url,
    voila_command,
    voila_config,
    voila_env,
    with_token,
    write_voila_config,
)
from tests.ports import free_port

TOKEN = "0123456789abcdef" * 3
EVIL = "evil.example"
FAKE_KERNEL = "0123abcd-0123-abcd-0123-0123456789ab"
PICTURE = b"\x89PNG\r\n\x1a\n a learner's own picture"


def test_a_host_is_allowed_when_it_names_this_machine() -> None:
    local = allowed_hosts("localhost")
    assert local == list(LOCAL_HOSTS)
    for host in ("localhost:8866", "LOCALHOST", "127.0.0.1:8866", "[::1]:8866", "[::1]", "127.0.0.2:1", "localhost"):
        assert host_allowed(host, local or []), host
    for host in (f"{EVIL}:8866", EVIL, "localhost.evil.example", "10.0.0.5:8866", "[fe80::1]:8866", ""):
        assert not host_allowed(host, local or []), host
    lan = allowed_hosts("192.168.1.5")  # `--ip 192.168.1.5`: its own address too, nothing else
    assert lan is not None and host_allowed("192.168.1.5:8866", lan) and not host_allowed(f"{EVIL}:8866", lan)
    assert allowed_hosts("0.0.0.0") is None and allowed_hosts("::") is None  # noqa: S104 - every interface


def test_every_server_checks_the_host_and_keeps_xsrf_checks_on() -> None:
    settings = voila_config([], ServeOptions())["Voila"]["tornado_settings"]
    assert settings["peerkit_allowed_hosts"] == list(LOCAL_HOSTS) and settings["allow_remote_access"] is False
    assert "disable_check_xsrf" not in settings
    wide = voila_config([], ServeOptions(ip="0.0.0.0"))["Voila"]["tornado_settings"]  # noqa: S104
    assert wide["peerkit_allowed_hosts"] is None and "disable_check_xsrf" not in wide


def test_the_printed_address_carries_the_token() -> None:
    assert page_url("localhost", 8867, "abc") == "http://localhost:8867/?token=abc"
    assert page_url("::1", 8866, None) == "http://[::1]:8866/"


def test_a_token_from_the_callers_shell_is_not_passed_on(tmp_path: Path) -> None:
    env = voila_env(tmp_path, {"PEERKIT_VOILA_TOKEN": "stale", "PATH": "/usr/bin"})
    assert "PEERKIT_VOILA_TOKEN" not in env and with_token(env, "new")["PEERKIT_VOILA_TOKEN"] == "new"


@dataclass
class Server:
    port: int
    log: Path
    pid: int = 0

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("guard")
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.Button(description='Export grades')")]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "app.ipynb")
    (root / "sketch.png").write_bytes(PICTURE)  # a learner's own file, in the folder the server serves
    port = free_port()
    write_voila_config(root / "config", ["app.ipynb"], ServeOptions(port=port, ip="localhost", pool_size=1))
    log = root / "voila.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            voila_command(root, root / "config"),
            env=with_token(voila_env(root / "home"), TOKEN),
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "is filled with 1 kernel" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        assert TOKEN not in log.read_text()  # Voilà prints "?token=..." for a token it was given
        yield Server(port=port, log=log, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def status(url: str, headers: dict[str, str] | None = None, opener: urllib.request.OpenerDirector | None = None) -> int:
    """The status of GET *url* (redirects followed)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - localhost
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def signed_in(server: Server) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar, str]:
    """A browser's state after opening the printed address: its cookies, and the page's kernel."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{server.origin}/voila/render/app.ipynb?token={TOKEN}", timeout=120) as response:
        page = response.read().decode()
    match = re.search(r'"kernelId": "([0-9a-f-]{36})"', page)
    assert match and "Export grades" in page
    return opener, jar, match.group(1)


@pytest.mark.kernel
def test_a_request_naming_another_host_is_refused(server: Server) -> None:
    """DNS rebinding: a page at evil.example whose name now points at 127.0.0.1 sends Host: evil.example."""
    for path in (
        "/",
        f"/voila/render/app.ipynb?token={TOKEN}",
        "/voila/static/voila.js",
        "/login",
        f"/api/kernels/{FAKE_KERNEL}",
    ):
        assert status(f"http://127.0.0.1:{server.port}{path}", {"Host": f"{EVIL}:{server.port}"}) == 403, path
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", f"[::1]:{server.port}"):
        assert status(f"http://127.0.0.1:{server.port}/voila/static/voila.js", {"Host": host}) == 200, host


@pytest.mark.kernel
def test_without_the_token_nothing_but_the_sign_in_page_answers(server: Server) -> None:
    request = urllib.request.Request(f"{server.origin}/voila/render/app.ipynb")  # noqa: S310 - localhost
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)  # noqa: S310 - localhost
    assert refused.value.code == 401 and refused.value.url.startswith(f"{server.origin}/login")
    text = refused.value.read().decode()
    assert "peerkit serve" in text and "?token=" in text and "Export grades" not in text
    assert status(f"{server.origin}/?token=wrong") == 401
    assert status(f"{server.origin}/api/kernels/{FAKE_KERNEL}") == 403


@pytest.mark.kernel
def test_the_token_signs_the_browser_in_with_a_cookie(server: Server) -> None:
    opener, jar, kernel = signed_in(server)
    assert {cookie.name for cookie in jar} >= {f"username-localhost-{server.port}", "_xsrf"}
    assert status(f"{server.origin}/voila/render/app.ipynb", opener=opener) == 200  # no token: the cookie
    assert status(f"{server.origin}/api/kernels/{kernel}", opener=opener) == 200


def connect(server: Server, path: str, headers: dict[str, str]) -> int | str:
    """Open a websocket to *path* with *headers*: "open", or the status it was refused with."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def attempt() -> int | str:
        try:
            socket = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{server.port}{path}", headers=headers))
        except HTTPClientError as error:
            return error.code
        socket.close()
        return "open"

    # A loop of its own in a thread of its own: an earlier test in the same process may have left an event
    # loop running in this one, where asyncio.run refuses to start (the whole suite failed here, alone it passed).
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, attempt()).result()


@pytest.mark.kernel
def test_a_websocket_opens_only_from_the_page_s_own_origin_with_its_cookie(server: Server) -> None:
    _, jar, kernel = signed_in(server)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    channels = f"/api/kernels/{kernel}/channels"
    local = {"Host": f"localhost:{server.port}", "Origin": server.origin}
    assert connect(server, channels, {**local, "Cookie": cookie}) == "open"
    assert connect(server, channels, {**local, "Cookie": cookie, "Origin": f"http://{EVIL}"}) == 403
    rebound = {"Host": f"{EVIL}:{server.port}", "Origin": f"http://{EVIL}:{server.port}", "Cookie": cookie}
    assert connect(server, channels, rebound) == 403  # the audit's route: Host and Origin both evil.example
    assert connect(server, channels, local) == 403  # no cookie, no token
    assert connect(server, f"/voila/query/{kernel}", {"Host": f"{EVIL}:{server.port}"}) == 403
    query = f"/voila/query/{kernel}"
    assert connect(server, query, {**local, "Cookie": cookie}) == "open"


@pytest.mark.kernel
def test_the_learner_s_files_and_a_page_s_request_need_the_token_too(server: Server) -> None:
    """Voilà serves ``/voila/files/`` (the learner's pictures) and ``/voila/query/<kernel>`` (the address a page
    was opened with, its ``?token=`` included, handed to a preheated kernel) outside Jupyter's login. A kernel's
    id is on its command line (``ps``: ``kernel-<id>.json``), so any user of the host could read both."""
    opener, _, kernel = signed_in(server)
    with opener.open(f"{server.origin}/voila/files/sketch.png", timeout=60) as response:
        assert response.read() == PICTURE  # the signed-in browser: the page's pictures still show
    assert status(f"{server.origin}/voila/files/sketch.png") == 403
    assert status(f"{server.origin}/voila/files/sketch.png?token=wrong") == 403
    assert status(f"{server.origin}/voila/files/sketch.png?token={TOKEN}") == 200
    local = {"Host": f"localhost:{server.port}", "Origin": server.origin}
    assert connect(server, f"/voila/query/{kernel}", local) == 403
    assert connect(server, f"/voila/query/{kernel}", {"Host": f"localhost:{server.port}"}) == 403
    assert status(f"{server.origin}/voila/static/voila.js") == 200  # Voilà's own code stays public


def _children(pid: int) -> list[int]:
    """The processes whose parent is *pid* (a Voilà server's kernels)."""
    found = []
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status_file.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status_file.parent.name))
    return found


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.decode(errors="replace").split("=", 1) for item in raw.split(b"\0") if b"=" in item)


@pytest.mark.kernel
def test_a_preheated_kernel_hears_of_its_visitor_with_the_servers_key(server: Server) -> None:
    """Asking ``/voila/query`` for the token shut out the preheated kernels themselves, which ask it for their
    visitor: pages stayed as rendered before anyone came (a submitted path "Not started"). The server gives its
    kernels a key in their environment, which only its own user can read (a kernel's ``/proc/<pid>/environ``)."""
    from peerkit.config.settings import VISIT_KEY_VARIABLE

    _, _, kernel = signed_in(server)
    key = next(k for k in (_environ(pid).get(VISIT_KEY_VARIABLE) for pid in _children(server.pid)) if k)
    local = {"Host": f"localhost:{server.port}"}
    assert connect(server, f"/voila/query/{kernel}?key={key}", local) == "open"
    assert connect(server, f"/voila/query/{kernel}?key=wrong", local) == 403


@pytest.mark.kernel
def test_xsrf_is_checked_and_the_unload_beacon_still_shuts_the_kernel_down(server: Server) -> None:
    """The beacon posts the ``_xsrf`` cookie's value; a preheated page sets that cookie now (voila#1458)."""
    opener, jar, kernel = signed_in(server)
    xsrf = next(cookie.value for cookie in jar if cookie.name == "_xsrf")
    shutdown = f"{server.origin}/voila/api/shutdown/{kernel}"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": server.origin}
    forged = urllib.request.Request(shutdown, data=b"", headers=form, method="POST")  # noqa: S310 - localhost
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(forged, timeout=60)
    assert refused.value.code == 403
    beacon = urllib.request.Request(shutdown, data=f"_xsrf={xsrf}".encode(), headers=form, method="POST")  # noqa: S310
    with opener.open(beacon, timeout=60) as response:
        assert response.status == 204
    assert status(f"{server.origin}/api/kernels/{kernel}", opener=opener) == 404  # shut down
