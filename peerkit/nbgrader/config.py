"""nbgrader configuration, read and written the way nbgrader itself does.

Two sides:

* the **learner** side reads ``nbgrader_config.py`` from Jupyter's config path (``~/.jupyter``,
  the environment's ``etc/jupyter``, ``/etc/jupyter``) plus the current folder, as nbgrader's apps
  do, without importing nbgrader (traitlets only, so a Voilà kernel stays fast);
* the **facilitator** side builds the config of a course root: the committed
  ``course/nbgrader_config.py`` plus what the workspace decides (root, exchange, course id).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from traitlets.config import Config
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

from peerkit.core.errors import ConfigError

CONFIG_NAME = "nbgrader_config.py"


def config_dirs(cwd: Path | None = None) -> list[Path]:
    """Folders searched for ``nbgrader_config.py``, highest priority first (as nbgrader)."""
    from jupyter_core.paths import jupyter_config_path

    dirs = [Path(cwd or Path.cwd())]
    dirs += [Path(p) for p in jupyter_config_path()]
    return dirs


def load_config_file(file: Path) -> Config:
    """Load one ``nbgrader_config.py``; a broken file is a :class:`ConfigError` naming it."""
    loader = PyFileConfigLoader(file.name, path=str(file.parent))
    try:
        return loader.load_config()
    except ConfigFileNotFound:
        return Config()
    except Exception as exc:
        raise ConfigError(f"cannot load nbgrader config: {type(exc).__name__}: {exc}", source=str(file)) from exc


def load_config(dirs: Sequence[Path]) -> Config:
    """Merge ``nbgrader_config.py`` from *dirs* (highest priority first)."""
    merged = Config()
    for folder in reversed(list(dirs)):
        file = folder / CONFIG_NAME
        if file.is_file():
            merged.merge(load_config_file(file))
    return merged


def learner_config(cwd: Path | None = None) -> Config:
    """The nbgrader config a learner's ``nbgrader submit`` would see from *cwd*."""
    return load_config(config_dirs(cwd))


def get(config: Config, section: str, key: str, default: Any = None) -> Any:
    """``config.Section.key`` if it is set, else *default* (never creates the section)."""
    if section in config and key in config[section]:
        return config[section][key]
    return default


def course_config(
    *,
    course_id: str,
    course_root: Path,
    exchange_root: Path,
    committed: Path | None = None,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> Config:
    """The facilitator-side config of a built course.

    *committed* is the course's own ``nbgrader_config.py`` (settings that travel with the course);
    the workspace-specific settings are laid over it.
    """
    config = load_config_file(committed) if committed and committed.is_file() else Config()
    overrides: dict[str, dict[str, Any]] = {
        "CourseDirectory": {"course_id": course_id, "root": str(course_root)},
        "Exchange": {"root": str(exchange_root)},
    }
    for section, values in (extra or {}).items():
        overrides.setdefault(section, {}).update(values)
    config.merge(Config(overrides))
    return config


def render_config_file(
    values: Mapping[str, Mapping[str, Any]], *, include: Path | None = None, header: str = ""
) -> str:
    """The text of an ``nbgrader_config.py`` setting *values* (after ``load_subconfig(include)``)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["c = get_config()  # noqa: F821 - provided by traitlets when it runs this file"]
    if include is not None:
        lines += [f"load_subconfig({str(include)!r})  # noqa: F821"]
    for section, items in values.items():
        for key, value in items.items():
            lines.append(f"c.{section}.{key} = {value!r}")
    return "\n".join(lines) + "\n"


def ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts folder first on PATH.

    nbgrader creates a new gradebook by running ``alembic`` from PATH; inside a virtual environment
    that was never "activated" (a Voilà kernel, ``.venv/bin/peerkit``) it would not be found.
    """
    scripts = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [scripts]:
        os.environ["PATH"] = os.pathsep.join([scripts, *[p for p in parts if p != scripts]])


def skip_slow_iri_grammar() -> None:
    """Keep jsonschema from compiling the ``rfc3987-syntax`` grammar in this process.

    jsonschema imports ``rfc3987_syntax`` eagerly when it is installed (jupyter-events pulls it in
    through ``jsonschema[format-nongpl]``); building its Lark grammar costs about 1.2 s, more than
    everything else in nbgrader's import. It only serves the ``iri`` and ``iri-reference``
    formats, which neither nbformat's, nbgrader's nor peerkit's schemas use. Marking the module as
    absent makes jsonschema skip those two format checks in this process only; the package stays
    installed for whoever needs it. Call before anything imports jsonschema.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
