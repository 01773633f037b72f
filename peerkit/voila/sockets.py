"""Kernels talk to their server over Unix sockets, never over TCP ports another process can take.

jupyter_client gives a new kernel its five TCP ports by binding each to port 0 and releasing it; the
kernel binds them a moment later. In between, any process on the host may take one (jupyter_client#487).
On a host where several learners' servers start kernels at once (a class opening its pages, a hub's
servers preheating theirs) a kernel then fails to bind, and ipykernel hangs at exit instead of dying,
so the restarter never replaces it: the learner's page waits a minute for a kernel that never answers
and shows an error. Seen in this project's hub tests, three servers starting kernels in the same second.

Unix sockets (``ipc``) are files named after the kernel's id in the folder of its connection file: no
two kernels share one. A socket's path has a length limit (``zmq.IPC_PATH_MAX_LEN``: 107 bytes on Linux,
103 on macOS), so the folder must be short:

* standalone Voilà (``peerkit serve``) keeps connection files in a fresh ``voila_*`` folder under the
  system's temporary folder, short unless ``TMPDIR`` is long (macOS's is 49 characters): then under
  ``/tmp`` (:func:`voila_arguments`);
* a server on the hub keeps them in its runtime folder, ``~/.local/share/jupyter/runtime``, short in
  ``/home/<name>`` but not in a deep home folder: then in a private folder of its own under the
  temporary folder, removed when the server stops (:func:`use_short_runtime_dir`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Final

#: What a kernel's socket adds to its folder's path: ``/kernel-<uuid>-ipc-<n>`` (n below 100).
SOCKET_NAME: Final = len("/kernel-") + 36 + len("-ipc-") + 2
#: What standalone Voilà adds to its temporary folder's path for its connection folder: ``/voila_<8>``.
VOILA_FOLDER: Final = len("/voila_") + 8
PRIVATE_PREFIX: Final = "peerkit-kernels-"
#: What a hub server's private runtime folder adds to its temporary folder's path: ``/peerkit-kernels-<8>``.
PRIVATE_FOLDER: Final = len("/" + PRIVATE_PREFIX) + 8


def transport_config() -> dict[str, Any]:
    """The kernel managers' config: Unix sockets where the platform has them (:func:`_ipc`; TCP otherwise)."""
    return {"KernelManager": {"transport": "ipc" if _ipc() else "tcp"}}


def _ipc() -> bool:
    """Whether kernels use Unix sockets here: POSIX systems whose ZeroMQ has them (Windows keeps TCP)."""
    import zmq

    return os.name == "posix" and bool(zmq.has("ipc"))


def path_limit() -> int:
    """The longest socket path the platform takes, in bytes."""
    import zmq

    return int(getattr(zmq, "IPC_PATH_MAX_LEN", 0)) or 103


def fits(folder: str | Path, extra: int = 0) -> bool:
    """Whether kernel sockets fit in *folder* (after *extra* more characters of path)."""
    return len(os.fsencode(str(folder))) + extra + SOCKET_NAME <= path_limit()


def short_temporary_root(extra: int) -> str:
    """A temporary folder under which *extra* characters of folder and a kernel's socket fit: the system's
    (``tempfile.gettempdir()``), else ``/tmp``.

    Raises SystemExit naming ``TMPDIR`` and the limit when neither fits."""
    for root in (tempfile.gettempdir(), "/tmp"):  # noqa: S108 - only a root: the folders under it are private
        if fits(root, extra) and Path(root).is_dir() and os.access(root, os.W_OK | os.X_OK):
            return root
    raise SystemExit(
        f"peerkit: kernels need a temporary folder whose path is at most {path_limit() - SOCKET_NAME - extra} "
        f"characters long (their sockets live there), and {tempfile.gettempdir()!r} is longer; /tmp is not "
        "usable either. Set TMPDIR to a short folder you can write to, e.g.  export TMPDIR=/tmp"
    )


def voila_arguments() -> list[str]:
    """Standalone Voilà's command-line options that keep its kernels' sockets short enough (none, usually)."""
    if not _ipc() or fits(tempfile.gettempdir(), VOILA_FOLDER):
        return []
    return [f"--Voila.connection_dir_root={short_temporary_root(VOILA_FOLDER)}"]


def use_short_runtime_dir() -> Path | None:
    """Move this Jupyter server's runtime folder (its kernels' connection files and sockets) to a private
    temporary folder when the sockets would not fit in the usual one; the folder goes when the process exits.
    Returns the new folder, or None when the usual one does (or the platform has no Unix sockets)."""
    from jupyter_core.paths import jupyter_runtime_dir

    if not _ipc():
        return None
    if fits(jupyter_runtime_dir()):
        return None
    # mkdtemp: a new folder, 0700, that no other user on the host can have prepared.
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=short_temporary_root(PRIVATE_FOLDER)))
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
