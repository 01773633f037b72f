"""How a long operation reports how far it got: a typed callback, called with (done, total).

The domain (building, ingesting, allocating, publishing packets and feedback) calls it once per
item; front ends decide how to show it (the command line draws a bar on a terminal and plain lines
in a log, see :func:`peerkit.cli.common.progress_bar`). An operation with several stages announces
each one with :func:`stage`, which a callback that has a ``stage`` method (:class:`Staged`) hears;
a plain function only sees the counts, each stage counting from 0 to its own total.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

#: ``progress(done, total)``: *done* of *total* items of the current stage are finished.
Progress = Callable[[int, int], None]


@runtime_checkable
class Staged(Protocol):
    """A progress callback that also shows which stage an operation is in."""

    def __call__(self, done: int, total: int, /) -> None: ...

    def stage(self, name: str, total: int) -> None: ...


def stage(progress: Progress | None, name: str, total: int) -> None:
    """Start stage *name* of *total* items: tell a :class:`Staged` callback its name, report 0 of *total*."""
    if progress is None:
        return
    if isinstance(progress, Staged):
        progress.stage(name, total)
    progress(0, total)
