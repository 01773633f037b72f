"""Every module peerkit imports is declared, and a learner's install needs none of the extras.

deptry reads the imports of the whole package and the requirements of pyproject.toml: an import of a
package that only arrives through another one (traitlets through nbgrader, say) fails here. The second
test imports every peerkit module with the extras' packages made unimportable: the dashboard, the hub
and the PostgreSQL driver are loaded where they are used, never when a learner's page imports peerkit.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_deptry_finds_every_import_declared() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "deptry", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stdout + out.stderr


BLOCKED_IMPORTS = r"""
import importlib, pathlib, sys
from importlib.abc import MetaPathFinder

blocked = set(sys.argv[1].split(","))

class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent())
import peerkit
root = pathlib.Path(peerkit.__file__).parent
failed = []
for file in sorted(root.rglob("*.py")):
    parts = file.relative_to(root.parent).with_suffix("").parts
    if "migrations" in parts or parts[-1] == "__main__":  # alembic runs those itself
        continue
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        failed.append(f"{name}: {exc}")
leaked = sorted(m for m in sys.modules if m.split(".")[0] in blocked)
print("\n".join(failed))
sys.exit(1 if failed or leaked else 0)
"""


def test_every_module_imports_without_the_extras() -> None:
    from peerkit.config.extras import EXTRAS

    blocked = sorted({module for modules in EXTRAS.values() for module in modules})
    assert "matplotlib" in blocked and "sklearn" in blocked
    out = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORTS, ",".join(blocked)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_blocked_import_check_can_fail() -> None:
    """The check above catches a module that needs a blocked package when it is imported."""
    out = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORTS, "yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 1
    assert "peerkit.config.course" in out.stdout
