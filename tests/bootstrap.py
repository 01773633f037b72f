"""Set up and enter the project's virtual environment; run the test suite.

Standard library only: this runs on a fresh machine before anything is installed. It is
repository-only, like the suite it runs (``python -m peerkit`` loads it from a checkout; the wheel
does not hold it). A checkout is recognised by ``pyproject.toml`` beside this file's ``tests/``.
The venv lives in ``<checkout>/.venv`` and is reinstalled when ``pyproject.toml`` (or the
requested extras) change, tracked by a stamp file inside the venv.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from collections.abc import Sequence
from pathlib import Path

REQUIRED_PYTHON = (3, 11)
STAMP = "peerkit-install.json"


def source_checkout() -> Path | None:
    """The checkout this file belongs to (it lives in ``<checkout>/tests``), or None."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "tests").is_dir():
        return root
    return None


def venv_dir(checkout: Path) -> Path:
    return checkout / ".venv"


def venv_python(checkout: Path) -> Path:
    return venv_dir(checkout) / "bin" / "python"


def inside_project_venv(checkout: Path) -> bool:
    return Path(sys.prefix).resolve() == venv_dir(checkout).resolve()


def _fingerprint(checkout: Path, extras: Sequence[str]) -> dict[str, object]:
    digest = hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    return {"pyproject": digest, "extras": sorted(extras), "python": sys.version.split()[0]}


def ensure_venv(checkout: Path, *, extras: Sequence[str] = ()) -> Path:
    """Create or update ``.venv`` so that it holds the project with *extras*; return its python."""
    if sys.version_info[:2] != REQUIRED_PYTHON:
        raise SystemExit(
            f"peerkit needs Python {REQUIRED_PYTHON[0]}.{REQUIRED_PYTHON[1]} (found "
            f"{sys.version.split()[0]}): its backbone (nbgrader 0.9.6, voila 0.5.13, "
            "jupyterlab 4.6) installs together on 3.11. Run this command with python3.11."
        )
    target = venv_dir(checkout)
    python = venv_python(checkout)
    stamp = target / STAMP
    installed: dict[str, object] = {}
    if stamp.is_file():
        try:
            installed = json.loads(stamp.read_text())
        except (OSError, ValueError):
            installed = {}
    # Extras only accumulate: `serve` after `test` keeps the test tools.
    wanted = sorted(set(extras) | set(_as_str_list(installed.get("extras"))))
    fingerprint = _fingerprint(checkout, wanted)
    if python.exists() and installed == fingerprint:
        return python
    if not python.exists():
        print(f"peerkit: creating the project environment in {target} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(target)
    spec = "." + (f"[{','.join(wanted)}]" if wanted else "")
    print(f"peerkit: installing {spec} into {target} (the first time takes a minute) ...", flush=True)
    pip = [str(python), "-m", "pip"]
    _check_call([*pip, "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip"], checkout)
    _check_call([*pip, "install", "--quiet", "--disable-pip-version-check", "-e", spec], checkout)
    stamp.write_text(json.dumps(fingerprint))
    return python


def venv_ready(checkout: Path) -> bool:
    """Whether ``.venv`` exists and was installed from the current ``pyproject.toml`` (whatever extras)."""
    python = venv_python(checkout)
    try:
        installed = json.loads((venv_dir(checkout) / STAMP).read_text())
    except (OSError, ValueError):
        return False
    digest = hashlib.sha256((checkout / "pyproject.toml").read_bytes()).hexdigest()
    return python.exists() and isinstance(installed, dict) and installed.get("pyproject") == digest


# -- answers that need no environment ---------------------------------------------------------------
# ``--help`` and ``--version`` must not install anything (a newcomer asks for help first). With no
# ready .venv, they are answered from here, with the standard library; tests/test_main.py checks that
# the commands and serve's options named here are the click CLI's.

HELP_FLAGS = ("-h", "--help")

COMMANDS = {
    "build": "Generate and release the course's paths with nbgrader.",
    "collect": "Collect a path's submissions with nbgrader and ingest every learner's answers.",
    "config": "The course's settings: where each one comes from.",
    "db": "The peerkit store's schema: where it stands against this peerkit, and its upgrade.",
    "dashboard": "The dashboard's figures as tables: progress, participation equity, review health.",
    "export": "Grades for an LMS gradebook (CSV), reviews (CSV), a whole course archive.",
    "gallery": "The example gallery: approve or hide learners' examples.",
    "grades": "List a path's grades with how sure each one is.",
    "init": "Create a course folder from the template.",
    "notes": "Summary notes per path: draft from the reflections, edit, release.",
    "override": "Set a learner's grade by hand, or take the override back.",
    "review": "Peer-review rounds: open (and keep open), see who stands where, close.",
    "serve": "Build the demo course and serve it on localhost with Voilà.",
    "service": "Serve review packets, drafts and feedback to the hub's learners.",
    "submissions": "List who has submitted what, from the store.",
    "sync": "Fetch every released path into your course folder.",
    "test": "Provision what the test suite needs and run it (a source checkout only).",
}

SERVE_OPTIONS = (
    ("--course PATH", "The course definition (course.yml, or the folder holding it)."),
    ("--workdir DIRECTORY", "Folder for the built course, exchange and learner files [.peerkit/demo]."),
    ("--port INTEGER", "Port to serve on [8866]."),
    ("--ip TEXT", "Interface to bind (keep localhost unless behind an auth proxy)."),
    ("--learner TEXT", "Learner to serve (default: the course's demo learner)."),
    ("--no-preheat", "Start a fresh kernel per page view instead of preheated ones."),
    ("--prepare-only", "Build and set everything up, print the command, do not serve."),
    ("--no-cohort", "Serve without the demo's synthetic peers (course/demo/cohort.yml)."),
    ("--dashboard-port INTEGER", "Port of the facilitator dashboard, on localhost [PORT + 1]."),
    ("--no-dashboard", "Do not serve the facilitator dashboard."),
    ("--db TEXT", "The peerkit store: sqlite:///file or postgresql://user@host/db."),
    ("-h, --help", "Show this message and exit."),
)

NOT_INSTALLED = (
    "(The project environment .venv is not set up yet: the first command other than --help or --version\n"
    "creates it, which takes a minute. Every command's full help is available after that.)"
)


def _setup_note(checkout: Path) -> str:
    """The note that .venv is not set up yet, after a blank line, only while that is true ("" once it is)."""
    return "" if venv_ready(checkout) else "\n\n" + NOT_INSTALLED


def _version(checkout: Path) -> str:
    import tomllib

    with (checkout / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def _table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {text}" for name, text in rows)


def offline_answer(checkout: Path, args: Sequence[str]) -> str | None:
    """What ``python3 -m peerkit *args*`` prints when it only asks for help or the version, or None
    when it asks for real work (which needs the environment)."""
    if list(args[:1]) in (["--version"], ["-V"]):
        return f"peerkit, version {_version(checkout)}"
    if args and not any(flag in args for flag in HELP_FLAGS):
        return None
    command = args[0] if args and args[0] not in HELP_FLAGS else None
    if command == "serve":
        summary = (
            "Usage: python3 -m peerkit serve [OPTIONS]\n\n  "
            + COMMANDS["serve"]
            + "\n\n  Builds and releases every path into a local exchange, fetches them for the demo learner, "
            "serves the\n  learner's course home and the facilitator dashboard, with the demo cohort reviewing the "
            "learner's\n  work. Safe to run again.\n\nOptions:\n"
        )
        return summary + _table(SERVE_OPTIONS) + _setup_note(checkout)
    if command == "test":
        return (
            "Usage: python3 -m peerkit test [PYTEST ARGS]...\n\n  "
            + COMMANDS["test"]
            + "\n  Arguments are passed to pytest."
            + _setup_note(checkout)
        )
    head = f"Usage: python3 -m peerkit {command} [OPTIONS] ...\n\n  {COMMANDS[command]}" if command in COMMANDS else ""
    usage = (
        "Usage: python3 -m peerkit [OPTIONS] COMMAND [ARGS]...\n\n"
        "  Peer Learning Paths: build, serve and run a peer-learning course in Jupyter.\n\n"
        "Options:\n"
        + _table(
            [
                ("-v, --verbose", "More log output."),
                ("--version", "Show the version and exit."),
                ("-h, --help", "Show this message and exit."),
            ]
        )
        + "\n\nCommands:\n"
        + _table(sorted(COMMANDS.items()))
    )
    return (head + "\n\n" if head else "") + usage + _setup_note(checkout)


def _as_str_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _check_call(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, check=False)
    if result.returncode != 0:
        raise SystemExit(f"peerkit: `{' '.join(cmd)}` failed with exit code {result.returncode}")


def _venv_env(python: Path) -> dict[str, str]:
    """The environment of a process running inside the venv: its bin/ first on PATH.

    nbgrader runs ``alembic`` from PATH when it creates a gradebook, so the venv's scripts must be
    found even when the caller never "activated" it.
    """
    env = dict(os.environ)
    bindir = str(python.parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(python.parent.parent)
    env.pop("PYTHONHOME", None)
    return env


def reexec(python: Path, args: Sequence[str]) -> int:
    """Replace this process with *python* running *args* inside the venv."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(python, [str(python), *args], _venv_env(python))  # noqa: S606 - replace this process
    return 0  # pragma: no cover - execve does not return


def run_tests(checkout: Path, pytest_args: Sequence[str]) -> int:
    """Provision the test suite's system parts, then run pytest over the whole suite.

    pytest's exit code 5 ("no tests were collected") is turned into a failure with a message: a
    suite that ran nothing must never pass CI by accident.
    """
    python = Path(sys.executable)
    env = _venv_env(python)
    provision = subprocess.run(
        [str(python), str(checkout / "tests" / "provision.py")], cwd=checkout, env=env, check=False
    )
    if provision.returncode != 0:
        print("peerkit test: provisioning failed (see above); not running the suite.", file=sys.stderr)
        return provision.returncode
    result = subprocess.run([str(python), "-m", "pytest", *pytest_args], cwd=checkout, env=env, check=False)
    if result.returncode == 5:
        print("peerkit test: pytest collected no tests; treating that as a failure.", file=sys.stderr)
        return 1
    return result.returncode
