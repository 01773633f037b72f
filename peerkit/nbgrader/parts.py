"""The nbgrader objects every step needs, built from one config: course directory, authenticator, exchange."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from traitlets.config import Config

from peerkit.nbgrader.config import skip_slow_iri_grammar


@dataclass(frozen=True)
class Parts:
    """nbgrader's ``CourseDirectory``, ``Authenticator`` and ``ExchangeFactory`` sharing one config."""

    config: Config
    coursedir: Any
    authenticator: Any
    exchange: Any

    def step(self, name: str, **traits: Any) -> Any:
        """An exchange step (``"Submit"``, ``"Collect"`` ...) wired to these parts, with *traits* set."""
        app = getattr(self.exchange, name)(
            coursedir=self.coursedir, authenticator=self.authenticator, config=self.config
        )
        for key, value in traits.items():
            setattr(app, key, value)
        return app


def make_parts(config: Config, *, assignment_id: str = "", student_id: str | None = None) -> Parts:
    """Build :class:`Parts` for *assignment_id* (and *student_id*, when acting for one learner)."""
    skip_slow_iri_grammar()
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    coursedir = CourseDirectory(config=config)
    if assignment_id:
        coursedir.assignment_id = assignment_id
    if student_id is not None:
        coursedir.student_id = student_id
    return Parts(
        config=config,
        coursedir=coursedir,
        authenticator=Authenticator(config=config),
        exchange=ExchangeFactory(config=config),
    )
