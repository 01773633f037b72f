"""What a learner reads when something fails, checked: plain words, a reference, the detail in the log."""

from __future__ import annotations

import re

import pytest

REFERENCE = re.compile(r"reference ([A-Z0-9]{6})\.")


def reference_in(text: str) -> str:
    """The reference a learner's message quotes (the test fails when it quotes none)."""
    found = REFERENCE.search(text)
    assert found, f"no reference for the facilitator in {text!r}"
    return found[1]


def logged_under(caplog: pytest.LogCaptureFixture, text: str) -> str:
    """What the server's log holds under the reference *text* quotes (a warning), for the facilitator."""
    reference = reference_in(text)
    found = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and reference in r.getMessage()]
    assert found, f"reference {reference} is in no warning of the log"
    return "\n".join(found)
