"""The service's shared state: who may keep which review drafts, looked up in bulk and remembered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.errors import Conflict, ValidationError
from peerkit.facilitator.api import Facilitator
from peerkit.service.api import error_for
from peerkit.service.state import ServiceState
from peerkit.storage.revision import newest
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course


@pytest.fixture
def state(tmp_path: Path) -> Iterator[ServiceState]:
    course = load_course(write_review_course(tmp_path / "src"))
    store = SqlStore.open(f"sqlite:///{tmp_path / 'peerkit.db'}")
    state = ServiceState(store=store, course=course, hub_auth=None, facilitator_group="formgrade-review-course")
    yield state
    state.close()


class Counting:
    """Counts the store's queries the state makes, by method."""

    def __init__(self, store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, int] = {}
        for name in ("documents", "documents_named", "remember_learners"):
            monkeypatch.setattr(store, name, self.wrap(name, getattr(store, name)))

    def wrap(self, name: str, method: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return method(*args, **kwargs)

        return counted


def deliver_round(
    store: SqlStore, learners: dict[str, list[str]], *, reviews: dict[str, list[str]] | None = None
) -> None:
    items: list[tuple[str, str, dict[str, Any]]] = [
        (learner, "round-essay.json", {"path": "essay", "packets": tokens, "self": "s"})
        for learner, tokens in learners.items()
    ]
    for learner, tokens in (reviews or {}).items():
        items.append((learner, "feedback-essay.json", {"reviews": [{"token": t} for t in tokens]}))
    store.deliver(items)


def test_the_first_miss_loads_every_learners_grants_in_one_go(
    state: ServiceState, monkeypatch: pytest.MonkeyPatch
) -> None:
    learners = {f"l{i:03d}": [f"t{i:03d}a", f"t{i:03d}b"] for i in range(300)}
    deliver_round(state.store, learners, reviews={"l000": ["rv1"]})
    counting = Counting(state.store, monkeypatch)
    for learner, tokens in learners.items():
        assert state.may_draft(learner, "essay", f"r-{tokens[1]}")
        assert state.may_draft(learner, "essay", "self")
    assert state.may_draft("l000", "essay", "h-rv1")
    assert counting.calls == {"documents_named": 1, "remember_learners": 1}


def test_another_learners_packet_or_an_unknown_id_is_refused(state: ServiceState) -> None:
    deliver_round(state.store, {"ana": ["ta"], "bo": ["tb"]}, reviews={"bo": ["rvb"]})
    assert state.may_draft("ana", "essay", "r-ta")
    assert not state.may_draft("ana", "essay", "r-tb")
    assert not state.may_draft("ana", "essay", "h-rvb")
    assert not state.may_draft("cy", "essay", "self")
    assert not state.may_draft("ana", "other-path", "r-ta")


def test_a_packet_delivered_later_is_looked_up_on_demand(state: ServiceState, monkeypatch: pytest.MonkeyPatch) -> None:
    deliver_round(state.store, {"ana": ["ta"]})
    assert state.may_draft("ana", "essay", "r-ta")
    deliver_round(state.store, {"ana": ["ta", "late"], "bo": ["tb"]})  # e.g. `peerkit review open` again
    counting = Counting(state.store, monkeypatch)
    assert state.may_draft("ana", "essay", "r-late")  # a single lookup, no reload of the whole path
    assert counting.calls == {"documents": 1}
    assert state.may_draft("bo", "essay", "r-tb")  # a learner not loaded before: looked up alone
    assert counting.calls == {"documents": 2}


def test_a_withdrawn_packet_stops_being_writable_once_remembered_grants_expire(state: ServiceState) -> None:
    state.draft_ids_ttl = 0.05
    deliver_round(state.store, {"ana": ["ta", "tb"]})
    assert state.may_draft("ana", "essay", "r-tb")
    deliver_round(state.store, {"ana": ["ta", "tc"]})  # tb was reassigned to someone else
    assert state.may_draft("ana", "essay", "r-tb")  # still remembered: at most the TTL, jittered
    time.sleep(0.08)
    assert not state.may_draft("ana", "essay", "r-tb")
    assert state.may_draft("ana", "essay", "r-tc")


# -- replicas: nothing in one process decides what is correct ---------------------------------------


def answer(text: str) -> dict[str, Any]:
    return {"kind": "review", "value": {"scores": {"clarity": 2}, "comments": {"strengths": text}}, "updated": "t"}


def test_a_replayed_save_gets_its_own_save_back_and_a_stale_one_still_conflicts(state: ServiceState) -> None:
    first = state.save_draft("ana", "essay", "self", answer("one"), base=None)
    second = state.save_draft("ana", "essay", "self", answer("two"), base=first.version)
    # The answer to the second save was lost (a replica killed after its commit): the client sends
    # it again, with the same base, to another replica.
    replay = state.save_draft("ana", "essay", "self", answer("two"), base=first.version)
    assert (replay.version, replay.answer) == (second.version, answer("two"))
    with pytest.raises(Conflict):  # another tab's save on the same base is not a replay
        state.save_draft("ana", "essay", "self", answer("other"), base=first.version)
    assert [d.version for d in state.store.drafts("ana", "essay")] == [second.version]


def test_a_step_running_on_one_replica_is_refused_on_another(
    tmp_path: Path, state: ServiceState, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, finish = threading.Event(), threading.Event()

    def step(desk: object, action: str, path_id: str, per_submission: int | None) -> dict[str, Any]:
        if action == "collect":  # the long step, running until the test lets it finish
            started.set()
            finish.wait(30)
        return {"path": path_id, "action": action}

    monkeypatch.setattr("peerkit.service.state._step", step)
    other = ServiceState(  # a second replica: its own process state, the same store
        store=SqlStore.open(f"sqlite:///{tmp_path / 'peerkit.db'}"),
        course=state.course,
        hub_auth=None,
        facilitator_group=state.facilitator_group,
    )
    # Each replica's Facilitator holds the path's step lock in the store; the step itself is a stand-in.
    state.desk = Facilitator(workspace=Workspace.at(tmp_path), store=state.store, course=state.course)
    other.desk = Facilitator(workspace=Workspace.at(tmp_path), store=other.store, course=other.course)
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(state.facilitate, "collect", "essay")
            assert started.wait(10)
            with pytest.raises(Conflict, match="a step of path essay's round is already running"):
                other.facilitate("open", "essay")
            assert other.facilitate("close", "poem") == {"path": "poem", "action": "close"}  # another path
            finish.set()
            assert running.result(10) == {"path": "essay", "action": "collect"}
        assert other.facilitate("open", "essay") == {"path": "essay", "action": "open"}
    finally:
        finish.set()
        other.close()


def test_readiness_says_the_database_answers_and_its_schema_is_at_head(state: ServiceState) -> None:
    assert state.readiness() == {"database": True, "migrations": True}
    state.store.engine.dispose()
    with state.store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    behind = state.readiness()
    assert (behind["database"], behind["migrations"]) == (True, False)
    assert "at 0001, behind this peerkit's" in str(behind["reason"]) and "peerkit db upgrade" in str(behind["reason"])
    with state.store.engine.begin() as connection:  # a newer peerkit has migrated the store
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    newer = state.readiness()
    assert (newer["database"], newer["migrations"]) == (True, False)
    assert f"at 9999, newer than this peerkit's {newest()}" in str(newer["reason"])
    assert "sqlite" not in str(newer["reason"])  # anyone may ask: never the store's address


def test_an_unknown_step_is_refused_with_the_steps_there_are(state: ServiceState) -> None:
    with pytest.raises(ValidationError) as caught:
        state.facilitate("reopen", "essay")
    assert caught.value.field == "action"
    said = "unknown step 'reopen'; use one of release, collect, open, reviews, close"
    answer = error_for(caught.value)
    assert (answer.status_code, answer.reason_text) == (400, said)  # as the API answers it
