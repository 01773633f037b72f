"""The learner's client of the course service tries again, within its patience, when a replica is
killed under it: a refused connection, a reset one, an answer cut off, a 503 from the proxy."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from peerkit.core.errors import ServiceError
from peerkit.exchange.hub.client import ServiceClient
from tests.ports import free_port

OK = b'{"name": "ana"}'


def answer(status: str, body: bytes, *, length: int | None = None) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {length or len(body)}\r\n"
    return head.encode() + b"Connection: close\r\n\r\n" + body


Behaviour = Callable[[socket.socket], None]


def close_at_once(conn: socket.socket) -> None:
    conn.close()


def cut_off(conn: socket.socket) -> None:
    conn.sendall(answer("200 OK", OK[:5], length=len(OK)))
    conn.close()


def unavailable(conn: socket.socket) -> None:
    conn.sendall(answer("503 Service Unavailable", b"<html>proxy error</html>"))
    conn.close()


def ok(conn: socket.socket) -> None:
    conn.sendall(answer("200 OK", OK))
    conn.close()


def serve(sock: socket.socket, behaviours: list[Behaviour], seen: list[bytes]) -> None:
    for behave in behaviours:
        conn, _ = sock.accept()
        seen.append(conn.recv(65536))
        behave(conn)


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def test_a_reset_a_cut_off_answer_and_a_503_are_tried_again(listening: socket.socket) -> None:
    seen: list[bytes] = []
    server = threading.Thread(target=serve, args=(listening, [close_at_once, cut_off, unavailable, ok], seen))
    server.start()
    waits: list[str] = []
    port = listening.getsockname()[1]
    client = ServiceClient(f"http://127.0.0.1:{port}/", "tok", patience=20, on_wait=lambda m, _s: waits.append(m))
    assert client.whoami() == json.loads(OK)
    server.join(10)
    assert len(seen) == 4 and all(b"Authorization: token tok" in request for request in seen)
    assert len(waits) == 3


def test_a_refused_connection_is_tried_again_until_the_replica_is_back() -> None:
    port = free_port()
    client = ServiceClient(f"http://127.0.0.1:{port}/", "tok", patience=20)
    seen: list[bytes] = []

    def come_back() -> None:
        time.sleep(0.5)  # the replica restarts
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(1)
            serve(sock, [ok], seen)

    server = threading.Thread(target=come_back)
    server.start()
    assert client.whoami() == json.loads(OK)
    server.join(10)


def test_beyond_its_patience_the_client_says_the_service_cannot_be_reached() -> None:
    client = ServiceClient("http://127.0.0.1:9/", "tok", patience=0.5)
    with pytest.raises(ServiceError, match="cannot be reached"):
        client.whoami()
