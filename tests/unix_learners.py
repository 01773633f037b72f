"""Learners as real Unix users, for the tests where file permissions are the point.

:func:`unix_learners` copies a built course into a fresh folder others can read, creates one Unix
user per learner with a private home holding their nbgrader config, and removes the users again;
:func:`run_as` runs a Python script as one of them and returns the JSON object it printed last.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from peerkit.nbgrader.config import render_config_file
from peerkit.nbgrader.learner import learner_config_values
from tests.conftest import CourseLayout, _copy_built, require


def run_as(user: str, home: Path, script: str, *args: str) -> dict[str, object]:
    """Run *script* with this interpreter as *user* (HOME and Jupyter folders in *home*)."""
    env = {
        "HOME": str(home),
        "PK_LEARNER": user,
        "PATH": os.environ["PATH"],
        "PEERKIT_NO_BOOTSTRAP": "1",
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
    }
    out = subprocess.run(
        ["runuser", "-u", user, "--", sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def unix_learners(
    template: Path, course_file: Path, users: Sequence[str], *, prefix: str
) -> Iterator[tuple[CourseLayout, dict[str, Path], Path]]:
    """The built course copied for *users* (created as Unix users): (course, their homes, a shared
    folder every user can read, for files the test hands to their processes)."""
    require(os.geteuid() == 0, "creating Unix users for the learners needs root")
    require(shutil.which("useradd") is not None and shutil.which("runuser") is not None, "useradd and runuser")
    probe = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import peerkit.nbgrader"], check=False
    )
    require(probe.returncode == 0, f"other users cannot run {sys.executable} (it must be readable by all users)")
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    created: list[str] = []
    try:
        course = _copy_built(template, root / "course", course_file)
        for path in [root / "course", *(root / "course").rglob("*")]:
            if path.is_dir() and "exchange" not in path.parts:
                path.chmod(0o755)
        homes = {}
        for user in users:
            home = root / "homes" / user
            subprocess.run(["userdel", user], capture_output=True, check=False)
            subprocess.run(
                ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin", user],
                check=True,
            )
            created.append(user)
            (home / ".jupyter").mkdir(parents=True)
            (home / "course").mkdir()
            values = learner_config_values(
                course_id=course.course.id, exchange_root=course.workspace.exchange, learner=user
            )
            (home / ".jupyter" / "nbgrader_config.py").write_text(render_config_file(values))
            subprocess.run(["chown", "-R", f"{user}:{user}", str(home)], check=True)
            home.chmod(0o700)  # the learner's nbgrader cache (and its secrets) lives here
            homes[user] = home
        shared = root / "shared"
        shared.mkdir(mode=0o755)
        yield course, homes, shared
    finally:
        for user in created:
            subprocess.run(["userdel", user], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)
