"""The exchange backends by name, and the two functions that open a side from plain values.

::

    BACKENDS = {"files": "peerkit.exchange.files:FilesBackend", "hub": "peerkit.exchange.hub:HubBackend"}

The choice is a setting (``PeerkitConfig.exchange_backend``, variable ``PEERKIT_EXCHANGE_BACKEND``);
left unset it follows today's rule: the hub backend where a course service URL is configured
(``PEERKIT_SERVICE_URL``), the files backend otherwise. :func:`open_learner_exchange` and
:func:`open_course_exchange` take plain values (exchange root, course id, service URL, store), so
the configuration object and tests can both call them.

Adding a transport (say an HTTP exchange service in the style of ngshare) is one new module that
defines a class with the two methods of :class:`~peerkit.exchange.base.ExchangeBackend` (``course``
and ``learner``, returning objects with the methods of
:class:`~peerkit.exchange.base.CourseExchange` and :class:`~peerkit.exchange.base.LearnerExchange`),
plus one line in :data:`BACKENDS`; ``tests/exchange/test_contract.py`` then runs it through the same
cases as the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from peerkit.core.errors import ConfigError
from peerkit.exchange.base import CourseExchange, ExchangeBackend, LearnerExchange

if TYPE_CHECKING:
    from peerkit.storage.sql import SqlStore

BACKENDS: Final[dict[str, str]] = {
    "files": "peerkit.exchange.files:FilesBackend",
    "hub": "peerkit.exchange.hub:HubBackend",
}


def backend(name: str) -> ExchangeBackend:
    """The backend registered as *name*."""
    target = BACKENDS.get(name)
    if target is None:
        known = ", ".join(sorted(BACKENDS))
        raise ConfigError(f"no exchange backend {name!r}; choose one of {known}", source="exchange_backend")
    module, _, attribute = target.partition(":")
    return cast(ExchangeBackend, getattr(importlib.import_module(module), attribute)())


def default_backend(*, service_url: str) -> str:
    """Today's rule: the hub backend where the course service is configured, else files."""
    return "hub" if service_url.strip() else "files"


def open_learner_exchange(
    *,
    learner: str,
    course_id: str,
    exchange_root: Path | None,
    cache_dir: Path | None,
    service_url: str = "",
    token: str = "",
    backend_name: str | None = None,
) -> LearnerExchange:
    """*learner*'s side of the exchange of *course_id*."""
    chosen = backend(backend_name or default_backend(service_url=service_url))
    return chosen.learner(
        learner=learner,
        course_id=course_id,
        exchange_root=exchange_root,
        cache_dir=cache_dir,
        service_url=service_url,
        token=token,
    )


def open_course_exchange(
    *,
    course_id: str,
    exchange_root: Path | None,
    store: SqlStore | None,
    backend_name: str | None = None,
    unix_users: Mapping[str, str] | None = None,
) -> CourseExchange:
    """The course's side. Without a backend name: files when learners' review channels are written
    beside the exchange (*exchange_root* given), hub (the store only) when they are not. *unix_users*
    maps learner ids to Unix logins where they differ (``PeerkitConfig.unix_users``)."""
    chosen = backend(backend_name or ("files" if exchange_root is not None else "hub"))
    return chosen.course(course_id=course_id, exchange_root=exchange_root, store=store, unix_users=unix_users)
