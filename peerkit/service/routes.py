"""The URL table of the service's HTTP API. Every route sits under the hub's service prefix (``/services/peerkit/``).

Probes (no token; also at ``/health`` and ``/ready`` outside the prefix, for a load balancer)::

    GET  health                                       the process is up (liveness)
    GET  ready                                        the store answers, its schema is at head (readiness)
    GET  api/health                                   the same as ready

Learners (their own documents only; the learner is always the token's owner, never a parameter)::

    GET  api/whoami                                   who the hub says you are
    GET  api/paths/<path>/round                       your round manifest (packet tokens, rubric)
    GET  api/paths/<path>/packets/<token>             one packet of yours
    GET  api/paths/<path>/feedback                    your grade and the reviews you received
    GET  api/paths/<path>/drafts                      your saved review drafts
    PUT  api/paths/<path>/drafts/<answer id>          save one draft {"answer": {...}, "base": version}
    POST api/activity                                 your page events (opened, answered, submitted, ...)

Facilitators (hub group ``formgrade-<course>`` or scope ``custom:peerkit:facilitate``)::

    GET  api/facilitator/paths                        every peer-reviewed path: submissions, round
    GET  api/facilitator/paths/<path>/submissions     who submitted, when
    GET  api/facilitator/paths/<path>/round           who has reviews to do, who waits for reviews
    GET  api/facilitator/paths/<path>/grades          computed grades (with overrides)
    POST api/facilitator/paths/<path>/release         build and release the path through nbgrader
    POST api/facilitator/paths/<path>/collect         collect submissions and ingest them
    POST api/facilitator/paths/<path>/round           open the round, or bring it up to date
    POST api/facilitator/paths/<path>/reviews         collect the submitted reviews
    POST api/facilitator/paths/<path>/close           compute grades and release feedback

What every endpoint shares (the token, JSON answers and errors, ``Server-Timing``):
:mod:`peerkit.service.api`.
"""

from __future__ import annotations

import re
from typing import Any

from tornado import web

from peerkit.service.api import WhoAmIHandler
from peerkit.service.facilitators import (
    ActionHandler,
    GradesHandler,
    PathsHandler,
    RoundStatusHandler,
    SubmissionsHandler,
)
from peerkit.service.learners import (
    ActivityHandler,
    DraftHandler,
    DraftsHandler,
    FeedbackHandler,
    PacketHandler,
    RoundHandler,
)
from peerkit.service.probes import HealthHandler, ReadyHandler
from peerkit.service.state import ServiceState


def routes(prefix: str, state: ServiceState) -> list[Any]:
    """The URL table under *prefix* (the hub's ``JUPYTERHUB_SERVICE_PREFIX``, ending in ``/``)."""
    p = re.escape(prefix)
    seg = r"([^/]+)"
    table: list[tuple[str, type[web.RequestHandler]]] = [
        (r"health", HealthHandler),
        (r"ready", ReadyHandler),
        (r"api/health", ReadyHandler),
        (r"api/whoami", WhoAmIHandler),
        (rf"api/paths/{seg}/round", RoundHandler),
        (rf"api/paths/{seg}/packets/{seg}", PacketHandler),
        (rf"api/paths/{seg}/feedback", FeedbackHandler),
        (rf"api/paths/{seg}/drafts", DraftsHandler),
        (rf"api/paths/{seg}/drafts/{seg}", DraftHandler),
        (r"api/activity", ActivityHandler),
        (r"api/facilitator/paths", PathsHandler),
        (rf"api/facilitator/paths/{seg}/submissions", SubmissionsHandler),
        (rf"api/facilitator/paths/{seg}/grades", GradesHandler),
        (rf"api/facilitator/paths/{seg}/round", RoundStatusHandler),
        (rf"api/facilitator/paths/{seg}/(release|collect|reviews|close)", ActionHandler),
    ]
    probes = [
        (rf"/{name}/?", handler, {"state": state})
        for name, handler in (("health", HealthHandler), ("ready", ReadyHandler))
    ]
    return [(p + pattern + r"/?", handler, {"state": state}) for pattern, handler in table] + probes
