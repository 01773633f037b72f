"""Run one of nbgrader's apps or exchange steps in-process and report failures as peerkit errors."""

from __future__ import annotations

import io
import logging
from typing import Any

from peerkit.core.errors import ExchangeError


def last_error_line(log_text: str) -> str:
    """The last ``[ERROR]``/``[CRITICAL]`` line of an nbgrader log, without its level tag."""
    for line in reversed(log_text.splitlines()):
        for tag in ("[ERROR] ", "[CRITICAL] "):
            if line.startswith(tag):
                return line[len(tag) :].strip()
    return ""


def run_app(app: Any, operation: str) -> str:
    """Call ``app.start()`` with its log captured; return the log, or raise :class:`ExchangeError`.

    nbgrader's exchange steps log an error and raise ``nbgrader.exchange.ExchangeError``; its
    converters log and raise ``NbGraderException``. Either way the message a person can act on is
    the logged error, which becomes the peerkit error's message; the full log is kept on it.
    """
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    app.log.addHandler(handler)
    try:
        app.start()
    except Exception as exc:
        text = buffer.getvalue()
        message = last_error_line(text) or f"{type(exc).__name__}: {exc}"
        raise ExchangeError(f"{operation} failed: {message}", operation=operation, log=text) from exc
    finally:
        app.log.removeHandler(handler)
    return buffer.getvalue()
