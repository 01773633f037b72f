"""A throwaway PostgreSQL server for tests and benchmarks: Debian's server binaries, a fresh
cluster in a temporary folder, a free port on 127.0.0.1, trust authentication (loopback only).

As root, the cluster is created and run as the ``postgres`` system user (PostgreSQL refuses to
run as root); otherwise as the current user. Nothing system-wide is configured or started.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.ports import free_port


def server_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin/ folder (Debian layout), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self, root: Path, *, durable: bool = False) -> None:
        """*durable*: fsync on, as a production server runs (tests run with fsync off, for speed)."""
        self.durable = durable
        bindir = server_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries are not installed (Debian package postgresql)")
        self.bin = bindir
        self.root = root
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "server.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [*args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL {what} failed: {result.stderr.strip()}\n{log}")

    def start(self) -> PostgresServer:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if self.as_postgres:
            self.root.parent.chmod(0o755)
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockets, "postgres")
            self.root.chmod(0o700)
        if not self.data.exists():
            self._check(
                self._run(
                    str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
                ),
                "initdb",
            )
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        if not self.durable:
            options += " -c fsync=off"
        self._check(
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
            ),
            "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        """Create database *name* and return its SQLAlchemy URL."""
        result = self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        self._check(result, f"createdb {name}")
        return self.url(name)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not come up")


@contextmanager
def throwaway_postgres(*, durable: bool = False) -> Iterator[PostgresServer]:
    """A started server in its own folder under the system temp dir, removed afterwards.

    Not under pytest's temporary folders: those are private to root, and as root the server runs
    as the ``postgres`` user, which must be able to reach its data folder.
    """
    root = Path(tempfile.mkdtemp(prefix="peerkit-postgres-"))
    server = PostgresServer(root / "cluster", durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
