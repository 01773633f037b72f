"""The hub's pages in a real browser: a learner's course home, the facilitator dashboard in nbgrader's
course service, and a learner turned away from it. Runs after the loop (test_hub_loop.py), so the
dashboard has a whole round to show."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from peerkit.voila import sockets
from tests.browser import ConsoleLog
from tests.hub.flow import COURSE_ID, FACILITATOR, Flow
from tests.hub.harness import PASSWORD, Hub, request
from tests.hub.sidecar import Sidecar

pytestmark = [pytest.mark.hub, pytest.mark.postgres, pytest.mark.ui]

TIMEOUT_MS = 120_000


@pytest.fixture
def login(browser: Any, hub: Hub) -> Iterator[Any]:
    """Log *user* into the hub in a fresh browser context; return its page."""
    contexts: list[Any] = []

    def page_for(user: str) -> Any:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        # Land on the hub's own home page, not the server's default URL (a Voilà page whose kernel
        # requests the test's next navigation would cut short).
        page.goto(f"{hub.url}/hub/login?next=%2Fhub%2Fhome", timeout=TIMEOUT_MS)
        page.fill("#username_input", user)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(f"{hub.url}/hub/home", timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        return page

    yield page_for
    for context in contexts:
        context.close()


def dashboard_url(hub: Hub, service: str = COURSE_ID) -> str:
    return f"{hub.url}/services/{service}/voila/render/dashboard.ipynb"


def test_a_learner_meets_the_course_home_with_peerkits_voila_settings(flow: Flow, hub: Hub, login: Any) -> None:
    flow.feedback()
    page = login("alice")
    console = ConsoleLog()
    console.attach(page)
    page.goto(f"{hub.url}/user/alice/voila/render/{COURSE_ID}/home.ipynb", timeout=TIMEOUT_MS)
    page.get_by_text("An essay").first.wait_for(timeout=TIMEOUT_MS)
    # nbgrader's lab extensions are denied and the peerkit template is used, as under `peerkit serve`.
    html = page.content()
    assert "@jupyter/nbgrader" not in html
    assert "peerkit" in html
    assert console.errors == []
    # The page's kernel talks to alice's server over Unix sockets (no TCP port another server could take),
    # in a private folder: the harness's home folders are too deep for a socket's path.
    runtime = server_runtime_dir(hub, "alice")
    assert runtime.name.startswith(sockets.PRIVATE_PREFIX) and runtime.stat().st_mode & 0o077 == 0
    connections = [json.loads(file.read_text()) for file in runtime.glob("kernel-*.json")]
    assert connections and {info["transport"] for info in connections} == {"ipc"}


def server_runtime_dir(hub: Hub, user: str) -> Path:
    """The runtime folder (kernels' connection files) of *user*'s running server: where it wrote its
    ``jpserver-<pid>.json``."""
    for process in psutil.process_iter(["cmdline"]):
        if "peerkit.cli.singleuser_launch" in (process.info["cmdline"] or []):
            with contextlib.suppress(psutil.Error):
                if process.environ().get("HOME") == str(hub.home(user)):
                    found = list(
                        Path(tempfile.gettempdir()).glob(f"{sockets.PRIVATE_PREFIX}*/jpserver-{process.pid}.json")
                    )
                    if found:
                        return found[0].parent
    raise AssertionError(f"no running server of {user} with its own runtime folder")


def test_the_facilitator_dashboard_opens_for_facilitators_in_the_course_service(
    flow: Flow, hub: Hub, login: Any
) -> None:
    flow.feedback()
    page = login(FACILITATOR)
    console = ConsoleLog()
    console.attach(page)
    page.goto(dashboard_url(hub), timeout=TIMEOUT_MS)
    page.locator(".peerkit-dashboard").wait_for(timeout=TIMEOUT_MS)
    assert "Facilitator dashboard" in page.inner_text("body")
    assert page.locator("option", has_text="An essay").count() >= 1  # the course's path, from course.yml
    # The round run through the hub is in the figures: plots drawn from the PostgreSQL store.
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=TIMEOUT_MS)
    assert "Traceback" not in page.inner_text("body")
    assert console.errors == [], "\n".join(console.errors)


def test_a_learner_cannot_open_the_facilitator_dashboard(flow: Flow, hub: Hub, login: Any) -> None:
    flow.feedback()
    page = login("alice")
    response = page.goto(dashboard_url(hub), timeout=TIMEOUT_MS)
    assert response is not None
    assert response.status == 403
    assert "Facilitator dashboard" not in page.inner_text("body")


def test_the_kubernetes_sidecar_serves_the_dashboard_to_facilitators_only(
    flow: Flow, hub: Hub, sidecar: Sidecar, login: Any
) -> None:
    """docs/hub/z2jh-values.yaml's course-service container, run beside the local hub."""
    flow.feedback()
    status = f"{hub.url}/services/{sidecar.name}/api/status"
    assert request("GET", status, token=hub.token(FACILITATOR)).status == 200
    assert request("GET", status, token=hub.token("alice")).status == 403
    page = login(FACILITATOR)
    console = ConsoleLog()
    console.attach(page)
    page.goto(dashboard_url(hub, sidecar.name), timeout=TIMEOUT_MS)
    page.locator(".peerkit-dashboard").wait_for(timeout=TIMEOUT_MS)
    page.locator(".peerkit-dash-progress svg.peerkit-plot").first.wait_for(timeout=TIMEOUT_MS)
    assert console.errors == [], "\n".join(console.errors)
    learner = login("alice")
    response = learner.goto(dashboard_url(hub, sidecar.name), timeout=TIMEOUT_MS)
    assert response is not None and response.status == 403
