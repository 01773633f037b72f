"""Run one of nbgrader's apps or exchange steps in-process and report failures as peerkit errors."""

from __future__ import annotations

import io
import logging
from typing import Any, Final

from peerkit.core.errors import ExchangeError


def last_error_line(log_text: str) -> str:
    """The last ``[ERROR]``/``[CRITICAL]`` line of an nbgrader log, without its level tag."""
    for line in reversed(log_text.splitlines()):
        for tag in ("[ERROR] ", "[CRITICAL] "):
            if line.startswith(tag):
                return line[len(tag) :].strip()
    return ""


#: The logger nbgrader's apps log to while peerkit runs them. Its records reach the console (the root logger's
#: handlers) only when the command runs with ``-v``: nbgrader warns, as a matter of course, of things peerkit does
#: on purpose (every autograde: "Attribute 'checksum' for cell … has changed!", since a task cell's mark scheme is
#: removed from the released notebook; "Removing existing assignment"; "No submissions … to collect"), which read
#: like damage to a facilitator. An error still ends the step as an :class:`ExchangeError` that says it.
LOG: Final = logging.getLogger("peerkit.nbgrader.steps")


def run_app(app: Any, operation: str) -> str:
    """Call ``app.start()`` with its log captured; return the log, or raise :class:`ExchangeError`.

    nbgrader's exchange steps log an error and raise ``nbgrader.exchange.ExchangeError``; its
    converters log and raise ``NbGraderException``. Either way the message a person can act on is
    the logged error, which becomes the peerkit error's message; the full log is kept on it. The app
    logs to :data:`LOG` (as do the preprocessors and exchange objects it makes, which log through it).
    """
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    LOG.propagate = logging.getLogger().isEnabledFor(logging.INFO)
    LOG.setLevel(logging.INFO)
    app.log = LOG
    LOG.addHandler(handler)
    try:
        app.start()
    except Exception as exc:
        text = buffer.getvalue()
        message = last_error_line(text) or f"{type(exc).__name__}: {exc}"
        raise ExchangeError(f"{operation} failed: {message}", operation=operation, log=text) from exc
    finally:
        LOG.removeHandler(handler)
    return buffer.getvalue()
