"""What a learner reads when something goes wrong: plain words, and a reference for the facilitator.

An error's own text is written for the people who run the course: it names the server's folders,
the database, the course service and its status codes, nbgrader's steps. A learner's page never
shows it. :func:`plain_problem` says instead what happened in the learner's terms, whether their
work is safe, what to do, and a short reference (``reference K7QW2M``); the technical detail goes to
the server's log at warning level under the same reference, where the facilitator finds it.

Messages about the learner's own answer (too long, a field refused with its fix) are not problems
of this kind: they stay as specific as the check wrote them.

Inside a Jupyter kernel (a Voilà page) a warning with no handler would be written to the kernel's
``stderr``, which is sent to the page; :func:`keep_logs_off_the_page` gives peerkit's loggers a
handler on the server's own error stream instead (run once, when this module is imported).
"""

from __future__ import annotations

import logging
import os
import secrets
import sys

from peerkit.core.errors import ExchangeError

log = logging.getLogger(__name__)

#: Letters and digits no one misreads (no 0/O, 1/I/L), as a learner quotes them on the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 6

#: What to do, in the learner's words.
TRY_AGAIN = "Try again in a few minutes."
RELOAD = "Reload the page in a few minutes."
RETRIES = "It is tried again by itself: keep this page open."


def new_reference() -> str:
    """A short reference for one problem, as the learner quotes it and the server's log records it."""
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def plain_problem(
    what: str,
    error: BaseException | str,
    *,
    safe: str = "",
    then: str = TRY_AGAIN,
    reference: str | None = None,
    logged: bool = False,
    where: str = "",
) -> str:
    """The learner's message for a problem: *what* happened (their terms, a sentence), whether their
    work is *safe*, what to do *then*, and whom to tell with which reference. *error* (an exception or
    its text) is logged at warning level under that reference with *where* (the path, the learner),
    never shown. A *reference* may be given (one problem that lasts keeps its reference): with *logged*,
    the problem is in the log under it already and is not logged again."""
    ref = reference or new_reference()
    if not logged:
        detail = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else error
        nbgrader_log = error.log.strip() if isinstance(error, ExchangeError) else ""
        log.warning(
            "learner page problem, reference %s%s: %s [%s]%s",
            ref,
            f" ({where})" if where else "",
            what,
            detail,
            f"\n{nbgrader_log}" if nbgrader_log else "",
        )
    parts = [
        what.strip(),
        safe.strip(),
        then.strip(),
        f"If it keeps happening, tell your facilitator: reference {ref}.",
    ]
    return " ".join(p for p in parts if p)


def keep_logs_off_the_page() -> bool:
    """In a Jupyter kernel, send peerkit's warnings to the server's error stream (its log), not to the
    page. ipykernel replaces ``sys.stderr`` with a stream that is shown in the page and keeps the
    server's own stream as its ``fileno()``. Returns whether a handler was added (once per process)."""
    stream = sys.stderr
    if stream is None or not type(stream).__module__.startswith("ipykernel"):
        return False
    root = logging.getLogger("peerkit")
    if any(getattr(h, "_peerkit_server_log", False) for h in root.handlers):
        return False
    try:
        server = os.fdopen(os.dup(stream.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return False
    handler = logging.StreamHandler(server)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("[peerkit-page] %(levelname)s %(name)s: %(message)s"))
    handler._peerkit_server_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return True


keep_logs_off_the_page()
