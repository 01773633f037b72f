"""The one exception tree of peerkit.

Every error the library raises on purpose is a :class:`PeerkitError`. Each carries structured
fields besides its message so that callers (the CLI, the widgets, the hub service) can react
without parsing text. The CLI turns them into clean messages; the widgets show ``str(error)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from peerkit.core.allocation import Shortfall


class PeerkitError(Exception):
    """Base of every error peerkit raises on purpose."""


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to about *limit* characters: how an error quotes what a learner or a file
    supplied, so that a message names the bad value without echoing half a megabyte of it."""
    text = repr(value)
    if len(text) <= limit:
        return text
    closing = text[-1] if text[-1] in "'\"" else ""
    return text[: limit - 4] + "..." + closing


class ConfigError(PeerkitError):
    """A configuration or course definition is missing, malformed or inconsistent.

    ``source`` names the file or setting at fault when known; ``where`` the place in it (a path
    such as ``rubrics[1].criteria[0].levels[2].points``, the first one when there are several).
    """

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
        self.where = where


class IdentityError(PeerkitError):
    """Who the learner is could not be established, or the name is unsafe to use."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class ValidationError(PeerkitError):
    """Input from a learner or a file does not have the expected shape or size.

    ``field`` is the offending key (an answer id, a JSON path) when known.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DocumentVersionError(ValidationError):
    """A versioned document (answer sheet, packet, feedback, notebook metadata...) is of a version this
    peerkit cannot read: newer than it knows (upgrade peerkit), or older than it still upgrades.

    ``source`` names the file, ``format`` the document format, ``found`` the document's version and
    ``supported`` the newest version this peerkit reads.
    """

    def __init__(
        self, message: str, *, source: str, format: str, found: int, supported: int, field: str = "version"
    ) -> None:
        super().__init__(message, field=field)
        self.source = source
        self.format = format
        self.found = found
        self.supported = supported


class StorageError(PeerkitError):
    """Reading or writing persistent state failed (disk full, read-only, database down).

    ``path`` is the file or URL involved when known.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class NotFound(StorageError):
    """A requested record or file does not exist."""


class Conflict(StorageError):
    """A write lost a race against another writer (another tab, another process)."""


class Unavailable(StorageError):
    """The store cannot be reached right now (the database server restarts, the network is down).

    Nothing was written; trying again later is the right reaction (the hub service answers 503
    with ``Retry-After``, and its clients retry).
    """


class ServiceError(PeerkitError):
    """The course's JupyterHub service refused or failed a request.

    ``status`` is the HTTP status (0 when the service could not be reached at all).
    """

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class WorkflowError(PeerkitError):
    """An action is not possible in the current phase (submit before fetch, review a closed round)."""


class ExchangeError(WorkflowError):
    """nbgrader's exchange refused an operation (release, fetch, submit, collect).

    ``operation`` names the step; ``log`` keeps nbgrader's own log lines for facilitators.
    """

    def __init__(self, message: str, *, operation: str, log: str = "") -> None:
        super().__init__(message)
        self.operation = operation
        self.log = log


class AllocationError(PeerkitError):
    """Reviewers cannot be allocated as asked (too few submitters, impossible constraints).

    ``learners`` names the offending ids (at most a handful) when there are any. ``k`` is the
    number of reviewers per submission asked for and ``shortfall`` the submissions that have fewer
    (:class:`peerkit.core.allocation.Shortfall` records), when the error is about an incomplete
    round; ``None`` and empty otherwise.
    """

    def __init__(
        self,
        message: str,
        *,
        learners: Iterable[str] = (),
        k: int | None = None,
        shortfall: Iterable[Shortfall] = (),
    ) -> None:
        super().__init__(message)
        self.learners = tuple(learners)
        self.k = k
        self.shortfall = tuple(shortfall)


class ServerError(PeerkitError):
    """A server peerkit starts (the learners' Voilà, the facilitator's dashboard) cannot run.

    ``server`` names it, ``port`` is the port it was to serve on, ``exit_code`` its exit code when it
    stopped (None when it never started, e.g. the port was taken) and ``log`` the last lines it wrote.
    """

    def __init__(self, message: str, *, server: str, port: int, exit_code: int | None = None, log: str = "") -> None:
        super().__init__(message)
        self.server = server
        self.port = port
        self.exit_code = exit_code
        self.log = log
