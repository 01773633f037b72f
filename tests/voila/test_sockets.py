"""Kernels talk to their server over Unix sockets in a folder short enough for them, never over TCP ports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from peerkit.voila import sockets
from peerkit.voila.serve import (
    ServeOptions,
    server_extension_config,
    voila_command,
    voila_config,
    voila_env,
    with_token,
)
from peerkit.voila.serve import write_voila_config as write_config
from tests.ports import free_port


def long_folder(root: Path) -> Path:
    """A folder under *root* too deep for a kernel's socket."""
    folder = root / ("deep-" * 12) / ("deeper-" * 6)
    folder.mkdir(parents=True)
    assert not sockets.fits(folder)
    return folder


def test_both_servers_configure_unix_socket_transport() -> None:
    assert voila_config([], ServeOptions())["KernelManager"] == {"transport": "ipc"}
    assert server_extension_config()["KernelManager"] == {"transport": "ipc"}


def test_the_socket_name_is_the_one_jupyter_client_writes(tmp_path: Path) -> None:
    from jupyter_client.connect import write_connection_file

    stem = tmp_path / "kernel-0123abcd-0123-abcd-0123-0123456789ab"
    _, info = write_connection_file(str(stem) + ".json", ip=str(stem) + "-ipc", transport="ipc")
    longest = max(len(f"{info['ip']}-{info[f'{name}_port']}") for name in ("shell", "iopub", "stdin", "control", "hb"))
    assert longest <= len(str(tmp_path)) + sockets.SOCKET_NAME


def test_a_short_temporary_folder_needs_no_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert sockets.voila_arguments() == []


def test_a_long_temporary_folder_moves_voila_connection_files_to_tmp(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(long_folder(tmp_path)))
    assert sockets.voila_arguments() == ["--Voila.connection_dir_root=/tmp"]


def test_no_usable_temporary_folder_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(long_folder(tmp_path)))
    monkeypatch.setattr(sockets, "path_limit", lambda: sockets.SOCKET_NAME + 3)  # not even /tmp fits
    with pytest.raises(SystemExit) as caught:
        sockets.voila_arguments()
    message = str(caught.value)
    assert "TMPDIR" in message and "export TMPDIR=/tmp" in message and str(tempfile.gettempdir()) in message


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_deep_runtime_folder_moves_to_a_private_one_that_goes_at_exit(tmp_path: Path) -> None:
    home = long_folder(tmp_path)
    env = {**os.environ, "HOME": str(home), "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter")}
    env.pop("JUPYTER_RUNTIME_DIR", None)
    code = (
        "import os, stat\n"
        "from peerkit.voila.sockets import use_short_runtime_dir\n"
        "folder = use_short_runtime_dir()\n"
        "print(folder, os.environ['JUPYTER_RUNTIME_DIR'], oct(stat.S_IMODE(os.stat(folder).st_mode)))\n"
        "open(os.path.join(folder, 'kernel-x.json'), 'w').close()\n"
    )
    folder, runtime, mode = run_python(code, env).split()
    assert folder == runtime and Path(folder).name.startswith(sockets.PRIVATE_PREFIX) and sockets.fits(folder)
    assert mode == "0o700"  # no other user can read a kernel's keys in it
    assert not Path(folder).exists()  # removed with what was in it when the server exited


def test_a_short_runtime_folder_stays() -> None:
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": short}
        code = "from peerkit.voila.sockets import use_short_runtime_dir; print(use_short_runtime_dir())"
        assert run_python(code, env).split() == ["None"]


@pytest.mark.kernel
def test_a_served_page_runs_its_kernel_over_unix_sockets(tmp_path: Path) -> None:
    """A real Voilà, with a temporary folder too deep for sockets: the page's kernel runs, its connection file
    says ``ipc`` and its sockets sit in a short folder under /tmp."""
    notebook = tmp_path / "app.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('kernel ' + 'answered')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    port = free_port()
    config_dir = tmp_path / "config"
    write_config(config_dir, [], ServeOptions(port=port, ip="127.0.0.1", preheat=False))
    env = {**with_token(voila_env(tmp_path / "home"), "t0ken"), "TMPDIR": str(long_folder(tmp_path))}
    log = tmp_path / "voila.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            voila_command(notebook, config_dir), env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        page = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token=t0ken", timeout=60) as response:
                    page = response.read().decode()
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.3)
        assert "kernel answered" in page, log.read_text()
        stored = [line for line in log.read_text().splitlines() if "Storing connection files in" in line]
        folder = Path(stored[0].rsplit(" in ", 1)[1].rstrip("."))
        assert folder.parent == Path("/tmp") and folder.name.startswith("voila_")
        (connection,) = folder.glob("kernel-*.json")
        info = json.loads(connection.read_text())
        assert info["transport"] == "ipc" and sockets.fits(folder)
        assert Path(f"{info['ip']}-{info['shell_port']}").is_socket()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not folder.exists()
