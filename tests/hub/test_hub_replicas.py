"""Two replicas of the course service behind the hub's proxy and a load balancer, on one PostgreSQL,
while learners save drafts: a replica killed mid-load and started again, or PostgreSQL restarted
mid-load, loses no acknowledged save and shows no learner an error (the client retries)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from peerkit.storage.sql import SqlStore
from tests.conftest import require
from tests.hub.conftest import write_hub_course
from tests.hub.harness import Hub, chp_command, request
from tests.hub.load import PATH, Load, at
from tests.hub.replicas import PREFIX, Replica, RoundRobin, external_service
from tests.postgres_server import PostgresServer, server_bin, throwaway_postgres

pytestmark = [pytest.mark.hub, pytest.mark.postgres]

LEARNERS = 100
SECONDS = 20.0  # long enough for a fault at 6 s and the recovery after it to be in the middle of the load


@dataclass
class Cluster:
    hub: Hub
    postgres: PostgresServer
    replicas: list[Replica]
    front: RoundRobin
    tokens: dict[str, str]
    store: SqlStore

    @property
    def url(self) -> str:
        return f"{self.hub.url}{PREFIX}"  # through the hub's proxy, as learners' kernels call it

    def load(self) -> Load:
        return Load(self.url, self.tokens, SECONDS)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require(chp_command() is not None, "configurable-http-proxy is not installed (the test command installs it)")
    require(server_bin() is not None, "PostgreSQL server binaries are not installed (Debian package postgresql)")
    root = tmp_path_factory.mktemp("replicas")
    exchange = root / "exchange"
    exchange.mkdir()
    token = os.urandom(16).hex()
    with throwaway_postgres(durable=True) as postgres:
        front = RoundRobin(backends=[], failover=False).start()  # a dead replica's connections fail
        hub = Hub(
            root=root,
            course_id="review-course",
            course_file=write_hub_course(root / "src"),
            course_root=root / "course-root",
            exchange=exchange,
            db_url=postgres.create_database("peerkit_replicas"),
            users=[],
            facilitators=[],
            learners=[],
            extra_config=external_service(front.url, token),
        )
        replicas: list[Replica] = []
        try:
            # The replicas come up before the hub (they need only its address and the store): the hub waits
            # at startup for every external service it knows, 30 s for one that does not answer yet.
            hub.course_root.mkdir(parents=True, exist_ok=True)
            replicas = [Replica(hub, token, root / f"replica-{i}.log").start() for i in range(2)]
            for replica in replicas:
                replica.wait_ready()
            front.backends[:] = [r.port for r in replicas]
            hub.start()
            users = [f"learner{i:03d}" for i in range(LEARNERS)]
            assert hub.api("POST", "users", {"usernames": users}).status == 201
            store = SqlStore.open(hub.db_url)
            store.deliver([(u, f"round-{PATH}.json", {"path": PATH, "packets": [], "self": "s"}) for u in users])
            yield Cluster(hub, postgres, replicas, front, {u: hub.token(u) for u in users}, store)
            store.close()
        finally:
            for replica in replicas:
                replica.stop()
            hub.stop()
            front.stop()


def check(cluster: Cluster, load: Load, *, retried: bool = True) -> None:
    print(
        f"\n{len(load.learners)} learners, {load.acknowledged} saves acknowledged, {load.retried} retries, "
        f"{len(load.errors)} errors, connections per replica {cluster.front.connections}"
    )
    assert load.errors == [], f"{len(load.errors)} errors reached learners' pages:\n" + "\n".join(load.errors[:20])
    assert load.lost(cluster.store) == [], "acknowledged saves were lost"
    assert load.acknowledged >= LEARNERS * SECONDS / load.interval * 0.7, load.acknowledged
    if retried:  # the fault did happen under the load, and the client rode it out
        assert load.retried > 0


def test_the_probes_and_both_replicas_serve_through_the_hub(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        assert request("GET", f"{replica.url}{PREFIX}health").status == 200
        assert request("GET", f"{replica.url}/ready").json()["migrations"] is True
    for _ in range(3):
        response = request("GET", f"{cluster.url}api/whoami", token=cluster.tokens["learner000"])
        assert (response.status, response.json()["name"]) == (200, "learner000")


def test_a_replica_killed_mid_load_loses_no_acknowledged_save(cluster: Cluster) -> None:
    victim = cluster.replicas[0]
    load = cluster.load()

    def fault(started: float) -> None:
        at(6, started)
        served = cluster.front.connections.get(victim.port, 0)
        assert served > 0, "the replica to kill served nothing: the load is not spread"
        victim.kill()
        at(9, started)
        victim.start()
        victim.wait_ready()

    load.run(during=fault)
    check(cluster, load)
    served = cluster.front.connections
    assert all(served.get(r.port, 0) > 0 for r in cluster.replicas), served


def test_a_postgresql_restart_mid_load_loses_no_acknowledged_save(cluster: Cluster) -> None:
    load = cluster.load()

    def fault(started: float) -> None:
        at(6, started)
        cluster.postgres.restart()

    load.run(during=fault)
    check(cluster, load)
    for replica in cluster.replicas:
        assert request("GET", f"{replica.url}/ready").status == 200


def test_the_replicas_logs_hold_no_traceback(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        assert "Traceback" not in Path(replica.log).read_text(errors="replace"), replica.log_tail()
