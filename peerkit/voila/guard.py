"""Who may reach peerkit's Voilà servers: this machine's names only, and the token of the run.

Standalone Voilà turns Jupyter Server's ``Host`` check off (``allow_remote_access``) for every handler
and leaves its static files and the preheated pages' websocket (``/voila/query``) outside any check. A
web page the facilitator visits could then rebind its own name to 127.0.0.1 and read the dashboard,
or drive it through its websocket (DNS rebinding). :class:`PeerkitVoila` is Voilà with every handler
wrapped in :class:`LocalOnly`:

* a request whose ``Host`` is not one of the server's names (the ``peerkit_allowed_hosts`` tornado
  setting, :func:`peerkit.voila.serve.allowed_hosts`) or a loopback address is refused with 403. Jupyter
  Server's handlers ask ``check_host`` themselves (their ``prepare``); the others are refused in theirs;
* Voilà's plain tornado handlers skip Jupyter's login: ``/voila/files/`` (the served folder's pictures: a
  learner's own files) and ``/voila/query/<kernel>`` (the address a page was opened with, ``?token=``
  included, which a preheated kernel receives). A kernel's id is on its command line, which every user of
  the host can read, so both now need the sign-in cookie or the token (:meth:`LocalOnly.signed_in`), as
  every page does, or, for ``/voila/query``, the key the server gave its own kernels in their environment
  (:meth:`LocalOnly.kernel_visit`: a preheated kernel asks it for its visitor); only Voilà's own code
  (:data:`PUBLIC`: scripts, styles, templates) answers without;
* every Voilà page sets the ``_xsrf`` cookie, which the page's unload beacon sends to shut its kernel
  down: a preheated page is rendered before any visitor, so Voilà never set it (voila#1458), and with
  XSRF checks on (they are) the beacon was refused;
* a visitor without the token is sent to :class:`LoginPage`, which says where the address with the token
  is (Voilà's would ask for a "password or token" and name ``jupyter server list``).

The token itself is Jupyter Server's token login (``Voila.token``): :func:`launch` reads it from the
environment (:data:`peerkit.voila.serve.TOKEN_ENV`) and removes it there, so that no kernel inherits it.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import secrets
from collections.abc import Awaitable, Sequence
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from tornado import web
from voila.app import Voila
from voila.handler import BaseVoilaHandler
from voila.request_info_handler import RequestInfoSocketHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

from peerkit.config.settings import VISIT_KEY_VARIABLE
from peerkit.voila.serve import ALLOWED_HOSTS_SETTING, TOKEN_ENV

_PORT = re.compile(r":\d+$")
#: Plain tornado handlers that serve Voilà's own code only (scripts, styles, templates): open without the token
#: (and :class:`LoginPage`, which says where the address with the token is).
PUBLIC: tuple[type[Any], ...] = (TemplateStaticFileHandler, MultiStaticFileHandler)


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """Whether a request's ``Host`` header (*host*, with or without its port) names this server: one of
    *allowed*, or a loopback address."""
    name = _PORT.sub("", host.strip()) if not host.strip().endswith("]") else host.strip()
    name = name.lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in allowed:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class LocalOnly(web.RequestHandler):
    """Mixed into every handler of a :class:`PeerkitVoila` (:func:`guarded`)."""

    def check_host(self) -> bool:
        """Whether the request's ``Host`` names this server (Jupyter Server's handlers ask this in ``prepare``)."""
        allowed = self.settings.get(ALLOWED_HOSTS_SETTING)
        return allowed is None or host_allowed(self.request.host, allowed)

    def signed_in(self) -> bool:
        """Whether the request carries the run's token (``?token=``, ``Authorization``) or the cookie it set:
        what Jupyter Server's login checks for its own handlers, asked here for Voilà's plain ones."""
        provider = self.settings.get("identity_provider")
        if provider is None or not provider.token:
            return False  # a server without a token: nothing of the learner's answers outside Jupyter's login
        given = provider.get_token(self) or ""
        if given and hmac.compare_digest(given.encode(), str(provider.token).encode()):
            return True
        return provider.get_user_cookie(self) is not None

    def kernel_visit(self) -> bool:
        """Whether this is a preheated kernel asking ``/voila/query`` for its visitor: it shows the key this server
        gave its kernels in their environment (:data:`~peerkit.config.settings.VISIT_KEY_VARIABLE`), which the
        host's other users cannot read, as they can read a kernel's id."""
        key = os.environ.get(VISIT_KEY_VARIABLE, "")
        given = self.get_query_argument("key", "")
        return isinstance(self, RequestInfoSocketHandler) and bool(key) and hmac.compare_digest(given, key)

    def prepare(self) -> Awaitable[None] | None:
        if not isinstance(self, JupyterHandler):  # a plain tornado handler: nobody else checks
            if not self.check_host():
                raise web.HTTPError(403, "request for another host")
            if not isinstance(self, (*PUBLIC, LoginPage)) and not (self.signed_in() or self.kernel_visit()):
                raise web.HTTPError(403, "sign in with the address peerkit serve printed")
        prepared: Awaitable[None] | None = super().prepare()
        page: bool = isinstance(self, BaseVoilaHandler)  # a Voilà page or file tree
        if self.request.method == "GET" and page:
            return self._set_xsrf_cookie(prepared)
        return prepared

    async def _set_xsrf_cookie(self, prepared: Awaitable[None] | None) -> None:
        """Once the visitor is known (Voilà's ``prepare``), set the ``_xsrf`` cookie the unload beacon sends."""
        if prepared is not None:
            await prepared
        if not self._finished:
            self.xsrf_token  # noqa: B018 - a property that sets the cookie


class LoginPage(web.RequestHandler):
    """Where a visitor without the token lands (Jupyter Server's login redirect): what to open instead."""

    def get(self) -> None:
        self.set_status(401)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Open the address from the terminal</title></head>\n"
            '<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5">\n'
            "<h1>Open the address from the terminal</h1>\n"
            "<p>This page opens from the address that <code>peerkit serve</code> printed in the terminal where "
            "it runs: it ends in <code>?token=</code> and a long code. Open that address (click it or copy it "
            "into this browser); it works until <code>peerkit serve</code> stops, and each start prints a new "
            "one.</p>\n</body></html>\n"
        )


_GUARDED: dict[type[Any], type[Any]] = {}


def guard(handler: type[Any]) -> type[Any]:
    """*handler* with :class:`LocalOnly` in front (one class per handler class)."""
    if issubclass(handler, LocalOnly):
        return handler
    if handler not in _GUARDED:
        _GUARDED[handler] = type(handler.__name__, (LocalOnly, handler), {"__module__": __name__})
    return _GUARDED[handler]


def guarded(rules: Sequence[Any]) -> list[Any]:
    """Voilà's URL rules (``(pattern, handler[, kwargs[, name]])``) with every handler guarded."""
    return [(rule[0], guard(rule[1]), *rule[2:]) for rule in rules]


class PeerkitVoila(Voila):  # type: ignore[misc]
    """Voilà with every handler behind :class:`LocalOnly` and peerkit's :class:`LoginPage`."""

    def init_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = super().init_settings()
        self.identity_provider.login_handler_class = LoginPage
        return settings

    def init_handlers(self) -> list[Any]:
        return guarded(super().init_handlers())


def launch(argv: list[str]) -> None:
    """Run :class:`PeerkitVoila`'s command line with *argv*, requiring the token in :data:`TOKEN_ENV` (or, with
    none there, one Voilà makes and prints in its address: a server started by hand from ``--prepare-only``)."""
    token = os.environ.pop(TOKEN_ENV, "")
    os.environ[VISIT_KEY_VARIABLE] = secrets.token_urlsafe(32)  # the kernels' own, new at every run
    options: dict[str, Any] = {"token": token} if token else {"auto_token": True}
    PeerkitVoila.launch_instance(argv, **options)
