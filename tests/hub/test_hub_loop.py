"""The whole loop through a real JupyterHub with PostgreSQL: a facilitator and three learners.

The facilitator releases, collects, opens the round, collects reviews and closes it through the
peerkit service with her own hub token. Each learner works in their own single-user server: code
runs in a Voilà kernel there (the way a learner's page runs), fetching and submitting through
nbgrader's exchange and reading packets, saving drafts and reading feedback through the service.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from peerkit.core.errors import ServiceError
from peerkit.exchange.hub.client import ServiceClient
from peerkit.storage.sql import SqlStore
from tests.hub.flow import COURSE_ID, FACILITATOR, LEARNERS, PATH, Flow
from tests.hub.harness import Hub, HubError, request
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.hub, pytest.mark.postgres]


def test_learners_submit_through_nbgrader_in_their_own_servers(flow: Flow) -> None:
    released = flow.released()
    assert set(released["released"]) == {PATH, f"{PATH}-review"}
    submitted = flow.submitted()
    for learner in LEARNERS:
        result = submitted[learner]
        assert result["me"] == learner and result["mode"] == "learner" and result["saved"] == [True, True]
        assert result["folder"] == f"{COURSE_ID}/{PATH}"  # path_includes_course, the JupyterHub way
        assert {PATH, f"{PATH}-review", "home.ipynb"} <= set(result["at_start"])  # peerkit-singleuser synced
        assert result["again"] == [[], []]
    # The path's own page renders in the learner's server as a Voilà app, without an error.
    page = flow.hub.render("alice", flow.hub.home("alice") / COURSE_ID / PATH / f"{PATH}.ipynb")
    home = flow.hub.render("bob", flow.hub.home("bob") / COURSE_ID / "home.ipynb")
    for html in (page, home):  # widgets render in the browser; the page itself must carry no error
        assert "application/vnd.jupyter.widget-view+json" in html
        assert "Traceback" not in html and "error when executing" not in html.lower()


def test_the_round_opens_and_every_learner_reviews_through_the_service(flow: Flow) -> None:
    collected, opened = flow.opened()
    assert collected["summary"] == f"{PATH}: 3 added"
    report = opened["report"]
    assert report["submitters"] == 3 and report["added"] == 6 and report["shortfall"] == []
    assert report["no_channel"] == []  # delivered by the service: no review channel files are needed
    assert not (flow.hub.exchange / COURSE_ID / "peerkit-channels").exists()
    reviewed = flow.reviewed()
    for learner in LEARNERS:
        result = reviewed[learner]
        assert result["service"] and result["flushed"]
        assert result["forms"] == 3  # two peers and their own submission
        assert result["missing"] == [[], [], []]
        assert len(result["drafts"]) == 3 and "self" in result["drafts"]  # every review reached the service


def test_closing_releases_grades_and_feedback_to_each_learner(flow: Flow) -> None:
    reviews, closed = flow.closed()
    assert reviews["summary"] == f"{PATH} reviews: 9 added"  # six peer reviews, three self-assessments
    assert sorted(closed["report"]["released"]) == LEARNERS
    feedback = flow.feedback()
    for learner in LEARNERS:
        result = feedback[learner]
        assert "Your feedback" in result["titles"]
        assert result["reviews"] == 2 and result["ratings"] == 2 and result["flushed"]
        grade = result["grade"]
        assert grade["points"] is not None and 0 < grade["points"] <= grade["max_points"]
    # nbgrader's own feedback went out too (released into the exchange's feedback folder).
    assert any((flow.hub.exchange / COURSE_ID / "feedback").iterdir())


def test_nbgrader_course_service_lets_only_facilitators_in(flow: Flow) -> None:
    hub = flow.hub
    fiona = hub.api("GET", f"users/{FACILITATOR}").json()
    assert f"formgrade-{COURSE_ID}" in fiona["groups"]

    facilitator = request("GET", f"{hub.url}/services/{COURSE_ID}/api/status", token=hub.token(FACILITATOR))
    learner = request("GET", f"{hub.url}/services/{COURSE_ID}/api/status", token=hub.token("alice"))
    assert facilitator.status == 200, facilitator.error
    assert learner.status == 403


def test_a_postgres_restart_mid_round_loses_no_draft_and_clients_say_why(flow: Flow, postgres: PostgresServer) -> None:
    """Drafts saved while PostgreSQL restarts: each save waits, says why, and lands once it is back."""
    flow.drafting()
    hub = flow.hub
    round_doc = hub.service("GET", f"api/paths/{PATH}/round", "bob").json()
    token = round_doc["packets"][0]
    waits: list[str] = []
    client = ServiceClient(hub.service_url, hub.token("bob"), patience=60, on_wait=lambda m, _s: waits.append(m))
    saved: list[int] = []

    def answer(n: int) -> dict[str, Any]:
        return {
            "kind": "review",
            "value": {"scores": {}, "comments": {"strengths": f"draft number {n}"}},
            "updated": f"2026-11-22T12:00:{n:02d}Z",
        }

    def restart() -> None:
        postgres.stop("fast")
        time.sleep(3)  # long enough for several saves to meet a dead server
        postgres.start()

    restarting = threading.Thread(target=restart)
    restarting.start()
    try:
        for n in range(10):
            saved.append(int(client.save_draft(PATH, f"r-{token}", answer(n), base=None)["version"]))
            time.sleep(0.3)
    finally:
        restarting.join()
    assert waits, "no save met the restart"
    assert any("database is unavailable" in m for m in waits), waits
    assert saved == sorted(saved) and len(set(saved)) == 10  # every save landed, in order
    final = client.drafts(PATH)[f"r-{token}"]
    assert final["answer"]["value"]["comments"]["strengths"] == "draft number 9"
    # The store itself is healthy again for everyone.
    assert hub.service("GET", "api/health").status == 200


def test_submitted_reviews_are_all_in_the_store(flow: Flow, hub: Hub) -> None:
    flow.closed()
    store = SqlStore.open(hub.db_url)
    try:
        reviews = [r for r in store.reviews(PATH) if r.kind == "peer"]
        assert len(reviews) == 6
        assert {r.reviewer for r in reviews} == set(LEARNERS)
    finally:
        store.close()


def test_a_client_gives_up_with_a_clear_message_when_the_service_is_gone() -> None:
    client = ServiceClient("http://127.0.0.1:9/services/peerkit/", "token", patience=1.0)
    with pytest.raises(ServiceError, match="cannot be reached"):
        client.round(PATH)


def test_hub_error_is_reported_with_the_log(hub: Hub) -> None:
    with pytest.raises(HubError, match="failed"):
        hub.run_code("alice", "raise RuntimeError('boom')", name="broken")


RESTORE = f"""
from pathlib import Path
from peerkit.apps.review import ReviewPage
from peerkit.nbgrader.config import learner_config
home = Path.home()
folder = home / "{COURSE_ID}" / "{PATH}-review"
(folder / "peerkit-answers.json").rename(folder / "lost-answers.json")  # her folder lost its answers
page = ReviewPage("{PATH}", folder=folder, config=learner_config(home))
emit({{"forms": len(page.forms), "missing": [form.missing() for form in page.forms],
       "restored": (folder / "peerkit-answers.json").is_file()}})
"""


def test_drafts_come_back_from_the_service_when_the_folder_lost_them(flow: Flow) -> None:
    flow.reviewed()
    result = flow.hub.run_code("carol", RESTORE, name="restore")
    assert result["forms"] == 3 and result["restored"]
    # Every rubric choice and comment of her two peer reviews is back. (Her self-assessment comes back
    # as its newest draft, which other tests in this package may have replaced with a partial one.)
    assert result["missing"][:2] == [[], []]


def test_learners_pages_record_their_activity_through_the_service(flow: Flow, hub: Hub) -> None:
    flow.submitted()
    store = SqlStore.open(hub.db_url)
    try:
        deadline = time.monotonic() + 20  # sent on a background thread of each learner's kernel
        while time.monotonic() < deadline:
            events = {(e.learner, e.event) for e in store.activity()}
            if all((learner, "submitted") in events for learner in LEARNERS):
                break
            time.sleep(0.5)
        assert all((learner, "answered") in events and (learner, "submitted") in events for learner in LEARNERS)
        # Nothing was written beside the exchange: on a hub the activity files would be forgeable.
        assert not (hub.exchange / COURSE_ID / "peerkit-activity").exists()
    finally:
        store.close()
