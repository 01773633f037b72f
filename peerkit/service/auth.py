"""Who is calling the service: a learner, a facilitator, or another hub service.

The hub says who owns a token (``GET /hub/api/user``); this module turns its answer into a
:class:`Caller`. Learners are hub *users* (``kind == "user"``); a service token that holds the access
scope is not a learner (it has no packets) but may be a facilitator through the custom scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The custom hub scope that makes a token a facilitator's (besides the ``formgrade-<course>`` group).
FACILITATE_SCOPE = "custom:peerkit:facilitate"


def facilitator_group(course_id: str) -> str:
    """nbgrader's JupyterHub group of a course's graders, which peerkit also reads as facilitators."""
    return f"formgrade-{course_id}"


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    kind: str  # "user" or "service"
    facilitator: bool

    @property
    def is_user(self) -> bool:
        return self.kind == "user"


def caller_from_model(model: Mapping[str, Any], *, group: str) -> Caller:
    """The caller described by the hub's model of a token's owner (``GET /hub/api/user``)."""
    groups = model.get("groups") or []
    scopes = model.get("scopes") or []
    return Caller(
        name=str(model.get("name") or ""),
        kind=str(model.get("kind") or "user"),
        facilitator=(isinstance(groups, list) and group in groups)
        or (isinstance(scopes, list) and FACILITATE_SCOPE in scopes),
    )
