"""nbgrader's apps run in-process: their log captured, their routine warnings off the console unless -v."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from peerkit.core.errors import ExchangeError
from peerkit.nbgrader.run import run_app

ROUTINE = "Attribute 'checksum' for cell peer-moment has changed! (should be: 4d25, got: f033)"


class Step:
    """An app as nbgrader's look to run_app: a ``log`` trait and ``start()``."""

    def __init__(self, fail: bool = False) -> None:
        self.log = logging.getLogger("traitlets")
        self.fail = fail
        self.logged_to: logging.Logger | None = None

    def start(self) -> None:
        self.logged_to = self.log
        self.log.info("Converting notebook")
        self.log.warning(ROUTINE)
        if self.fail:
            self.log.error("No such assignment: nope")
            raise RuntimeError("nbgrader gave up")


class Console(logging.Handler):
    """Stands for the console: what the root logger's handlers get (caplog would not do: pytest attaches its
    handler to every logger that does not propagate, the steps' logger too)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append(record.getMessage())


@pytest.fixture
def console() -> Iterator[Console]:
    root, handler = logging.getLogger(), Console()
    level = root.level
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_routine_warnings_are_kept_in_the_steps_log_not_printed(console: Console) -> None:
    logging.getLogger().setLevel(logging.WARNING)  # no -v
    step = Step()
    text = run_app(step, "autograde what-is-peer-learning")
    assert ROUTINE in text and "Converting notebook" in text
    assert console.said == []
    assert step.logged_to is not None and step.logged_to.name == "peerkit.nbgrader.steps"


def test_with_verbose_output_they_are_printed(console: Console) -> None:
    logging.getLogger().setLevel(logging.INFO)  # -v
    run_app(Step(), "autograde what-is-peer-learning")
    assert console.said == ["Converting notebook", ROUTINE]


def test_a_failing_step_says_its_error_and_keeps_the_whole_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), pytest.raises(ExchangeError) as caught:
        run_app(Step(fail=True), "collect nope")
    assert str(caught.value) == "collect nope failed: No such assignment: nope"
    assert ROUTINE in (caught.value.log or "")
