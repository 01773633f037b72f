"""The facilitators' endpoints (hub group ``formgrade-<course>`` or scope ``custom:peerkit:facilitate``):
the course's paths, submissions, round and grades, and the steps of a round. Each is a shim over the
service's state, which runs the facilitator's domain work."""

from __future__ import annotations

from peerkit.service.api import ApiError, ApiHandler


class FacilitatorHandler(ApiHandler):
    async def prepare(self) -> None:
        await super().prepare()
        if not self.caller.facilitator:
            raise ApiError(
                403, f"facilitators only (hub group {self.state.facilitator_group} or scope custom:peerkit:facilitate)"
            )


class PathsHandler(FacilitatorHandler):
    async def get(self) -> None:
        self.write_json({"course": self.state.course.id, "paths": await self.call(self.state.overview)})


class SubmissionsHandler(FacilitatorHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        rows = await self.call(self.state.store.submissions, path_id)
        self.write_json(
            {"path": path_id, "submissions": [{"learner": s.learner, "submitted_at": s.submitted_at} for s in rows]}
        )


class GradesHandler(FacilitatorHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        self.write_json({"path": path_id, "grades": await self.call(self.state.store.grades, path_id)})


class RoundStatusHandler(FacilitatorHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        self.write_json(await self.call(self.state.round_status, path_id))

    async def post(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        body = self.json_body()
        k = body.get("per_submission")
        if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 10):
            raise ApiError(400, "'per_submission' must be a whole number from 1 to 10")
        report = await self.call(self.state.facilitate, "open", path_id, per_submission=k)
        self.write_json(report)


class ActionHandler(FacilitatorHandler):
    """POST release, collect, reviews, close: the facilitator's steps of a round, in order."""

    async def post(self, path_id: str, action: str) -> None:
        if action in {"release", "collect"}:  # every path is released and collected, reviewed or not
            self.course_path(path_id)
        else:
            self.reviewed_path(path_id)
        self.json_body()  # an empty or JSON body; anything else is refused
        self.write_json(await self.call(self.state.facilitate, action, path_id))
