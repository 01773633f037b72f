"""Voilà's servers start through peerkit's launcher: Voilà's command line, without jsonschema's IRI grammar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from peerkit.voila.serve import voila_command


def test_serve_starts_voila_through_the_launcher_which_skips_the_iri_grammar(tmp_path: Path) -> None:
    assert voila_command(tmp_path, tmp_path)[1:4] == ["-P", "-m", "peerkit.voila.launch"]
    code = (
        "import sys\n"
        "from peerkit.voila import launch\n"
        "try:\n"
        "    launch.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('voila.app' in sys.modules, 'jsonschema' in sys.modules, sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    # Voilà ran (and imported jsonschema through Jupyter Server), the grammar was never built.
    assert done.stdout.split()[-3:] == ["True", "True", "None"], done.stdout + done.stderr
