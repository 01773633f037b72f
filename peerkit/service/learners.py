"""The learners' endpoints: their round, packets, feedback, review drafts and page events. Each
learner reaches only their own documents: the learner is always the token's owner, never a parameter."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from peerkit.config.identity import check_learner_id
from peerkit.core.activity import activity_paths, check_event, parse_line
from peerkit.core.answers import answer_doc, parse_answer
from peerkit.core.errors import IdentityError, NotFound, ValidationError, WorkflowError
from peerkit.core.review import Draft
from peerkit.exchange.base import feedback_file, packet_file, round_file
from peerkit.review.drafts import closed_message, closed_to_drafts
from peerkit.service.api import ApiError, ApiHandler

TOKEN = re.compile(r"^[0-9a-f]{32}$")
DRAFT_ID = re.compile(r"^(?:(?P<kind>[rh])-(?P<token>[0-9a-f]{32})|self)$")
#: The field of a draft that names what it is about, by the draft id's kind: a review ``r-<token>`` is
#: of that packet, a rating ``h-<token>`` of that review (collecting the reviews refuses any other).
NAMES = {"r": "packet", "h": "review"}


class LearnerHandler(ApiHandler):
    def learner(self) -> str:
        if not self.caller.is_user:
            raise ApiError(
                403,
                f"only the course's learners have work to review here; this request comes from a {self.caller.kind}",
            )
        try:
            return check_learner_id(self.caller.name)
        except IdentityError as exc:
            raise ApiError(403, f"this hub user name cannot take part: {exc}") from exc

    async def document(self, name: str, missing: str) -> None:
        doc = await self.call(self.state.store.document, self.learner(), name)
        if doc is None:
            raise ApiError(404, missing)
        self.write_json(doc)


class RoundHandler(LearnerHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        await self.document(
            round_file(path_id),
            "no classmates' work for you to review on this path yet: it comes once you have submitted the "
            "path and the facilitator has opened the review round",
        )


class PacketHandler(LearnerHandler):
    async def get(self, path_id: str, token: str) -> None:
        self.reviewed_path(path_id)
        if not TOKEN.match(token):
            raise ApiError(400, "the reference of a piece of work is 32 hexadecimal characters")
        doc = await self.call(self.state.store.document, self.learner(), packet_file(token))
        if doc is None or doc.get("path") != path_id:
            raise ApiError(404, "you have no work to review with this reference on this path")
        self.write_json(doc)


class FeedbackHandler(LearnerHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        await self.document(feedback_file(path_id), "no feedback for you on this path yet")


def _draft_json(draft: Draft) -> dict[str, Any]:
    return {
        "answer_id": draft.answer_id,
        "answer": draft.answer,
        "version": draft.version,
        "updated": draft.updated.isoformat(),
    }


class DraftsHandler(LearnerHandler):
    async def get(self, path_id: str) -> None:
        self.reviewed_path(path_id)
        drafts = await self.call(self.state.store.drafts, self.learner(), path_id)
        self.write_json({"path": path_id, "drafts": [_draft_json(d) for d in drafts]})


class DraftHandler(LearnerHandler):
    #: The hot path (a save every few seconds per learner as they type): the hub's check of the token
    #: runs beside the transaction, which commits only on the hub's fresh yes.
    overlaps_check = True

    async def put(self, path_id: str, answer_id: str) -> None:
        async with self.confirmed():
            self.reviewed_path(path_id)
            learner = self.learner()
            match = DRAFT_ID.match(answer_id)
            if match is None:
                raise ApiError(400, "a draft id is r-<reference of the work>, h-<reference of the review> or self")
            body = self.json_body("answer", "base")
            base = body.get("base")
            if base is not None and (not isinstance(base, int) or isinstance(base, bool) or base < 0):
                raise ApiError(400, "'base' must be the version you last saw (a whole number) or null")
            expected = "rating" if match["kind"] == "h" else "review"
            try:
                answer = parse_answer(answer_id, body.get("answer"))
            except ValidationError as exc:
                raise ApiError(400, str(exc)) from exc
            if answer.kind != expected:
                raise ApiError(400, f"draft {answer_id} must be a {expected}, not a {answer.kind}")
            named = NAMES.get(match["kind"] or "")
            if named is not None and answer.value.get(named, match["token"]) != match["token"]:
                raise ApiError(
                    400, f"draft {answer_id}: its '{named}' must be {match['token']}, the one the draft id names"
                )
            doc = answer_doc(answer)
            confirm = self.confirm_in_worker()
            draft = await self.call(self._save, learner, path_id, answer_id, match["kind"], doc, base, confirm)
        self.write_json(_draft_json(draft))

    def _save(
        self,
        learner: str,
        path_id: str,
        answer_id: str,
        kind: str | None,
        doc: dict[str, Any],
        base: int | None,
        confirm: Callable[[], None],
    ) -> Draft:
        if not self.state.may_draft(learner, path_id, answer_id):
            if kind == "h":
                raise NotFound("you received no review with this reference on this path")
            if kind == "r":
                raise NotFound("you have no work to review with this reference on this path")
            raise NotFound("this round has no self-assessment for you")
        if closed_to_drafts(answer_id):  # a review after the close would reach nobody: say so (409)
            closed = self.state.store.review_round(path_id)
            if closed is not None and closed.closed_at is not None:
                raise WorkflowError(closed_message(closed.closed_at))
        return self.state.save_draft(learner, path_id, answer_id, doc, base=base, before_commit=confirm)


class ActivityHandler(LearnerHandler):
    """POST api/activity {"events": [...]}: the caller's own page events (opened, answered, ...), on
    the course's paths, dated about now; the store keeps at most
    :data:`~peerkit.core.activity.MAX_PER_KIND` of each learner, path and kind."""

    MAX_EVENTS = 200

    async def post(self) -> None:
        learner = self.learner()
        events = self.json_body("events").get("events")
        if not isinstance(events, list) or len(events) > self.MAX_EVENTS:
            raise ApiError(400, f"'events' must be a list of at most {self.MAX_EVENTS} events")
        paths, now = activity_paths(self.state.course.paths), datetime.now(UTC)
        try:  # the same checks as for a line of a learner's activity file: their own events only
            parsed = [
                check_event(
                    parse_line(json.dumps(e).encode(), learner=learner, source="api/activity"), path_ids=paths, now=now
                )
                for e in events
            ]
        except ValidationError as exc:
            raise ApiError(400, str(exc)) from exc
        added = await self.call(self.state.store.record_activity, parsed)
        self.write_json({"added": added})
