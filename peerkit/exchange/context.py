"""The learner context: who, which course, which answers folder, which exchange — resolved once per page.

A learner's page (a Voilà kernel) used to ask for each of these where it needed it: the nbgrader
config in one place, the hub service's client in another, the public folder and the activity log
in a third. :func:`resolve_learner_context` answers all four once, from the page's folder, the
learner's ``nbgrader_config.py`` and the server's environment (under JupyterHub: the hub user, the
course service's URL and the server's hub token); pages pass the :class:`LearnerContext` down.
Tests build one with every part given explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.config.identity import resolve_learner
from peerkit.config.settings import ENVIRONMENT, SERVICE_URL_VARIABLE
from peerkit.core.errors import PeerkitError
from peerkit.exchange.base import ActivityLog, LearnerExchange, NoActivityLog
from peerkit.exchange.files import public
from peerkit.exchange.registry import default_backend, open_learner_exchange
from peerkit.nbgrader.config import get, learner_config
from peerkit.nbgrader.learner import cache_dir

#: The hub hands every server its own API token under this name.
TOKEN_VARIABLE = "JUPYTERHUB_API_TOKEN"  # noqa: S105 - a variable name, not a secret


@dataclass(frozen=True, slots=True)
class LearnerContext:
    """Everything a learner's page needs to know about where it runs."""

    #: The page's folder: a path's assignment folder (its answers file) or the learner's course folder.
    folder: Path
    #: The learner's nbgrader config (course id, exchange, submission cache).
    config: Config
    #: The course's id; empty when no course is configured (the page is a preview).
    course_id: str
    #: Who the learner is; None when nobody could be identified (:attr:`problem` says why).
    learner: str | None
    #: The learner's side of the exchange; None without a learner or a course.
    exchange: LearnerExchange | None
    problem: str = ""

    @property
    def activity(self) -> ActivityLog:
        return self.exchange.activity if self.exchange is not None else NoActivityLog()

    def public(self, name: str, fmt: str) -> dict[str, Any] | None:
        """A public document (notes, the gallery): through the exchange, or, for a page that could not
        tell who its learner is, straight from the course's public board (it holds no one's name)."""
        if self.exchange is not None:
            return self.exchange.public(name, fmt)
        return public.read_public(self._board(), name, fmt)

    def notes(self) -> list[dict[str, Any]]:
        """Every released summary note."""
        return self.exchange.notes() if self.exchange is not None else public.released_notes(self._board())

    def _board(self) -> Path | None:
        root = get(self.config, "Exchange", "root", "")
        return public.public_root(Path(str(root)), self.course_id) if root and self.course_id else None

    def at(self, folder: Path) -> LearnerContext:
        """The same learner, course and exchange for a page in another *folder*."""
        return replace(self, folder=folder)


def resolve_learner_context(
    folder: Path | str | None = None,
    *,
    config: Config | None = None,
    learner: str | None = None,
    exchange: LearnerExchange | None = None,
    service_url: str | None = None,
    backend_name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> LearnerContext:
    """The context of a page in *folder* (default: the kernel's working folder). Every part given
    is taken as is; the others come from the learner's nbgrader config and *env* (default: this
    process's environment)."""
    environ = os.environ if env is None else env
    where = Path(folder) if folder is not None else Path.cwd()
    cfg = config if config is not None else learner_config(where)
    course_id = str(get(cfg, "CourseDirectory", "course_id", "") or "")
    who: str | None = learner
    problem = ""
    if who is None:
        try:
            who = resolve_learner(configured=get(cfg, "CourseDirectory", "student_id"), env=environ)
        except PeerkitError as exc:
            problem = str(exc)
    if exchange is None and who is not None and course_id:
        try:
            exchange = _exchange(cfg, who, course_id, environ, service_url=service_url, backend_name=backend_name)
        except PeerkitError as exc:
            problem = f"the course's exchange cannot be reached: {exc}"
    return LearnerContext(where, cfg, course_id, who, exchange, problem)


def _exchange(
    cfg: Config,
    learner: str,
    course_id: str,
    environ: Mapping[str, str],
    *,
    service_url: str | None,
    backend_name: str | None,
) -> LearnerExchange:
    url = (service_url if service_url is not None else environ.get(SERVICE_URL_VARIABLE, "")).strip()
    token = environ.get(TOKEN_VARIABLE, "").strip()
    chosen = backend_name or environ.get(ENVIRONMENT["exchange_backend"], "").strip() or None
    if chosen is None:  # today's rule: the course service only when this server also holds a hub token
        chosen = default_backend(service_url=url if token else "")
    root = get(cfg, "Exchange", "root", "")
    return open_learner_exchange(
        learner=learner,
        course_id=course_id,
        exchange_root=Path(str(root)) if root else None,
        cache_dir=cache_dir(cfg),
        service_url=url,
        token=token,
        backend_name=chosen,
    )
