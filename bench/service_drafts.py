"""500 learners saving review drafts through the hub service at once, for 60 s, on one and on two replicas.

    .venv/bin/python -m bench.service_drafts [--learners 500] [--seconds 60] [--interval 2.0] [--hub-db postgres]

Starts what a scaled-out hub deployment runs: a real JupyterHub with the documented configuration,
the peerkit service registered with it as an external service behind a load balancer (the TCP
round-robin of tests/hub/replicas.py, as a Kubernetes Service spreads connections over its pods),
two ``peerkit service`` replicas behind it, and a throwaway PostgreSQL server with fsync on (holding
the peerkit store and, as in the Zero to JupyterHub values we ship, the hub's own database;
``--hub-db sqlite`` gives the hub the SQLite file of a one-host install instead). It
creates N hub users and their API tokens and gives each a review round with a self-assessment and
one packet. Then N simulated learners, split over two load processes, each save their draft every
``interval`` seconds (as the review app does while they type: each change, coalesced) through the
load balancer with their own token, each request on a new connection as the kernel's urllib
client makes it: first with the balancer sending everything to one replica, then to both.

Every save is a write, and every write asks the hub again about the token (no cache: a revoked token
writes nothing more), so each save costs one round trip to the hub besides the database; a save whose
token the hub vouched for within the service's ``auth_cache`` runs that round trip beside its
transaction, which commits on the hub's answer.

Printed, for one replica and for two: requests, errors, p50/p90/p99/max latency of the draft saves,
beside the same figures for ``api/whoami`` under the same load on the same replicas (the baseline:
a cached token check and HTTP, no database; the first request of each token, which the hub checks
before the service caches the answer, is reported on its own line), the hub's own token check
(``GET /hub/api/user``) at the same rate, which every save waits for, p99 per 5-second window (the
draft saves' cold start is in the first), and the lost writes: after each run every learner's stored
draft must hold their last acknowledged save and a version equal to the number of saves
acknowledged. Where a save's time goes: p50/p99 of each part the service reports in its
``Server-Timing`` header (hub check, worker queue, database, the transaction's wait for the hub), and
the CPU each process used (hub, replicas, PostgreSQL, load generators, the load balancer): every
part shares this machine's cores. Target: p99 ≤ 50 ms with two replicas, 0 lost writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.hub.conftest import write_hub_course
from tests.hub.harness import Hub, chp_command
from tests.hub.replicas import PREFIX, Replica, RoundRobin, external_service
from tests.postgres_server import throwaway_postgres

TARGET_P99 = 0.050
PATH = "essay"


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def draft(n: int, learner: str) -> dict[str, Any]:
    text = f"Draft {n} by {learner}: the story was specific, the lesson could name one next step. " * 3
    return {
        "answer": {
            "kind": "review",
            "value": {"scores": {"clarity": 2}, "comments": {"strengths": text}},
            "updated": "2026-11-22T12:00:00Z",
        },
        "base": None,
    }


async def _learners(
    url: str,
    tokens: dict[str, str],
    seconds: float,
    interval: float,
    endpoint: str,
    seed: int,
    draft_ids: dict[str, str],
) -> dict[str, Any]:
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError

    AsyncHTTPClient.configure(None, max_clients=len(tokens) + 10)
    client = AsyncHTTPClient()
    rng = random.Random(seed)
    latencies: list[float] = []
    parts: list[dict[str, float]] = []  # each save's Server-Timing, in ms
    errors: dict[str, int] = {}
    acked: dict[str, tuple[int, int]] = {}  # learner -> (last acknowledged n, saves acknowledged)
    deadline = time.monotonic() + seconds

    async def learner(name: str, token: str) -> None:
        await asyncio.sleep(rng.uniform(0, interval))  # learners do not start in lockstep
        n = 0
        count = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                if endpoint == "drafts":
                    response = await client.fetch(
                        f"{url}api/paths/{PATH}/drafts/{draft_ids.get(name, 'self')}",
                        method="PUT",
                        body=json.dumps(draft(n, name)),
                        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
                        request_timeout=30,
                    )
                    count += 1
                    acked[name] = (n, count)
                    parts.append(server_timing(response.headers.get("Server-Timing", "")))
                else:  # whoami on the service, or the hub's own token check (url is then the hub's API)
                    path = "user" if endpoint == "hub" else "api/whoami"
                    await client.fetch(f"{url}{path}", headers={"Authorization": f"token {token}"}, request_timeout=30)
                latencies.append((started - deadline + seconds, time.monotonic() - started))
            except HTTPClientError as exc:
                errors[str(exc.code)] = errors.get(str(exc.code), 0) + 1
            except Exception as exc:  # noqa: BLE001 - every failure is counted, by kind
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            n += 1
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)) * rng.uniform(0.8, 1.2))

    cpu = time.process_time()
    await asyncio.gather(*(learner(name, token) for name, token in tokens.items()))
    return {"latencies": latencies, "errors": errors, "acked": acked, "parts": parts, "cpu": time.process_time() - cpu}


def server_timing(header: str) -> dict[str, float]:
    """``hub;dur=3.1, db;dur=2.0`` as {"hub": 3.1, "db": 2.0} (ms)."""
    parts = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name and duration:
            parts[name] = float(duration)
    return parts


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(postgres: Any) -> list[int]:
    """The PostgreSQL server's processes: its postmaster and every backend and helper under it."""
    try:
        postmaster = int((Path(postgres.data) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


class CpuMeter:
    """CPU used by each part of the deployment between :meth:`start` and :meth:`report`."""

    def __init__(self, parts: dict[str, Any]) -> None:
        self.parts = parts  # name -> callable returning the pids of that part now
        self.before: dict[int, float] = {}
        self.started = 0.0
        self.own = 0.0

    def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pids in self.parts.values() for pid in pids()}
        self.own = time.process_time()
        self.started = time.monotonic()

    def report(self, result: dict[str, Any]) -> str:
        wall = time.monotonic() - self.started
        used = {
            name: sum(cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids())
            for name, pids in self.parts.items()
        }
        used["load generators"] = result.get("cpu", 0.0)
        used["load balancer"] = time.process_time() - self.own
        shares = ", ".join(f"{name} {seconds / wall * 100:.0f}%" for name, seconds in used.items())
        requests = max(1, len(result["latencies"]))
        per = ", ".join(f"{name} {seconds / requests * 1000:.2f}" for name, seconds in used.items() if seconds > 0)
        return (
            f"    CPU (100% = one core): {shares}; total {sum(used.values()) / wall * 100:.0f}% of "
            f"{os.cpu_count()}00%\n    CPU ms per request: {per}; total {sum(used.values()) / requests * 1000:.2f}"
        )


def _worker(args: tuple[str, dict[str, str], float, float, str, int, dict[str, str]]) -> dict[str, Any]:
    return asyncio.run(_learners(*args))


def run_load(
    url: str,
    tokens: dict[str, str],
    seconds: float,
    interval: float,
    endpoint: str,
    draft_ids: dict[str, str] | None = None,
) -> dict[str, Any]:
    names = sorted(tokens)
    halves = [{n: tokens[n] for n in names[i::2]} for i in range(2)]
    jobs = [(url, half, seconds, interval, endpoint, i, draft_ids or {}) for i, half in enumerate(halves)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parts = pool.map(_worker, jobs)
    merged: dict[str, Any] = {"latencies": [], "errors": {}, "acked": {}, "parts": [], "cpu": 0.0}
    for part in parts:
        merged["latencies"] += part["latencies"]
        merged["acked"].update(part["acked"])
        merged["parts"] += part["parts"]
        merged["cpu"] += part["cpu"]
        for kind, count in part["errors"].items():
            merged["errors"][kind] = merged["errors"].get(kind, 0) + count
    return merged


def report(title: str, result: dict[str, Any], seconds: float, *, windows: bool = False) -> None:
    lat = [latency for _, latency in result["latencies"]]
    errors = sum(result["errors"].values())
    print(
        f"{title:<28} {len(lat):>7} ok {errors:>5} errors  {len(lat) / seconds:>6.0f}/s  "
        f"p50 {quantile(lat, 0.5) * 1000:6.1f} ms  p90 {quantile(lat, 0.9) * 1000:6.1f} ms  "
        f"p99 {quantile(lat, 0.99) * 1000:6.1f} ms  max {max(lat, default=float('nan')) * 1000:7.1f} ms"
        + (f"  {result['errors']}" if errors else "")
    )
    if result["parts"]:
        names = sorted({name for timing in result["parts"] for name in timing})
        print(
            "    where a save's time went (Server-Timing, ms): "
            + ", ".join(
                f"{name} p50 {quantile([t.get(name, 0.0) for t in result['parts']], 0.5):.1f} "
                f"p99 {quantile([t.get(name, 0.0) for t in result['parts']], 0.99):.1f}"
                for name in names
            )
        )
    if windows:
        step = 5.0
        for start in range(0, int(seconds), int(step)):
            part = [lt for at, lt in result["latencies"] if start <= at < start + step]
            print(
                f"    {start:>3}-{start + step:<3.0f} s  {len(part):>6} ok  p50 {quantile(part, 0.5) * 1000:6.1f} ms  "
                f"p99 {quantile(part, 0.99) * 1000:6.1f} ms"
            )


def lost_writes(store: Any, result: dict[str, Any], draft_ids: dict[str, str]) -> int:
    """Learners whose stored draft is not their last acknowledged save, or whose version is not the
    number of saves acknowledged."""
    lost = 0
    for user, (last, count) in result["acked"].items():
        stored = {d.answer_id: d for d in store.drafts(user, PATH)}.get(draft_ids.get(user, "self"))
        text = stored.answer["value"]["comments"]["strengths"] if stored else ""
        if stored is None or not text.startswith(f"Draft {last} by {user}:") or stored.version != count:
            lost += 1
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one learner's saves")
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument(
        "--hub-db",
        choices=["postgres", "sqlite"],
        default="postgres",
        help="the hub's own database (default: as deployed)",
    )
    args = parser.parse_args()
    if chp_command() is None:
        print("configurable-http-proxy is missing: run `python3 -m peerkit test` once, or npm install it")
        return 2

    from peerkit.storage.sql import SqlStore

    with tempfile.TemporaryDirectory(prefix="peerkit-bench-hub-") as tmp, throwaway_postgres(durable=True) as postgres:
        root = Path(tmp)
        (root / "exchange").mkdir()
        token = os.urandom(16).hex()
        front = RoundRobin(backends=[]).start()
        hub_db = (
            f"c.JupyterHub.db_url = {postgres.create_database('jupyterhub')!r}\n" if args.hub_db == "postgres" else ""
        )
        users = [f"learner{i:04d}" for i in range(args.learners)]
        hub = Hub(
            root=root,
            course_id="review-course",
            course_file=write_hub_course(root / "src"),
            course_root=root / "course-root",
            exchange=root / "exchange",
            db_url=postgres.create_database("peerkit_bench"),
            users=[],
            facilitators=[],
            learners=[],
            extra_config=external_service(front.url, token) + hub_db,
        )
        replicas: list[Replica] = []
        started = time.monotonic()
        try:
            hub.start()
            replicas = [Replica(hub, token, root / f"replica-{i}.log").start() for i in range(2)]
            for replica in replicas:
                replica.wait_ready()
            print(
                f"hub and 2 replicas up in {time.monotonic() - started:.1f} s; creating {len(users)} users and tokens"
            )
            for i in range(0, len(users), 100):
                response = hub.api("POST", "users", {"usernames": users[i : i + 100]})
                assert response.status == 201, response.error
            tokens = {user: hub.token(user) for user in users}
            packets = {user: os.urandom(16).hex() for user in users}
            store = SqlStore.open(hub.db_url)
            assert hub.process is not None
            hub_pid = hub.process.pid
            meter = CpuMeter(
                {
                    "hub": lambda: [hub_pid],
                    "replicas": lambda: [r.process.pid for r in replicas if r.process is not None],
                    "PostgreSQL": lambda: server_pids(postgres),
                }
            )
            store.deliver(
                [
                    (u, f"round-{PATH}.json", {"path": PATH, "packets": [packets[u]], "self": os.urandom(16).hex()})
                    for u in users
                ]
            )
            service = f"{front.url}{PREFIX}"
            print(
                f"{len(users)} learners, one save every {args.interval:.1f} s each "
                f"(~{len(users) / args.interval:.0f} saves/s), through a TCP load balancer on loopback, "
                f"PostgreSQL with fsync on, the hub's database on {args.hub_db}; "
                "every save re-checks its token with the hub\n"
            )
            front.backends[:] = [r.port for r in replicas]
            # What every save waits for besides the database: the hub's answer about its token.
            hub_api = f"http://127.0.0.1:{hub.hub_port}/hub/api/"
            meter.start()
            checks = run_load(hub_api, tokens, args.baseline_seconds, args.interval, "hub")
            report("hub token checks alone", checks, args.baseline_seconds)
            print(meter.report(checks))
            # Each token's first request waits for the hub to check it (then cached for reads): a
            # cold start, reported apart so that the baselines below are the steady state.
            cold = run_load(service, tokens, args.interval, args.interval, "whoami")
            report("first requests (cold)", cold, args.interval)
            figures: dict[int, tuple[float, float, int, int]] = {}
            for count, draft_ids in ((1, {}), (2, {u: f"r-{packets[u]}" for u in users})):
                front.backends[:] = [r.port for r in replicas[:count]]
                print(f"\n-- {count} replica{'s' if count > 1 else ''} behind the load balancer")
                meter.start()
                baseline = run_load(service, tokens, args.baseline_seconds, args.interval, "whoami")
                report(f"baseline api/whoami ({count})", baseline, args.baseline_seconds)
                print(meter.report(baseline))
                meter.start()
                result = run_load(service, tokens, args.seconds, args.interval, "drafts", draft_ids)
                report(f"PUT drafts ({count})", result, args.seconds, windows=True)
                print(meter.report(result))
                lost = lost_writes(store, result, draft_ids)
                print(f"lost writes: {lost} of {len(result['acked'])} learners checked")
                lat = [lt for _, lt in result["latencies"]]
                base = [lt for _, lt in baseline["latencies"]]
                figures[count] = (quantile(lat, 0.99), quantile(base, 0.99), lost, sum(result["errors"].values()))
            store.close()
            print()
            for count, (p99, base_p99, lost, errors) in figures.items():
                print(
                    f"{count} replica{'s' if count > 1 else ' '}: PUT drafts p99 {p99 * 1000:6.1f} ms "
                    f"({p99 / base_p99:.2f}x whoami's p99 {base_p99 * 1000:.1f} ms), {errors} errors, {lost} lost"
                )
            p99, _, lost, errors = figures[2]
            verdict = "met" if p99 <= TARGET_P99 and lost == 0 and errors == 0 else "NOT met"
            print(f"target with 2 replicas: p99 <= {TARGET_P99 * 1000:.0f} ms, 0 errors, 0 lost writes: {verdict}")
            served = {f"replica {i}": front.connections.get(r.port, 0) for i, r in enumerate(replicas)}
            print(f"connections per replica over the whole run: {served}")
        finally:
            for replica in replicas:
                replica.stop()
            hub.stop()
            front.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
