"""The facilitators' endpoints answer what the Facilitator API (and so the CLI) answers: submissions with
their status, blanks and lateness, grades through the API, and a path the API refuses is a 404 that names
the course's paths (the course service over HTTP, a real SQLite store, the hub's token check stubbed)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import pytest

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.answers import AnswerSheet
from peerkit.core.errors import NotFound
from peerkit.core.review import CriterionGrade, Grade
from peerkit.core.store import NewSubmission
from peerkit.facilitator.api import Facilitator
from peerkit.storage.sql import SqlStore
from tests.conftest import TEST_RUBRIC, path_notebook
from tests.exchange.backends import StubHubAuth, running_service

FACILITATOR = "token-of-fay"
LEARNER = "token-of-ana"
DUE = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


class GroupsHub(StubHubAuth):
    """The stub hub, with fay in the course's facilitator group."""

    async def user_for_token(self, token: str, use_cache: bool = True, sync: bool = True) -> dict[str, Any] | None:
        model = await super().user_for_token(token, use_cache, sync)
        if model is not None and model["name"] == "fay":
            model = model | {"groups": ["formgrade-review-course"]}
        return model


def write_course(root: Path) -> Path:
    """A reviewed path "essay" due on DUE and a path "warmup" nobody reviews."""
    (root / "notebooks").mkdir(parents=True)
    (root / "course").mkdir()
    nbformat.write(path_notebook("essay", [("story", 3)]), str(root / "notebooks" / "essay.ipynb"))
    nbformat.write(path_notebook("warmup", [("hello", 1)]), str(root / "notebooks" / "warmup.ipynb"))
    (root / "course" / "course.yml").write_text(
        "id: review-course\ntitle: A reviewed course\n"
        "paths:\n"
        "  - {id: warmup, title: Warm up, notebook: ../notebooks/warmup.ipynb}\n"
        "  - {id: essay, title: An essay, notebook: ../notebooks/essay.ipynb, points: 5, peer_review: true,\n"
        f"     due: '{DUE.isoformat()}', review: {{per_submission: 3}}}}\n"
    )
    (root / "course" / "rubrics.yml").write_text(TEST_RUBRIC)
    return root / "course" / "course.yml"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, Facilitator]]:
    course = load_course(write_course(tmp_path / "src"))
    store = SqlStore.open(f"sqlite:///{tmp_path / 'peerkit.db'}")
    sheet = AnswerSheet(path="essay", answers={})
    store.record_submissions(
        [
            NewSubmission("ana", "essay", DUE.replace(hour=9), sheet, status="complete"),
            NewSubmission("bo", "essay", DUE.replace(hour=19), sheet, status="incomplete", blank=2),
            NewSubmission("cy", "warmup", DUE, AnswerSheet(path="warmup", answers={}), status="no-answers"),
        ]
    )
    auth = GroupsHub()
    auth.users.update({FACILITATOR: "fay", LEARNER: "ana"})
    serving = running_service(course, store, auth)
    try:
        yield next(serving), Facilitator(store=store, workspace=Workspace.at(tmp_path), course=course)
    finally:
        serving.close()
        store.close()


def get(url: str, path: str, token: str = FACILITATOR) -> tuple[int, Any]:
    req = urllib.request.Request(url + path, headers={"Authorization": f"token {token}"})  # noqa: S310 - local
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - a local test server
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_submissions_carry_what_the_cli_shows(service: tuple[str, Facilitator]) -> None:
    url, desk = service
    status, body = get(url, "api/facilitator/paths/essay/submissions")
    assert status == 200
    rows = {row["learner"]: row for row in body["submissions"]}
    by_api = {row.learner: row for row in desk.submissions(path_ids=["essay"])}
    assert set(rows) == set(by_api) == {"ana", "bo"}
    for learner, row in rows.items():  # the documented fields, and the API's status, blanks and lateness
        api = by_api[learner]
        assert row["submitted_at"] == api.submitted_at.isoformat()
        assert (row["status"], row["blank"], row["answers"], row["versions"]) == (
            api.status,
            api.blank,
            api.answers,
            api.versions,
        )
    assert rows["ana"]["late"] is None
    assert rows["bo"]["late"] == 2 * 3600  # seconds after the due date
    assert (rows["bo"]["status"], rows["bo"]["blank"]) == ("incomplete", 2)


def test_submissions_of_a_path_nobody_reviews_are_listed_like_the_cli_lists_them(
    service: tuple[str, Facilitator],
) -> None:
    url, _ = service
    status, body = get(url, "api/facilitator/paths/warmup/submissions")
    assert status == 200
    assert [(r["learner"], r["status"]) for r in body["submissions"]] == [("cy", "no-answers")]


@pytest.mark.parametrize("endpoint", ["submissions", "grades", "round"])
def test_an_unknown_path_is_a_404_that_names_the_courses_paths(service: tuple[str, Facilitator], endpoint: str) -> None:
    url, _ = service
    status, body = get(url, f"api/facilitator/paths/esay/{endpoint}")
    assert status == 404
    assert "no learning path 'esay'" in body["error"]
    assert "(paths: warmup, essay)" in body["error"]


def test_grades_of_a_path_nobody_reviews_are_refused_in_the_apis_words(service: tuple[str, Facilitator]) -> None:
    url, _ = service
    status, body = get(url, "api/facilitator/paths/warmup/grades")
    assert status == 404
    assert "path 'warmup' is not peer reviewed" in body["error"]


def test_grades_answer_what_the_api_answers(service: tuple[str, Facilitator]) -> None:
    url, desk = service
    with pytest.raises(NotFound) as refused:  # no round opened yet
        desk.grades(path_id="essay")
    assert get(url, "api/facilitator/paths/essay/grades") == (404, {"status": 404, "error": str(refused.value)})


def test_an_unknown_path_of_a_step_is_a_404_that_names_the_courses_paths(service: tuple[str, Facilitator]) -> None:
    url, _ = service
    req = urllib.request.Request(  # noqa: S310 - a local test server
        url + "api/facilitator/paths/esay/release",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"token {FACILITATOR}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)  # noqa: S310 - a local test server
    assert refused.value.code == 404
    assert "(paths: warmup, essay)" in json.loads(refused.value.read())["error"]


def test_a_learner_is_not_let_in(service: tuple[str, Facilitator]) -> None:
    url, _ = service
    assert get(url, "api/facilitator/paths/essay/submissions", LEARNER)[0] == 403


def test_grades_carry_the_paths_scale_every_page_shows(service: tuple[str, Facilitator]) -> None:
    # The store keeps the rubric's points (TEST_RUBRIC: two criteria, 0-2 each); the path's task cell is worth 3
    # in the gradebook, and `peerkit grades`, the learner's page and the export all show 3-point grades.
    url, desk = service
    store = desk.store
    store.open_round("essay", rubric_id="essay", per_submission=3, anonymity="double", self_assessment=False, seed=1)
    crit = CriterionGrade(estimate=1.5, uncertainty=0.2, reviews=3)
    store.save_grades(
        "essay",
        [Grade("ana", "median", 3.0, 4.0, 0.4, {"clear": crit, "grounded": crit}, 3)],
    )
    status, body = get(url, "api/facilitator/paths/essay/grades")
    assert status == 200
    (row,) = body["grades"]
    shown = desk.grades(path_id="essay")
    assert shown.scale is not None
    assert (row["points"], row["max_points"]) == (3.0, 4.0)  # the rubric's, as stored
    assert (row["path_points"], row["path_max_points"]) == (shown.scale.grade(shown.grades[0]), 3.0) == (2.25, 3.0)
    assert row["path_uncertainty"] == pytest.approx(0.3)
    assert "2.25" in shown.table()  # what the CLI prints
