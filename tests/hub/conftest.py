"""One real JupyterHub for the hub tests: the documented configuration, a peer-reviewed
course released through the peerkit service, PostgreSQL behind the service."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require, write_review_course
from tests.hub.flow import COURSE_ID, FACILITATOR, LEARNERS, OUTSIDER, Flow
from tests.hub.harness import Hub, chp_command
from tests.hub.sidecar import Sidecar
from tests.postgres_server import PostgresServer


def write_hub_course(root: Path) -> Path:
    """The review test course, with two reviews per submission (three learners take part)."""
    course_file = write_review_course(root)
    text = course_file.read_text().replace("per_submission: 3", "per_submission: 2")
    course_file.write_text(text)
    return course_file


@pytest.fixture(scope="package")
def sidecar_spec() -> Sidecar:
    """The values' course-service sidecar, registered with the package's hub when it starts."""
    return Sidecar(facilitator_group=f"formgrade-{COURSE_ID}")


@pytest.fixture(scope="package")
def hub(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer, sidecar_spec: Sidecar) -> Iterator[Hub]:
    """The hub, with the values' course-service sidecar started beside it, as its container starts beside the
    hub's in their pod: the hub waits at startup for every external service it knows (30 s for one that is
    not up yet, which cost each run half a minute while the sidecar was started after the hub)."""
    require(chp_command() is not None, "configurable-http-proxy is not installed (the test command installs it)")
    root = tmp_path_factory.mktemp("hub")
    course_file = write_hub_course(root / "src")
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    db_url = postgres.create_database(f"peerkit_hub_{os.getpid()}_{root.name}".replace("-", "_"))
    instance = Hub(
        root=root,
        course_id=COURSE_ID,
        course_file=course_file,
        course_root=root / "course-root",
        exchange=exchange,
        db_url=db_url,
        users=[*LEARNERS, FACILITATOR, OUTSIDER],
        facilitators=[FACILITATOR],
        learners=LEARNERS,
        extra_config=sidecar_spec.registration(),
    )
    env = sidecar_spec.environment(
        hub_api=f"http://127.0.0.1:{instance.hub_port}/hub/api",
        course_file=instance.course_file,
        course_root=instance.course_root,
        exchange=instance.exchange,
        db_url=instance.db_url,
    )
    instance.course_root.mkdir(parents=True, exist_ok=True)
    try:
        sidecar_spec.start(env=env, cwd=instance.course_root, home=root / "sidecar-home", log=root / "sidecar.log")
        instance.start()
        yield instance
    finally:
        sidecar_spec.stop()
        instance.stop()


@pytest.fixture(scope="package")
def sidecar(hub: Hub, sidecar_spec: Sidecar) -> Sidecar:
    """The sidecar running beside the hub (started with it), once it answers through the hub."""
    sidecar_spec.wait(hub.url, hub.token(FACILITATOR))
    return sidecar_spec


@pytest.fixture(scope="package")
def flow(hub: Hub) -> Flow:
    """The loop on the package's hub; each test asks for the phase it needs."""
    return Flow(hub)
