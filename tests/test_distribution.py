"""The package as a course team gets it: build the sdist and, from the sdist, the wheel (what ``pip install``
of the sdist would do), install the wheel into a fresh virtual environment outside the repository, then
``peerkit init`` → ``peerkit build`` → ``peerkit serve`` and load a path page over HTTP. Nothing from the
checkout is on the path: the course comes from the package.

The sdist is not installed a second time: the wheel was built from it, so an sdist missing a file gives a
wheel missing it, which the checks below catch.

The fresh environment installs peerkit without extras (a learner's install): its size is printed (``-s``
shows it; bench/learner_env.py measures it on its own).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.ports import free_port

pytestmark = pytest.mark.package

PATH_ID = "orientation"
PATH_TITLE = "Start here: how this course works"


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    out = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    assert out.returncode == 0, f"{args} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist, built from the checkout with PyPA's build (the wheel from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, REPO, cwd=out, env=clean_env())
    wheel, sdist = sorted(out.glob("peerkit-*.whl")), sorted(out.glob("peerkit-*.tar.gz"))
    assert len(wheel) == 1 and len(sdist) == 1, sorted(out.iterdir())
    return {"wheel": wheel[0], "sdist": sdist[0]}


def clean_env(venv: Path | None = None) -> dict[str, str]:
    """This process's environment without anything that points at the checkout or its .venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PEERKIT_", "PYTHON", "VIRTUAL_ENV", "PYTEST", "COV_")) and k != "PATH"
    }
    path = "/usr/local/bin:/usr/bin:/bin"
    env["PATH"] = f"{venv / 'bin'}:{path}" if venv else f"{Path(sys.executable).parent}:{path}"
    if venv:
        env["VIRTUAL_ENV"] = str(venv)
    # the suite gives every test a fresh HOME: keep pip's downloads between runs (gitignored)
    env.setdefault("PIP_CACHE_DIR", str(REPO / ".peerkit" / "pip-cache"))
    return env


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def test_the_wheel_holds_the_template_and_the_licence_and_no_repository_files(dist: dict[str, Path]) -> None:
    names = zipfile.ZipFile(dist["wheel"]).namelist()
    for needed in (
        "peerkit/course_template/course/course.yml",
        "peerkit/course_template/course/rubrics.yml",
        "peerkit/course_template/course/examples.yml",
        "peerkit/course_template/course/nbgrader_config.py",
        "peerkit/course_template/course/demo/cohort.yml",
        "peerkit/course_template/notebooks/00-orientation.ipynb",
        "peerkit/schemas/course.schema.json",
        "peerkit/schemas/examples.schema.json",
    ):
        assert needed in names, needed
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/")) or "bootstrap" in n]
    notebooks = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert {Path(n).name for n in names if n.startswith("peerkit/course_template/notebooks/")} == notebooks


@pytest.fixture(scope="module")
def installed(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment, outside the repository, with peerkit installed from the wheel."""
    root = tmp_path_factory.mktemp("env-wheel")
    assert not root.resolve().is_relative_to(REPO)
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=root, env=clean_env())
    started = time.monotonic()
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", dist["wheel"], cwd=root, env=clean_env(venv))
    size = folder_size(venv)
    print(f"\nwheel: installed in {time.monotonic() - started:.0f} s; environment {size / 1e6:.0f} MB")
    yield venv


def test_init_build_serve_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    env = clean_env(installed)
    peerkit = installed / "bin" / "peerkit"
    where = run(installed / "bin" / "python", "-c", "import peerkit; print(peerkit.__file__)", cwd=tmp_path, env=env)
    assert str(installed) in where  # the package, not the checkout

    made = run(peerkit, "init", "my-course", cwd=tmp_path, env=env)
    course = tmp_path / "my-course"
    assert f"created the course in {course}" in made
    assert (course / "course" / "course.yml").is_file() and (course / "notebooks" / "00-orientation.ipynb").is_file()

    built = run(peerkit, "build", cwd=course, env=env)
    assert f"{PATH_ID}: released" in built

    port, board = free_port(), free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [peerkit, "serve", "--no-cohort", "--no-preheat", "--port", str(port), "--dashboard-port", str(board)],
            cwd=course,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        page = fetch(f"http://localhost:{port}/voila/render/{PATH_ID}/{PATH_ID}.ipynb", server, log)
        assert f"<title>{PATH_TITLE}</title>" in page
        # no extras installed: the dashboard is left out, and the command says why
        assert "Not serving the facilitator dashboard" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def fetch(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> str:
    """The page at *url*, with the token of the address `peerkit serve` printed for the course home, once the
    server answers 200; fails with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"peerkit serve stopped with {server.returncode}:\n{log.read_text()}")
        printed = re.search(r"^Course home: \S+\?(token=\w+)$", log.read_text(), re.MULTILINE)
        if not printed:
            time.sleep(1)
            continue
        try:
            with urllib.request.urlopen(f"{url}?{printed.group(1)}", timeout=60) as response:  # noqa: S310 - localhost
                assert response.status == 200
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
            time.sleep(1)
    pytest.fail(f"{url} never answered 200 ({last}):\n{log.read_text()}")
