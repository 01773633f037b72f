"""The facilitators' endpoints (hub group ``formgrade-<course>`` or scope ``custom:peerkit:facilitate``):
the course's paths, submissions, round and grades, and the steps of a round. Each is a shim over the
Facilitator API (through the service's state): it answers what the ``peerkit`` command of the same
name prints, and a path the API refuses (one the course does not define, or does not peer review
where a review is asked about) is a 404 in the API's words, which name the course's paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from peerkit.core.errors import ConfigError
from peerkit.service.api import ApiError, ApiHandler, jsonable

T = TypeVar("T")


class FacilitatorHandler(ApiHandler):
    async def prepare(self) -> None:
        await super().prepare()
        if not self.caller.facilitator:
            raise ApiError(
                403, f"facilitators only (hub group {self.state.facilitator_group} or scope custom:peerkit:facilitate)"
            )

    def known_path(self, path_id: str, *, reviewed: bool = True) -> None:
        """Refuse (404) a path the course does not define, or (*reviewed*) does not peer review, before a
        step starts: in the words the Facilitator API and the CLI use, which name the course's paths."""
        course = self.state.course
        try:
            if reviewed:
                course.rubric_for(path_id)
            else:
                course.path(path_id)
        except ConfigError as exc:
            raise ApiError(404, str(exc)) from None

    async def read(self, look: Callable[[str], T], path_id: str) -> T:
        """*look* (a read of the Facilitator API) about *path_id*. The service holds its course, so the
        only configuration error such a read raises is its refusal of the path: a 404."""
        try:
            return await self.call(look, path_id)
        except ApiError as exc:
            if isinstance(exc.__cause__, ConfigError):
                raise ApiError(404, exc.reason_text) from exc.__cause__
            raise


class PathsHandler(FacilitatorHandler):
    async def get(self) -> None:
        self.write_json({"course": self.state.course.id, "paths": await self.call(self.state.overview)})


class SubmissionsHandler(FacilitatorHandler):
    """Every path's current submissions (reviewed or not), as ``peerkit submissions PATH`` lists them:
    when, how many answers and versions, complete or not (``status``, ``blank``), and ``late``: the
    seconds after the path's due date (null: in time, or no due date)."""

    async def get(self, path_id: str) -> None:
        rows = await self.read(self.state.submissions, path_id)
        submissions = [
            {
                "learner": s.learner,
                "submitted_at": s.submitted_at,
                "status": s.status,
                "blank": s.blank,
                "late": s.late,
                "answers": s.answers,
                "versions": s.versions,
            }
            for s in rows
        ]
        self.write_json({"path": path_id, "submissions": submissions})


class GradesHandler(FacilitatorHandler):
    async def get(self, path_id: str) -> None:
        grades = await self.read(self.state.grades, path_id)
        scale = grades.scale
        # The store's numbers are the rubric's (``points``, ``max_points``, ``uncertainty``); every page shows a
        # grade on the path's scale (``peerkit.review.scale``): given beside them, as ``peerkit grades`` shows it.
        rows = [
            {
                **jsonable(g),
                "path_points": scale.grade(g) if scale else g.final_points,
                "path_max_points": scale.maximum if scale else g.max_points,
                "path_uncertainty": scale.spread(g.uncertainty) if scale else g.uncertainty,
            }
            for g in grades.grades
        ]
        self.write_json({"path": grades.path_id, "grades": rows})


class RoundStatusHandler(FacilitatorHandler):
    async def get(self, path_id: str) -> None:
        self.write_json(await self.read(self.state.round_status, path_id))

    async def post(self, path_id: str) -> None:
        self.known_path(path_id)
        body = self.json_body("per_submission")
        k = body.get("per_submission")
        if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 10):
            raise ApiError(400, "'per_submission' must be a whole number from 1 to 10")
        report = await self.call(self.state.facilitate, "open", path_id, per_submission=k)
        self.write_json(report)


class ActionHandler(FacilitatorHandler):
    """POST release, collect, reviews, close: the facilitator's steps of a round, in order."""

    async def post(self, path_id: str, action: str) -> None:
        # every path is released and collected, reviewed or not
        self.known_path(path_id, reviewed=action not in {"release", "collect"})
        self.json_body()  # an empty body or {}; anything else is refused
        self.write_json(await self.call(self.state.facilitate, action, path_id))
