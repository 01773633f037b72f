"""peerkit.core stays pure: importing it pulls in no Jupyter, widget or database library."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "ipywidgets",
    "traitlets",
    "nbformat",
    "nbgrader",
    "sqlalchemy",
    "jupyter_core",
    "voila",
    "yaml",
    "jsonschema",
)


def test_core_imports_only_the_standard_library() -> None:
    code = (
        "import sys, pkgutil, importlib, peerkit.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module('peerkit.core.' + m.name)\n"
        f"bad = sorted(name for name in sys.modules if name.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
