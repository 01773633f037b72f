"""The hub's servers start ``jupyterhub-singleuser`` through peerkit's launcher: without jsonschema's IRI grammar,
and never importing a module from the folder they start in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jupyterhub import __version__ as hub_version

from peerkit.cli.singleuser import singleuser_command


def test_the_launcher_runs_jupyterhub_singleuser_without_the_iri_grammar() -> None:
    code = (
        "import sys\n"
        "from peerkit.cli import singleuser_launch\n"
        "try:\n"
        "    singleuser_launch.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "grammar = sys.modules.get('rfc3987_syntax', 'absent')\n"
        "print('jupyter_server' in sys.modules, 'jsonschema' in sys.modules, grammar)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    # JupyterHub's server ran its command line (its version first) and imported jsonschema; the grammar never built.
    assert done.stdout.split()[0] == hub_version, done.stdout + done.stderr
    assert done.stdout.split()[-3:] == ["True", "True", "None"], done.stdout + done.stderr


def test_a_module_in_the_learners_folder_cannot_stand_in_for_the_servers_own(tmp_path: Path) -> None:
    # `python -m` puts the working folder first on the import path: a learner's server starts in the learner's
    # folder, where anyone who can write there could leave a jupyterhub.py.
    (tmp_path / "jupyterhub.py").write_text("raise SystemExit('imported from the working folder')\n")
    command = singleuser_command()
    assert command[0] == sys.executable
    done = subprocess.run([*command, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == hub_version


def test_without_jupyterhub_it_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['jupyterhub'] = None\n"  # as in a Python where peerkit was installed without its hub extra
        "from peerkit.cli import singleuser_launch\n"
        "singleuser_launch.main([])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "pip install 'peerkit[hub]'" in done.stderr and "Traceback" not in done.stderr, done.stderr
