"""The import direction of the whole package, derived from one declared layer order.

``LAYERS`` lists peerkit's packages lowest first. A module may import its own package and any package of a
lower layer; packages that share a layer never import each other (front ends stay apart, the domain never
reaches up into a front end). The launchers (``cli``, ``demo``) sit above the other front ends and may
import one only through its launch points (``LAUNCH_POINTS``: start the service, install or sync the app
notebooks), never its insides. The front ends' facilitator sides never call the store themselves: they go
through the Facilitator API (``FACILITATOR_SHIMS``). ``peerkit/__init__.py`` and ``peerkit/__main__.py`` are
the public API and the entry point: they sit above every layer and may import anything; no other module
lives at the package root.

Every import counts: ``import x`` and ``from x import y``, relative ones, ones inside functions and under
``TYPE_CHECKING`` (a type-only import still couples the layers), and ``importlib.import_module("...")``
with a literal name. ARCHITECTURE.md states the same order in one line that is compared with ``LAYERS``.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import peerkit

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(peerkit.__file__).resolve().parent
ARCHITECTURE = REPO / "ARCHITECTURE.md"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("config",),
    ("storage",),
    ("nbgrader",),
    ("exchange",),
    ("review",),
    ("facilitator", "widgets", "voila"),
    ("apps", "dashboard", "service"),
    ("cli", "demo"),
)

#: The front ends the launchers (the top layer: ``cli``, ``demo``) may import, and only through these
#: modules: what starts or installs them. The CLI starts the service (``peerkit service``) and installs and
#: syncs the app notebooks (``peerkit build``, the single-user server); the demo installs them and serves
#: them. Anything else of a front end (the dashboard's views, the service's handlers) is never imported.
LAUNCH_POINTS: dict[str, frozenset[str]] = {
    "cli": frozenset({"peerkit.apps", "peerkit.apps.sync", "peerkit.service.app"}),
    "demo": frozenset({"peerkit.apps"}),
}

# Third-party top-level modules a layer may import; a layer not listed here may import any it depends on.
THIRD_PARTY: dict[str, frozenset[str]] = {
    # The pure domain: numerics only (numpy), no Jupyter, widgets, YAML, JSON Schema or SQL.
    "core": frozenset({"numpy"}),
}

# The package root holds only these modules: the public API and the entry point, above every layer.
ROOT_MODULES = frozenset({"__init__", "__main__"})

LEVEL = {package: n for n, layer in enumerate(LAYERS, start=1) for package in layer}


def layer_text(n: int) -> str:
    return f"layer {n} ({' | '.join(LAYERS[n - 1])})"


@dataclass(frozen=True)
class Import:
    file: Path
    line: int
    target: str  # absolute dotted name of what is imported


def module_name(file: Path) -> str:
    parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(name: str) -> bool:
    """Whether the dotted peerkit name *name* is a package or module in the tree (not an attribute)."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imports_of(file: Path, name: str) -> Iterator[Import]:
    """Every import in *file*, the module *name*, as absolute dotted names (relative ones resolved)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(file, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = set()
            for alias in node.names:
                # ``from peerkit.x import y`` imports the module peerkit.x.y when there is one.
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate.startswith("peerkit.") and is_package(candidate) else module)
            for target in sorted(targets):
                yield Import(file, node.lineno, target)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(file, node.lineno, node.args[0].value)


def where(item: Import) -> str:
    return f"{item.file.relative_to(REPO)}:{item.line}"


def rule_broken(source: str, item: Import) -> str | None:
    """Why *item*, made from a module of package *source*, breaks the layering (None: it does not)."""
    top = item.target.split(".")[0]
    if top != "peerkit":
        allowed = THIRD_PARTY.get(source)
        if allowed is None or top in sys.stdlib_module_names or top in allowed or top == "__future__":
            return None
        return f"peerkit.{source} imports {top}: its layer allows only the standard library and {sorted(allowed)}"
    parts = item.target.split(".")
    if len(parts) == 1:
        return f"peerkit.{source} imports the package root (the public API), which sits above every layer"
    target = parts[1]
    if target == source:
        return None
    if target not in LEVEL:
        kind = "root module" if (PACKAGE / f"{target}.py").is_file() else "package"
        return f"peerkit.{source} imports peerkit.{target}, a {kind} outside every layer"
    mine, theirs = LEVEL[source], LEVEL[target]
    if theirs > mine:
        return (
            f"peerkit.{source} ({layer_text(mine)}) imports {item.target} from the higher {layer_text(theirs)}: "
            "imports run down the layers only"
        )
    if theirs == mine:
        return (
            f"peerkit.{source} imports {item.target}: packages of the same {layer_text(mine)} never import each other"
        )
    if mine == len(LAYERS) and theirs == len(LAYERS) - 1 and item.target not in LAUNCH_POINTS.get(source, ()):
        points = ", ".join(sorted(LAUNCH_POINTS.get(source, ()))) or "none"
        return (
            f"peerkit.{source} imports {item.target}: a launcher imports another front end only to start or install "
            f"it, through its launch points ({points}; LAUNCH_POINTS in tests/test_architecture.py)"
        )
    return None


def violations() -> list[str]:
    found: list[str] = []
    for file in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        relative = file.relative_to(PACKAGE)
        if len(relative.parts) == 1:
            if file.stem not in ROOT_MODULES:
                found.append(
                    f"{file.relative_to(REPO)}:1: a module at the package root; the root keeps only __init__, "
                    "__main__ and the public API: move it into the package it belongs to"
                )
            continue  # the public API and the entry point may import anything
        source = relative.parts[0]
        if source not in LEVEL:
            found.append(f"{file.relative_to(REPO)}:1: package peerkit.{source} is in no layer: add it to LAYERS")
            continue
        for item in imports_of(file, module_name(file)):
            broken = rule_broken(source, item)
            if broken:
                found.append(f"{where(item)}: {broken}")
    return found


def test_imports_run_down_the_declared_layers_only() -> None:
    found = violations()
    assert not found, f"{len(found)} import(s) break the layering:\n" + "\n".join(found)


def test_the_walker_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The layering test is only as good as the import walker: it must see every form of import."""
    source = tmp_path / "fake.py"
    source.write_text(
        "from __future__ import annotations\n"
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "import peerkit.storage.sql\n"
        "from ..storage import sql, SqlStore\n"
        "from . import grading\n"
        "if TYPE_CHECKING:\n"
        "    from peerkit.facilitator.api import Facilitator\n"
        "def later() -> None:\n"
        "    import yaml\n"
        "    from peerkit import cli\n"
        "    importlib.import_module('peerkit.service.app')\n"
    )
    found = [(item.line, item.target) for item in imports_of(source, "peerkit.review.fake")]
    assert found == [
        (1, "__future__"),
        (2, "importlib"),
        (3, "typing"),
        (4, "peerkit.storage.sql"),
        (5, "peerkit.storage"),  # SqlStore: a name from the package
        (5, "peerkit.storage.sql"),  # sql: a module of it
        (6, "peerkit.review.grading"),
        (8, "peerkit.facilitator.api"),
        (10, "yaml"),
        (11, "peerkit.cli"),
        (12, "peerkit.service.app"),
    ]
    broken = {item.target: rule_broken("review", item) for item in imports_of(source, "peerkit.review.fake")}
    assert {target for target, why in broken.items() if why} == {
        "peerkit.facilitator.api",
        "peerkit.cli",
        "peerkit.service.app",
    }
    assert "higher layer 7" in str(broken["peerkit.facilitator.api"])
    core = Import(source, 1, "yaml")
    assert rule_broken("core", core) == (
        "peerkit.core imports yaml: its layer allows only the standard library and ['numpy']"
    )
    assert "never import each other" in str(rule_broken("apps", Import(source, 1, "peerkit.service.app")))
    assert "never import each other" in str(rule_broken("service", Import(source, 1, "peerkit.dashboard.app")))
    assert "never import each other" in str(rule_broken("cli", Import(source, 1, "peerkit.demo.serve")))
    assert rule_broken("cli", Import(source, 1, "peerkit.service.app")) is None  # `peerkit service` starts it
    assert rule_broken("demo", Import(source, 1, "peerkit.apps")) is None  # installs the app notebooks
    assert "launch points" in str(rule_broken("cli", Import(source, 1, "peerkit.dashboard.views")))
    assert "launch points" in str(rule_broken("demo", Import(source, 1, "peerkit.service.app")))
    assert "package root" in str(rule_broken("storage", Import(source, 1, "peerkit")))


#: The front ends' facilitator sides: shims over the Facilitator API, which never call the store themselves
#: (``….store.<method>``); the API's methods add what the store alone does not (statuses, lateness, the
#: refusal of an unknown path), so a shim that asked the store would answer differently from the CLI.
FACILITATOR_SHIMS = ("dashboard", "service/facilitators.py", "demo/autopilot.py", "demo/site.py")


def store_calls(file: Path) -> Iterator[int]:
    """The lines of *file* that use a store's attribute (``x.store.y``, ``store.y``)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (
            (isinstance(node.value, ast.Attribute) and node.value.attr == "store")
            or (isinstance(node.value, ast.Name) and node.value.id == "store")
        ):
            yield node.lineno


def test_the_facilitator_sides_of_the_front_ends_never_call_the_store() -> None:
    files = [
        f
        for shim in FACILITATOR_SHIMS
        for f in ([PACKAGE / shim] if shim.endswith(".py") else (PACKAGE / shim).rglob("*.py"))
    ]
    assert all(f.is_file() for f in files) and files
    found = [f"{f.relative_to(REPO)}:{line}" for f in files for line in store_calls(f)]
    assert not found, "call the Facilitator API (peerkit/facilitator/api.py) instead of the store:\n" + "\n".join(found)


#: What the dashboard may import: the domain's types and settings, the Facilitator API and its figures, the widgets
#: it draws with; never the layers the API runs on (storage, nbgrader, exchange, review).
DASHBOARD_IMPORTS = frozenset({"core", "config", "facilitator", "widgets", "dashboard"})


def test_the_dashboard_reaches_the_domain_through_the_api_only() -> None:
    found = [
        f"{where(item)}: {item.target}"
        for file in sorted((PACKAGE / "dashboard").rglob("*.py"))
        for item in imports_of(file, module_name(file))
        if item.target.startswith("peerkit.") and item.target.split(".")[1] not in DASHBOARD_IMPORTS
    ]
    assert not found, "the dashboard goes through peerkit.facilitator (its API and figures):\n" + "\n".join(found)


def test_the_store_call_finder_sees_a_call(tmp_path: Path) -> None:
    source = tmp_path / "fake.py"
    source.write_text("def f(desk, store):\n    desk.store.note('x')\n    store.grades('x')\n    g(desk.store)\n")
    assert list(store_calls(source)) == [2, 3]


def test_every_package_of_peerkit_is_in_a_layer_once() -> None:
    declared = [package for layer in LAYERS for package in layer]
    assert len(declared) == len(set(declared)), "a package is declared in two layers"
    present = {p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.rglob("*.py"))}
    assert present - set(declared) == set(), "packages missing from LAYERS"
    assert set(declared) - present == set(), "LAYERS names packages that do not exist"


# Run in a fresh interpreter: import every module of a package and report, by who imported it, each module
# that a peerkit module pulled in. What the allowed libraries load in turn is theirs, not ours.
RUNTIME_PROBE = """
import importlib, json, pkgutil, sys

class Recorder:
    seen = []

    def find_spec(self, name, path=None, target=None):
        frame = sys._getframe(1)
        while frame and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen_importlib")):
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "") if frame else ""
        if importer.startswith("peerkit") and name.split(".")[0] not in sys.modules:
            self.seen.append([name.split(".")[0], importer])
        if name.startswith("peerkit."):
            self.seen.append([name, importer])
        return None

sys.meta_path.insert(0, Recorder())
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(module.name)
print(json.dumps(Recorder.seen))
"""


@pytest.mark.parametrize("package", sorted(THIRD_PARTY))
def test_a_layer_loads_only_its_allowed_libraries_at_run_time(package: str) -> None:
    """Importing every module of *package* in a fresh interpreter loads no peerkit package outside it and
    no library beyond its layer's allowance (this also catches imports that no import statement shows)."""
    allowed = THIRD_PARTY[package]
    out = subprocess.run(
        [sys.executable, "-c", RUNTIME_PROBE, f"peerkit.{package}"], capture_output=True, text=True, check=True
    )
    found = set()
    for name, importer in json.loads(out.stdout):
        if name.startswith("peerkit."):
            other = name.split(".")[1]
            if other != package and LEVEL.get(other, len(LAYERS) + 1) >= LEVEL[package]:
                found.add(f"{importer} loads {name}: not a lower layer than peerkit.{package}")
        elif name not in sys.stdlib_module_names and name not in allowed and name != "peerkit":
            found.add(
                f"{importer} loads {name}: peerkit.{package} allows only the standard library and {sorted(allowed)}"
            )
    assert not found, "\n".join(sorted(found))


LAYER_LINE = re.compile(r"^Layers \(lowest first\):\s*(?P<order>.+?)\s*$", re.MULTILINE)


def test_architecture_md_states_the_same_layer_order() -> None:
    if not ARCHITECTURE.is_file():
        pytest.skip("ARCHITECTURE.md does not exist yet: nothing to compare LAYERS with")
    match = LAYER_LINE.search(ARCHITECTURE.read_text(encoding="utf-8"))
    assert match, "ARCHITECTURE.md needs a line 'Layers (lowest first): core < config < ... < cli | demo'"
    stated = [frozenset(name.strip() for name in group.split("|")) for group in match["order"].split("<")]
    assert stated == [frozenset(layer) for layer in LAYERS], (
        f"ARCHITECTURE.md says {match['order']!r}; tests/test_architecture.py declares "
        + " < ".join(" | ".join(layer) for layer in LAYERS)
    )
