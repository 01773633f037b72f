"""Serve a learner's course folder with Voilà, configured for peerkit.

What the configuration does, and why:

* ``extension_allowlist``: a learner's page loads only the two front-end extensions that draw
  widgets (:data:`LEARNER_LAB_EXTENSIONS`); Voilà would otherwise load every JupyterLab extension
  installed beside it. nbgrader's and Notebook 7's are built for JupyterLab 4.6 while Voilà 0.5.13's
  front end ships 4.2 core packages: they fill the console with errors ("Shared module ... doesn't
  exist") and cost requests. The dashboard's server (``lab_extensions=None``) loads everything but
  :data:`DENIED_LAB_EXTENSIONS`, so that a plotting extension installed for it works.
* ``transport_encryption = "auto"``: each kernel gets CurveZMQ keys from the server (ipykernel
  declares support), so kernel traffic is encrypted and ipykernel no longer warns, at every kernel
  start, that it is "susceptible to eavesdropping".
* ``KernelManager.transport = "ipc"``: kernels talk to the server over Unix sockets, never over TCP
  ports another process on the host can take first (:mod:`peerkit.voila.sockets`).
* ``show_tracebacks = False``: learners never see code, not even in an error.
* preheated kernels (one per notebook): a page opens on a kernel that has already run the
  notebook. The widgets re-read answers when the kernel is handed to a visitor (see
  :func:`peerkit.widgets.page.reload_when_visited`).
* who may open the pages (:mod:`peerkit.voila.guard` does the checking):

  - a secret token per server and per run (:func:`new_token`), handed to the server in its
    environment (:data:`TOKEN_ENV`, never on its command line, which every user of the host can
    read) and printed in the address ``peerkit serve`` shows (:func:`page_url`). Jupyter Server's
    token login (``Voila.token``) checks it, then keeps the visitor signed in with a cookie, so the
    page's own requests and websockets work; every other request is refused. Without it, any user
    of a shared host could open the dashboard (every learner's work and grades) or act as the learner;
  - requests must name this machine in their ``Host`` (:func:`allowed_hosts`): a web page the
    facilitator visits cannot reach the servers through DNS rebinding. Jupyter Server's own check
    (``allow_remote_access``, ``local_hostnames``) when bound to localhost, and peerkit's for every
    handler, Voilà's static files and websockets included, and for an address given with ``--ip``;
  - XSRF checks stay on: the page's unload beacon, which shuts its kernel down, sends the ``_xsrf``
    cookie, which the guard sets on every page (a preheated page never set it: voila#1458);
    culling of idle, unconnected kernels catches the rest. Pooled kernels are never culled by Voilà.
* ``port_retries = 0``: Voilà would otherwise silently move to the next free port.
* the ``peerkit`` template sends ``/`` (Voilà's file tree) to the course home.

The facilitator's dashboard runs in a second Voilà server on its own port, serving one notebook
from the facilitator's folder (never a learner's), with the course, work folder and store in its
environment (:func:`dashboard_env`); its kernels start on demand. Both run, start and stop together
through :mod:`peerkit.voila.processes`.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from peerkit.config.settings import ENVIRONMENT, PeerkitConfig
from peerkit.storage.atomic import write_atomic
from peerkit.voila.sockets import transport_config

DENIED_LAB_EXTENSIONS = (
    "@jupyter/nbgrader",
    "@jupyter-notebook/lab-extension",
    "@voila-dashboards/jupyterlab-preview",
)
#: The front-end extensions a learner's page needs: the widget manager of jupyterlab_widgets (it
#: registers @jupyter-widgets/base and controls, without which no widget renders) and Voilà's own
#: widget manager for ipywidgets 8.
LEARNER_LAB_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")
TEMPLATE = "peerkit"
#: The environment variable that hands a server its token (read and removed by :func:`peerkit.voila.guard.launch`).
TOKEN_ENV = "PEERKIT_VOILA_TOKEN"  # noqa: S105 - the name of the variable, not a secret
#: The tornado setting that lists the ``Host`` names a server answers (:mod:`peerkit.voila.guard`).
ALLOWED_HOSTS_SETTING = "peerkit_allowed_hosts"
#: What a browser on this machine calls it; loopback addresses (127.0.0.2, ...) are accepted too.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
#: Addresses that bind every interface: their requests may name the host anything.
WILDCARD_IPS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - compared, not bound


@dataclass(frozen=True, slots=True)
class ServeOptions:
    port: int = 8866
    ip: str = "localhost"
    preheat: bool = True
    pool_size: int = 1
    cull_idle_seconds: int = 600
    #: The only JupyterLab extensions the pages load; None: every installed one but the denied.
    lab_extensions: tuple[str, ...] | None = LEARNER_LAB_EXTENSIONS

    @property
    def local_only(self) -> bool:
        return self.ip in LOCAL_HOSTS


def allowed_hosts(ip: str) -> list[str] | None:
    """The names a request's ``Host`` may give for a server bound to *ip*: this machine's (:data:`LOCAL_HOSTS`)
    and *ip* itself; None for a wildcard address (every interface: any name may reach it, and only the token
    guards it)."""
    if ip.strip("[]") in WILDCARD_IPS:
        return None
    return list(dict.fromkeys([*LOCAL_HOSTS, ip.strip("[]").lower()]))


def new_token() -> str:
    """A fresh secret for one server's run (48 hex digits, as Jupyter Server makes its own)."""
    return secrets.token_hex(24)


def page_url(host: str, port: int, token: str | None, path: str = "/") -> str:
    """The address to open: *host* and *port*, and the token that signs the browser in."""
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{name}:{port}{path}" + (f"?token={token}" if token else "")


def with_token(env: dict[str, str], token: str) -> dict[str, str]:
    """*env* for a server that requires *token* (:data:`TOKEN_ENV`)."""
    return {**env, TOKEN_ENV: token}


def template_root() -> Path:
    """The folder to add to ``JUPYTER_PATH`` so Voilà finds the ``peerkit`` template."""
    return Path(str(resources.files("peerkit").joinpath("templates")))


def extension_config(lab_extensions: tuple[str, ...] | None) -> dict[str, list[str]]:
    """``VoilaConfiguration``'s extension list: an allow-list, or (None) the deny-list."""
    if lab_extensions is None:
        return {"extension_denylist": list(DENIED_LAB_EXTENSIONS)}
    return {"extension_allowlist": list(lab_extensions)}


def voila_config(notebooks: list[str], options: ServeOptions) -> dict[str, Any]:
    """Voilà's config (``voila.json``) for a course folder holding *notebooks* (paths relative to it)."""
    config: dict[str, Any] = {
        "Voila": {
            "port": options.port,
            "ip": options.ip,
            "port_retries": 0,
            "open_browser": False,
        },
        "VoilaConfiguration": {
            **extension_config(options.lab_extensions),
            "show_tracebacks": False,
            "template": TEMPLATE,
            "preheat_kernel": options.preheat,
        },
        "MappingKernelManager": {
            "cull_idle_timeout": options.cull_idle_seconds,
            "cull_interval": 60,
            "cull_connected": False,
            "transport_encryption": "auto",
        },
        **transport_config(),
    }
    config["Voila"]["tornado_settings"] = {
        ALLOWED_HOSTS_SETTING: allowed_hosts(options.ip),
        # Jupyter Server's own Host check (Voilà turns it off): loopback addresses and these names only.
        "allow_remote_access": not options.local_only,
        "local_hostnames": ["localhost"],
    }
    if options.preheat:
        pools: dict[str, Any] = {"default": {"pool_size": 0}}
        for name in notebooks:
            pools[name] = {"pool_size": options.pool_size}
        config["VoilaKernelManager"] = {"kernel_pools_config": pools}
    return config


def server_extension_config(lab_extensions: tuple[str, ...] | None = LEARNER_LAB_EXTENSIONS) -> dict[str, Any]:
    """Jupyter server config for a server that runs Voilà as one of its extensions (a hub's
    single-user servers, nbgrader's course service): the same extension list, hidden tracebacks,
    template and encrypted kernel transport over Unix sockets as :func:`voila_config` gives ``peerkit serve`` (the
    template is found through :func:`with_template_path`), and, as standalone Voilà has it, no
    MathJax from a CDN (Voilà's server extension falls back to cdnjs when the server has no
    ``mathjax_url``). The extension list only applies to Voilà's pages, never to JupyterLab's.

    And no file from ``/voila/files/``: Voilà's handler there skips the server's login, so anyone who
    reaches the hub could read the pictures under a learner's home (``/user/<learner>/voila/files/...``);
    no peerkit page shows a file from there (``peerkit serve``'s guard asks for the token instead)."""
    return {
        "VoilaConfiguration": {
            **extension_config(lab_extensions),
            "show_tracebacks": False,
            "template": TEMPLATE,
            "file_allowlist": [],
        },
        "MappingKernelManager": {"transport_encryption": "auto"},
        **transport_config(),
        "ServerApp": {"tornado_settings": {"mathjax_url": None, "mathjax_config": None}},
    }


def prepend_path(env: dict[str, str], key: str, folder: Path) -> dict[str, str]:
    """*env* with *folder* first on the path list *key* (and nowhere else on it)."""
    paths = [str(folder), *(p for p in env.get(key, "").split(os.pathsep) if p)]
    return {**env, key: os.pathsep.join(dict.fromkeys(paths))}


def with_template_path(env: dict[str, str]) -> dict[str, str]:
    """*env* with the peerkit template's folder first on ``JUPYTER_PATH``."""
    return prepend_path(env, "JUPYTER_PATH", template_root())


def write_voila_config(config_dir: Path, notebooks: list[str], options: ServeOptions) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    file = config_dir / "voila.json"
    write_atomic(file, (json.dumps(voila_config(notebooks, options), indent=1) + "\n").encode())
    return file


def voila_command(course_dir: Path, config_dir: Path) -> list[str]:
    """Voilà serving *course_dir* (a folder: the tree and its notebooks; a notebook: that one app)."""
    return [
        sys.executable,
        "-P",  # never a module from the folder it runs in (``python -m`` puts that first on the import path)
        "-m",
        "peerkit.voila.launch",  # Voilà's command line, without a second of import nobody uses
        str(course_dir),
        "--no-browser",
        "--Voila.config_file_paths",
        str(config_dir),
    ]


def jupyter_data_dir(home: Path) -> Path:
    """The Jupyter data folder of a server run with :func:`voila_env` for *home* (its notebook
    signatures, see :func:`peerkit.voila.trust.trust_notebooks`)."""
    return home / ".local" / "share" / "jupyter"


def voila_env(learner_home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The Voilà server's environment: the learner's HOME (their nbgrader config, cache, Jupyter
    data), the peerkit template on ``JUPYTER_PATH``, this interpreter's scripts first on PATH."""
    env = dict(os.environ if base is None else base)
    for key in [k for k in env if k.startswith("JUPYTERHUB_")]:
        del env[key]  # the local demo serves its configured learner, whatever shell it starts from
    env["HOME"] = str(learner_home)
    # Explicit, so that neither the caller's settings nor JUPYTER_PLATFORM_DIRS move them elsewhere.
    env["JUPYTER_CONFIG_DIR"] = str(learner_home / ".jupyter")
    env["JUPYTER_DATA_DIR"] = str(jupyter_data_dir(learner_home))
    env.pop("JUPYTER_RUNTIME_DIR", None)
    env.pop(TOKEN_ENV, None)  # a server's token is its own (:func:`with_token`), never one from the caller's shell
    env = with_template_path(env)
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    return env


def dashboard_env(
    facilitator_home: Path,
    *,
    course_file: Path,
    workdir: Path,
    db_url: str | None,
    exchange: Path | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """The dashboard server's environment: like a learner's (:func:`voila_env`), in the facilitator's
    folder, plus the settings that say where the course, the work folder and the store are (read
    back by :func:`peerkit.config.settings.settings_from_env`)."""
    env = voila_env(facilitator_home, base)
    settings = PeerkitConfig(course_file=course_file, workdir=workdir, db_url=db_url or "", exchange=exchange)
    for name in ("course_file", "workdir", "db_url", "exchange"):
        env.pop(ENVIRONMENT[name], None)  # only what this server was started with
    env.update(settings.child_env())
    return env
