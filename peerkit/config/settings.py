"""One configuration object for every front end: :class:`PeerkitConfig`, and where each value came from.

The Jupyter stack configures its parts with traitlets (nbgrader's ``CourseDirectory``, Voilà,
JupyterHub); peerkit does the same, so a course's settings read like theirs::

    # peerkit_config.py, beside course.yml (optional)
    c.PeerkitConfig.db_url = "postgresql://peerkit@db/course"
    c.PeerkitConfig.workdir = "../.peerkit/course"   # relative to this file

:meth:`PeerkitConfig.load` reads, lowest first: the defaults, the course's ``peerkit_config.py``,
the environment (``PEERKIT_*``: what ``peerkit serve`` hands the dashboard's server and JupyterHub
hands its services and servers), then explicit values (the command's options). It remembers the
source of every effective value, so ``peerkit config show`` can say why a value is what it is.
Nothing else in peerkit reads ``PEERKIT_*`` variables: it asks this object.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from traitlets import Dict, Enum, Int, TraitError, TraitType, Unicode, default, validate
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

from peerkit.config.course import COURSE_FILE, default_course_file, find_course_file
from peerkit.config.identity import check_learner_id
from peerkit.config.owners import check_unix_users, parse_unix_users
from peerkit.config.workspace import DEFAULT_WORKDIR, Workspace
from peerkit.core.errors import ConfigError, PeerkitError, shown

#: The longest reason a bad value's error quotes.
QUOTED = 200
#: The course's own configuration file, beside ``course.yml``.
CONFIG_FILE = "peerkit_config.py"
DEFAULT = "default"
#: Hub service URL handed to every learner's server under JupyterHub (the hub exchange backend).
SERVICE_URL_VARIABLE = "PEERKIT_SERVICE_URL"
#: The key a preheated page's kernel shows Voilà's ``/voila/query`` to learn of its visitor under ``peerkit
#: serve`` (:mod:`peerkit.voila.guard` sets it for the server's kernels; :mod:`peerkit.widgets.visit` sends it).
VISIT_KEY_VARIABLE = "PEERKIT_VISIT_KEY"
#: How long the hub service trusts the hub's answer about a token, for reads (JupyterHub's own is 300 s).
AUTH_CACHE_SECONDS = 30


def _path(trait: TraitType[Any, Any], obj: Any, value: Any) -> Path | None:
    if isinstance(value, str | Path) and str(value):
        return Path(value).expanduser()
    if value is None or value == "":
        return None
    trait.error(obj, value)
    return None


class PathTrait(TraitType[Path, Path | str]):
    """A file or folder path: a string in config files and variables, a :class:`Path` here."""

    info_text = "a file or folder path"

    def validate(self, obj: Any, value: Any) -> Path:
        found = _path(self, obj, value)
        if found is None:
            self.error(obj, value)
            raise TraitError(f"{value!r} is not a path")  # error() raised already
        return found


class OptionalPath(TraitType[Path | None, Path | str | None]):
    """A path that may be unset (``None``, or an empty string in a file or variable)."""

    info_text = "a file or folder path, or nothing"

    def validate(self, obj: Any, value: Any) -> Path | None:
        return _path(self, obj, value)


class PeerkitConfig(Configurable):
    """Where a course lives and how its parts reach each other. Every trait names its environment
    variable (``env``) and, where a command takes it, its option (``option``)."""

    course_file = PathTrait(
        help="The course definition: course.yml, or the folder holding it. Its folder may hold peerkit_config.py."
    ).tag(config=True, env="PEERKIT_COURSE", option="--course", path=True)
    workdir = PathTrait(
        help="Folder of the built course, its exchange, learners' homes and the SQLite store (the embedded default)."
    ).tag(config=True, env="PEERKIT_WORKDIR", option="--workdir", path=True)
    db_url = Unicode(
        "", help="The peerkit store: sqlite:///FILE or postgresql://user@host/db [default: peerkit.db in workdir]."
    ).tag(config=True, env="PEERKIT_DB", option="--db")
    exchange = OptionalPath(
        None,
        allow_none=True,
        help="nbgrader's exchange root (Exchange.root) when it is not the workdir's own (a hub's shared one).",
    ).tag(config=True, env="PEERKIT_EXCHANGE", option="--exchange", path=True)
    course_root = OptionalPath(
        None,
        allow_none=True,
        help="nbgrader's course root (CourseDirectory.root) when it is not the workdir's own (under a hub).",
    ).tag(config=True, env="PEERKIT_COURSE_ROOT", option="--course-root", path=True)
    service_url = Unicode("", help="URL of the course's JupyterHub service, as learners' servers reach it.").tag(
        config=True, env=SERVICE_URL_VARIABLE
    )
    exchange_backend = Enum(
        ["files", "hub"],
        help="How packets, feedback, notes and activity travel: 'files' beside the exchange (one host) "
        "or 'hub' through the course's service [default: hub when service_url is set].",
    ).tag(config=True, env="PEERKIT_EXCHANGE_BACKEND")
    facilitator_group = Unicode(
        "", help="Hub group whose members are facilitators [default: formgrade-<course id>]."
    ).tag(config=True, env="PEERKIT_FACILITATOR_GROUP", option="--facilitator-group")
    auth_cache = Int(
        AUTH_CACHE_SECONDS,
        min=0,
        max=3600,
        help="Seconds the service trusts the hub's answer about a token for reading (a revoked token can still "
        "read this long; every write asks the hub again, and only a draft save begun within this time starts "
        "before the hub answers, committing on its yes).",
    ).tag(config=True, env="PEERKIT_AUTH_CACHE", option="--auth-cache")
    unix_users = Dict(
        value_trait=Unicode(),
        help="On one host, the Unix login of each learner whose login is not their learner id, e.g. "
        "{'ada': 'alovelace'}: a learner's activity file and submissions (reviews too) count only if that "
        "user (or the facilitator) wrote them [default: the learner id is the login]. "
        "Variable: ada=alovelace,ben=bsmith.",
    ).tag(config=True, env="PEERKIT_UNIX_USERS")
    learner = Unicode("", help="The learner the local demo serves [default: the course's demo learner].").tag(
        config=True, env="PEERKIT_LEARNER", option="--learner"
    )
    port = Int(8866, min=1, max=65535, help="Port of the local demo's course home.").tag(
        config=True, env="PEERKIT_PORT", option="--port"
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Where each trait's effective value came from: "default", a file, a variable, an option.
        self.sources: dict[str, str] = {}
        #: The course folder :meth:`load` found (``course/course.yml`` here or above), when no course was named.
        self.course_folder: Path | None = None
        #: Whether :meth:`load` fell back to the course that comes with peerkit (none named, none found).
        self.bundled_course = False

    @default("course_file")
    def _default_course_file(self) -> Path:
        return default_course_file()

    @default("workdir")
    def _default_workdir(self) -> Path:
        """``.peerkit/demo`` in the course folder found (run from a subfolder of it), else in the
        current folder."""
        if self.course_folder is not None and self.course_folder != Path.cwd().absolute():
            return self.course_folder / DEFAULT_WORKDIR
        return DEFAULT_WORKDIR

    @default("exchange_backend")
    def _default_backend(self) -> str:
        return "hub" if self.service_url else "files"

    @validate("db_url")
    def _check_db_url(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip()
        scheme = urlparse(value).scheme.split("+", 1)[0]
        if value and (scheme not in ("sqlite", "postgresql") or "://" not in value):
            raise TraitError(f"{value!r} is not a store URL; use sqlite:///FILE or postgresql://user@host/db")
        return value

    @validate("service_url")
    def _check_service_url(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip()
        if value and urlparse(value).scheme not in ("http", "https"):
            raise TraitError(f"{value!r} is not an http(s) URL")
        return value

    @validate("learner")
    def _check_learner(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip()
        if value:
            try:
                check_learner_id(value)
            except PeerkitError as exc:
                raise TraitError(str(exc)) from None
        return value

    @validate("unix_users")
    def _check_unix_users(self, proposal: Any) -> dict[str, str]:
        try:
            return check_unix_users(proposal["value"])
        except PeerkitError as exc:
            raise TraitError(str(exc)) from None

    @validate("facilitator_group")
    def _check_group(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip()
        if any(c.isspace() or c == "/" for c in value):
            raise TraitError(f"{value!r}: a hub group name has no spaces or slashes")
        return value

    # -- loading ------------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        options: Mapping[str, object] | None = None,
        **explicit: object,
    ) -> PeerkitConfig:
        """The effective settings: defaults < the course's ``peerkit_config.py`` < ``PEERKIT_*``
        variables of *env* (default: this process's) < *explicit* values (a command's options;
        ``None`` means "not given"; *options* holds more of them, as a mapping). *config_file* replaces
        the one beside the course definition.

        Raises :class:`ConfigError` naming the file, variable or option of a bad value."""
        self = cls()
        explicit = {**(options or {}), **explicit}
        names = self.trait_names(config=True)
        unknown = sorted(set(explicit) - set(names))
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(name, names, n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"use one of: {self._choices()}"
            raise ConfigError(
                f"PeerkitConfig has no setting {name!r}; fix: {fix}", source=f"argument {name}", where=name
            )
        environ = os.environ if env is None else env
        given = {k: v for k, v in explicit.items() if v is not None and v != ""}
        course_file = given.get("course_file") or environ.get(self._env("course_file")) or self._find_course()
        file = config_file or _config_file_beside(Path(str(course_file)))
        if file is not None and file.is_file():
            self._apply_file(file)
        for name in names:
            variable = self._env(name)
            if variable and environ.get(variable, "").strip():
                self._set(name, environ[variable].strip(), source=f"environment {variable}", text=True)
        for name, value in given.items():
            option = self.trait_metadata(name, "option")
            self._set(name, value, source=f"option {option}" if option else f"argument {name}")
        return self

    def _find_course(self) -> Path:
        """The course of a command that names none: ``course/course.yml`` in the current folder or the
        nearest folder above it, else (:attr:`bundled_course`) the one that comes with peerkit."""
        found = find_course_file()
        here = Path.cwd().absolute()
        if found is None:
            self.bundled_course = True
            self.sources["course_file"] = (
                f"{DEFAULT}: the course that comes with peerkit (no {COURSE_FILE} here or in a parent folder)"
            )
            return self.course_file
        self.course_folder = found.parent.parent
        self.course_file = found
        where = "the current folder" if self.course_folder == here else "a folder above the current one"
        self.sources["course_file"] = f"found: the course folder is {where}"
        return found

    def require_course(self) -> None:
        """Refuse to go on with the course that comes with peerkit when the command named no course and
        none was found here or above: a facilitator's command works on their own course (``peerkit
        serve``, the demo, may serve the bundled one)."""
        if self.bundled_course:
            raise ConfigError(
                f"no {COURSE_FILE} here or in a parent folder ({Path.cwd()}); fix: cd into your course "
                "folder, or make one with `peerkit init FOLDER`, or name it with --course (or $PEERKIT_COURSE)"
            )

    def _env(self, name: str) -> str:
        return str(self.trait_metadata(name, "env") or "")

    def _apply_file(self, file: Path) -> None:
        try:
            loaded: Config = PyFileConfigLoader(file.name, path=str(file.parent)).load_config()
        except Exception as exc:  # any error in the user's Python file
            raise ConfigError(f"cannot read it ({exc}); fix the file or remove it", source=str(file)) from exc
        self._check_sections(loaded, file)
        section = loaded.get(type(self).__name__, {})
        for name, value in section.items():
            if not self.has_trait(name) or not self.trait_metadata(name, "config"):
                choices = ", ".join(sorted(self.trait_names(config=True)))
                raise ConfigError(f"PeerkitConfig has no setting {name!r} (one of: {choices})", source=str(file))
            if self.trait_metadata(name, "path") and isinstance(value, str | Path) and str(value):
                value = (file.parent / Path(value).expanduser()).resolve()  # relative to the file
            self._set(name, value, source=f"file {file}")

    def _check_sections(self, loaded: Config, file: Path) -> None:
        """Refuse what the file sets beside ``c.PeerkitConfig`` (a misspelt ``c.PeerKitConfig.port`` was
        ignored without a word): nothing else reads this file."""
        ours = type(self).__name__
        for key, value in loaded.items():
            if key == ours:
                continue
            if not isinstance(value, Config):
                problem = f"c.{key} is not a setting (settings are written c.{ours}.<name>)"
                fix = f"write c.{ours}.{key}" if self.has_trait(key) else f"remove it (settings: {self._choices()})"
            elif difflib.get_close_matches(key.lower(), [ours.lower()], n=1, cutoff=0.6):
                problem = f"c.{key} is not a class peerkit reads, c.{ours} is"
                fix = f"write c.{ours}.{next(iter(value), '<name>')}"
            else:
                problem = f"c.{key}: this file holds peerkit's settings only (c.{ours}.<name>)"
                fix = "remove it (nbgrader's settings go in nbgrader_config.py beside it)"
            raise ConfigError(f"{problem}; fix: {fix}", source=str(file), where=f"c.{key}")

    def _choices(self) -> str:
        return ", ".join(sorted(self.trait_names(config=True)))

    def _set(self, name: str, value: object, *, source: str, text: bool = False) -> None:
        try:
            if text and isinstance(self.traits()[name], Int):
                value = int(str(value))
            elif text and isinstance(self.traits()[name], Dict):
                value = parse_unix_users(str(value), source=source)
            setattr(self, name, value)
        except (TraitError, ValueError) as exc:
            reason = (
                str(exc).splitlines()[0] if isinstance(exc, TraitError) else f"{shown(value)} is not a whole number"
            )
            if (
                len(reason) > QUOTED
            ):  # the value a trait quotes in full (a megabyte pasted by mistake) cut, the end kept
                reason = reason[: QUOTED - 63] + "..." + reason[-60:]
            # A value of the wrong kind ("expected an int, not the str 'x'") gets the kind; our validators say more.
            fix = f"; fix: set it to {self.traits()[name].info()}" if " expected " in reason else ""
            raise ConfigError(f"bad value for {name}: {reason.rstrip('.')}{fix}", source=source) from None
        self.sources[name] = source

    # -- what the rest of peerkit asks ----------------------------------------------------------------

    def source(self, name: str) -> str:
        """Where *name*'s value came from: ``default``, a file path, a variable or an option."""
        if name not in self.sources and name == "exchange_backend":
            return f"{DEFAULT} (service_url is {'set' if self.service_url else 'not set'})"
        return self.sources.get(name, DEFAULT)

    def rows(self) -> list[tuple[str, str, str]]:
        """Every setting as (name, effective value, source), by name."""
        return [(name, _shown(getattr(self, name)), self.source(name)) for name in self.trait_names(config=True)]

    def show(self) -> str:
        """What ``peerkit config show`` prints."""
        rows = self.rows()
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{n:<{width}}  {v}  [{s}]" for n, v, s in rows)

    @property
    def workspace(self) -> Workspace:
        return Workspace.at(self.workdir)

    @property
    def store_url(self) -> str:
        return self.db_url or self.workspace.store_url

    @property
    def exchange_path(self) -> Path:
        """nbgrader's exchange: the configured one, else the workdir's own."""
        return self.exchange.resolve() if self.exchange else self.workspace.exchange

    @property
    def course_root_path(self) -> Path:
        """nbgrader's course root: the configured one, else the workdir's own."""
        return self.course_root.resolve() if self.course_root else self.workspace.course_root

    def child_env(self) -> dict[str, str]:
        """The variables that hand these settings to a child process (the dashboard's server)."""
        env = {
            self._env("course_file"): str(self.course_file.resolve()),
            self._env("workdir"): str(self.workspace.root),
        }
        for name in ("db_url", "exchange"):
            if getattr(self, name):
                env[self._env(name)] = str(getattr(self, name))
        return env

    def __repr__(self) -> str:
        return f"PeerkitConfig({', '.join(f'{n}={v!r}' for n, v, _ in self.rows())})"


def _shown(value: object) -> str:
    return "(none)" if value is None or value == "" else str(value)


def _config_file_beside(course_file: Path) -> Path | None:
    folder = course_file if course_file.is_dir() else course_file.parent
    return folder / CONFIG_FILE


def settings_from_env(env: Mapping[str, str] | None = None) -> PeerkitConfig:
    """The settings of a server started without options (the dashboard's Voilà, a learner's page
    under JupyterHub): the course's file and the ``PEERKIT_*`` variables of *env*."""
    return PeerkitConfig.load(env=env)


#: Every variable :class:`PeerkitConfig` reads, by setting (for docs and for child processes).
ENVIRONMENT = {name: str(trait.metadata["env"]) for name, trait in PeerkitConfig.class_traits(config=True).items()}
