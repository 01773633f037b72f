"""Nitpicky builds without false alarms: which cross-references may stay unlinked is decided by where
the named object really lives, not by a hand-kept ignore list.

The site is built offline (no intersphinx inventories) with ``-n``, so every reference must resolve.
When one does not, this handler imports the object it names (a full dotted name, or a short name as
the docstring's own module sees it) and then

* links it, when it is defined in a module the reference documents (a re-export, a short name);
* shows it as plain text, when it is defined outside peerkit (the standard library, traitlets, ...)
  or in a peerkit module the reference does not document (an internal);
* leaves the warning standing otherwise: a name that does not exist, or an object of a documented
  module that no page shows, is a real mistake in a docstring or a page.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
from types import ModuleType
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: What a reference names: the object, its full name, and the module that defines it.
Found = tuple[Any, str, str]


def _import(dotted: str) -> Found | None:
    """The object at the import path *dotted*, that path and the module it was found in, or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        module = ".".join(parts[:cut])
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj, dotted, module
    return None


def lookup(target: str, module: str | None, cls: str | None) -> Found | None:
    """What *target* names, seen from *module* (and *cls* in it), with its full name; None if nothing."""
    scopes = [f"{module}.{cls}"] if module and cls else []
    scopes += [module] if module else []
    scopes += _base_modules(module, cls) if module and cls else []
    for scope in [*scopes, ""]:
        found = _import(f"{scope}.{target}" if scope else target)
        if found is not None:
            return found
    head = target.split(".")[0]
    if hasattr(builtins, head):
        return getattr(builtins, head), f"builtins.{target}", "builtins"
    imported = _imported_for_typing(module, head) if module else None
    if imported is not None:
        return _import(".".join([imported, *target.split(".")[1:]]))
    return None


def _base_modules(module: str, cls: str) -> list[str]:
    """The modules that define the classes *cls* inherits from: an inherited signature (``__init__``
    of a base class) names types as the base's own module imports them."""
    found = _import(f"{module}.{cls}")
    if found is None or not inspect.isclass(found[0]):
        return []
    return [base.__module__ for base in found[0].__mro__[1:] if base.__module__ not in (module, "builtins")]


def _imported_for_typing(module: str, name: str) -> str | None:
    """Where *module* imports *name* from in a block it runs only for type checkers (``if TYPE_CHECKING:``)."""
    try:
        tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    except (ImportError, OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"{node.module}.{alias.name}"
    return None


def home(obj: Any, name: str, module: str) -> tuple[str, str]:
    """(full name, module) where *obj* is defined: classes, functions and modules know it; for data,
    the module it was found in."""
    if isinstance(obj, ModuleType):
        return obj.__name__, obj.__name__
    owner, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(owner, str) and isinstance(qualname, str) and "<" not in qualname:
        return f"{owner}.{qualname}", owner
    return name, module


def resolve_elsewhere(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """``missing-reference`` handler: link, show as text, or let Sphinx warn (None)."""
    if node.get("refdomain") != "py":
        return None
    found = lookup(str(node["reftarget"]).lstrip("~."), node.get("py:module"), node.get("py:class"))
    if found is None:
        target = str(node["reftarget"]).lstrip("~.")
        if "." in target and not target.startswith("peerkit"):
            return contnode  # another library's own alias in a signature it gave us (``t.Any``)
        return None  # names nothing at all
    full, module = home(*found)
    if module.split(".")[0] != "peerkit":
        return contnode  # defined outside peerkit
    if module not in env.get_domain("py").data.get("modules", {}):
        return contnode  # a peerkit internal the reference does not document
    retry = node.deepcopy()
    retry["reftarget"], retry["refspecific"] = full, False
    linked = env.get_domain("py").resolve_xref(env, node["refdoc"], app.builder, "obj", full, retry, contnode)
    return linked if isinstance(linked, nodes.Element) else None


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("missing-reference", resolve_elsewhere)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
