"""A learning-path page: the one object a course notebook creates.

A path notebook starts with::

    from peerkit.widgets import PathPage
    page = PathPage("what-is-peer-learning")
    page.banner()

then puts one activity per cell — ``page.reflection(...)``, ``page.scale(...)``,
``page.checklist(...)``, ``page.profile(...)``, ``page.plan(...)``, ``page.example(...)``,
``page.check(...)`` (a check of understanding: instant feedback, no points, never reviewed), or
``page.answer("<kind>", ...)`` for any other registered answer kind — shows
``page.progress()`` where it wants the progress bar, and ends with ``page.submit()``. Each call
returns a widget that the cell displays.

Every activity but a check is required: a submission with one left blank is reported to the
facilitator as incomplete, and Submit asks the learner to confirm first. Pass ``optional=True`` to an
activity (``page.reflection("aside", ..., optional=True)``) for one that may stay blank. A reflection
can offer a model answer (``model="..."``) that opens once the path is submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Unpack

from traitlets.config import Config

from peerkit.core import kinds
from peerkit.core.kinds.check import CheckArguments
from peerkit.exchange.base import ActivityLog
from peerkit.exchange.context import LearnerContext
from peerkit.review.closing import review_closed
from peerkit.widgets.answer import AnswerWidget
from peerkit.widgets.check import CheckWidget
from peerkit.widgets.checklist import Checklist
from peerkit.widgets.context import open_path
from peerkit.widgets.example import Example
from peerkit.widgets.frame import next_step_after, place_of, render_frame
from peerkit.widgets.look import Look
from peerkit.widgets.peers import PeersBox
from peerkit.widgets.placeholder import show_placeholder
from peerkit.widgets.plan import ActionPlan
from peerkit.widgets.profile import Profile
from peerkit.widgets.progress import PathProgress
from peerkit.widgets.project import ProjectBox, ProjectSummaryBox
from peerkit.widgets.reflection import Reflection
from peerkit.widgets.scale import Scale
from peerkit.widgets.session import PathSession
from peerkit.widgets.status import Tone, notice_box
from peerkit.widgets.submit import SubmitPanel
from peerkit.widgets.visit import preheated, when_visited

PRELOAD_AFTER_VISIT = 2.0  # seconds; bench.page_load and bench.submit_latency measure the trade


def reload_when_visited(session: PathSession, on_visit: Callable[[], None] | None = None) -> None:
    """In a preheated Voilà kernel, re-read the answers when a visitor is actually handed this kernel;
    then (or, without preheating, shortly after the page is built) preload what Submit needs and call
    *on_visit* (the page records that it was opened: a preheated page is built long before anyone visits).

    Voilà runs preheated notebooks when the pool is filled, possibly long before the visit; answers
    saved since then (by the previous visit's kernel) would be missing from the page. Voilà's
    ``wait_for_request`` returns when the kernel is given to a request; reloading then puts the
    latest answers on the page before or as the browser connects.
    """
    if not session.saves:
        return

    def visited(*, reload: bool) -> None:
        if reload:
            session.reload()
        if on_visit is not None:
            on_visit()
        # Only now (pooled kernels must not all import nbgrader at startup), and 2 s on: the import
        # is a second of CPU, and at 0.5 s it slowed the page it was preparing by 0.2-0.3 s.
        session.preload_submit(delay=PRELOAD_AFTER_VISIT)

    if preheated():
        when_visited(lambda: visited(reload=True), name="peerkit-reload-on-visit")
    else:
        visited(reload=False)


class PathPage:
    """The widgets of one path page, sharing one :class:`PathSession`."""

    #: Each activity first puts out its placeholder in the running cell (:mod:`.placeholder`), which its
    #: widget then replaces in the same output area: right where each activity has its own cell.
    placeholders = True

    def __init__(
        self,
        path_id: str,
        *,
        folder: Path | str | None = None,
        learner: str | None = None,
        config: Config | None = None,
        session: PathSession | None = None,
        activity: ActivityLog | None = None,
        context: LearnerContext | None = None,
    ) -> None:
        self.session = session or open_path(
            path_id, folder=folder, learner=learner, config=config, activity=activity, context=context
        )
        if session is not None and activity is not None:
            session.activity = activity
        self.look = Look()
        self.widgets: list[Any] = []
        self.progress_widget = PathProgress(self.session, look=self.look)
        reload_when_visited(self.session, on_visit=self.session.opened)
        self.session.watch()

    def _keep(self, widget: Any) -> Any:
        self.widgets.append(widget)
        return widget

    @property
    def course_folder(self) -> Path | None:
        """The learner's course folder (the path's folder sits in it); None in a preview."""
        return self.session.folder.parent if self.session.folder is not None else None

    def frame(self) -> str:
        """The page frame's HTML (:mod:`peerkit.widgets.frame`): where this path sits, and the way around
        ("" in a preview, which sits in no learner's course)."""
        if self.course_folder is None:
            return ""
        return render_frame(place_of(self.session.path_id, self.course_folder))

    def next_step(self) -> str:
        """After a Submit: what comes next, with a link (the path's reviews, or the next path; when the
        facilitator has closed the path's peer review, that it has)."""
        path_id = self.session.path_id
        closed = review_closed(self.session.exchange, path_id)
        return next_step_after(path_id, self.course_folder, review_closed=closed)

    def banner(self) -> Any:
        """The page frame (course, "Path n of N", home / previous / next, a skip link), then a notice
        when answers are not being saved (preview) or were recovered."""
        text = self.session.notice
        tone: Tone = "warn" if not self.session.saves else "info"
        html = self.frame() + (notice_box(text, tone) if text else "")
        return self._keep(self.look.html_widget(html))

    def _answer(self, widget: AnswerWidget, *, optional: bool = False) -> Any:
        self.progress_widget.track(widget.answer_id)
        self.session.expect(widget.answer_id, optional=optional)
        if self.placeholders:
            show_placeholder(widget, self.session, widget.answer_id)  # seen before the widgets connect
        return self._keep(widget)

    def progress(self) -> PathProgress:
        """The path's progress bar (counts every activity on the page, including later cells)."""
        return self._keep(self.progress_widget)  # type: ignore[no-any-return]

    def reflection(self, answer_id: str, prompt: str = "", *, optional: bool = False, **options: Any) -> Reflection:
        """A free-text reflection saved as *answer_id* (see :class:`Reflection` for options)."""
        widget = Reflection(self.session, answer_id, prompt, look=self.look, **options)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def scale(
        self, answer_id: str, *, label: str, low: str, high: str, optional: bool = False, **options: Any
    ) -> Scale:
        """A Likert-style scale from *low* to *high* (see :class:`Scale`)."""
        widget = Scale(self.session, answer_id, label=label, low=low, high=high, look=self.look, **options)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def checklist(
        self, answer_id: str, options: Sequence[str], *, label: str, optional: bool = False, **more: Any
    ) -> Checklist:
        """Tick every option that applies, with an optional "other" box (see :class:`Checklist`)."""
        widget = Checklist(self.session, answer_id, options, label=label, look=self.look, **more)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def profile(self, answer_id: str, *, optional: bool = False, **options: Any) -> Profile:
        """What I know / what I bring / what I want to learn (see :class:`Profile`)."""
        widget = Profile(self.session, answer_id, look=self.look, **options)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def plan(self, answer_id: str, *, optional: bool = False, **options: Any) -> ActionPlan:
        """An action plan: first step, date, check-in, support (see :class:`ActionPlan`)."""
        widget = ActionPlan(self.session, answer_id, look=self.look, **options)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def example(self, answer_id: str, *, optional: bool = False, **options: Any) -> Example:
        """Contribute an example to the course gallery: title, story, tags (see :class:`Example`)."""
        widget = Example(self.session, answer_id, look=self.look, **options)
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def check(
        self,
        answer_id: str,
        prompt: str,
        *,
        why: str,
        optional: bool = False,
        **arguments: Unpack[CheckArguments],
    ) -> CheckWidget:
        """A check of understanding with instant feedback, never reviewed by peers and worth no points:
        *choices* with the right *answer*'s position (and *hints* by position), the steps of *order* in
        their right order, or *match*'s (term, meaning) pairs; *why* is shown after every try (see
        :class:`~peerkit.widgets.check.CheckWidget`). Progress counts it, but it is never required:
        a submission without it is complete (*optional* is accepted like every page method's)."""
        widget = CheckWidget(self.session, answer_id, prompt, why=why, look=self.look, **arguments)
        return self._answer(widget, optional=optional or not kinds.get(CheckWidget.kind).required)  # type: ignore[no-any-return]

    def project(
        self,
        answer_id: str,
        *,
        part: str,
        label: str = "Your part of the project",
        min_words: int = 0,
        model: str | None = None,
        optional: bool = False,
    ) -> ProjectBox:
        """One *part* of the learner's course project (an id of course.yml ``project``): shows the parts
        saved on earlier paths and, when this part was written before, its previous version to revise;
        *model* is offered after the path is submitted (see :class:`~peerkit.widgets.project.ProjectBox`)."""
        widget = ProjectBox(
            self.session, answer_id, part=part, label=label, min_words=min_words, model=model or "", look=self.look
        )
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def project_summary(
        self,
        answer_id: str,
        *,
        label: str = "My initiative, assembled and revised",
        min_words: int = 0,
        model: str | None = None,
        optional: bool = False,
    ) -> ProjectSummaryBox:
        """The capstone's whole project: every part's latest saved version put together once, to revise;
        parts never written are named (see :class:`~peerkit.widgets.project.ProjectSummaryBox`)."""
        widget = ProjectSummaryBox(
            self.session, answer_id, label=label, min_words=min_words, model=model or "", look=self.look
        )
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def peers(
        self,
        answer_id: str,
        *,
        source: str = "gallery",
        path: str = "",
        count: int = 3,
        label: str = "What would you try, and what would you change for your setting?",
        min_words: int = 0,
        starters: Sequence[tuple[str, str]] = (),
        optional: bool = False,
    ) -> PeersBox:
        """Other learners' work (*source* "gallery": up to *count* published examples, never the learner's
        own; "notes": the released summary notes of *path*), or the course's *starters* (title, text)
        while nothing is published, then the learner's response (see :class:`~peerkit.widgets.peers.PeersBox`)."""
        widget = PeersBox(
            self.session,
            answer_id,
            source=source,
            path=path,
            count=count,
            label=label,
            min_words=min_words,
            starters=starters,
            look=self.look,
        )
        return self._answer(widget, optional=optional)  # type: ignore[no-any-return]

    def answer(self, kind: str, answer_id: str, *args: Any, optional: bool = False, **options: Any) -> Any:
        """An activity of any registered answer kind, e.g. ``page.answer("url", "my-link", label="...")``.

        The kind's widget (:attr:`peerkit.core.kinds.AnswerKind.widget`) is built with this page's
        session and look: ``Widget(session, answer_id, *args, look=look, **options)``.
        """
        widget = kinds.get(kind, where=answer_id).widget_class()
        return self._answer(widget(self.session, answer_id, *args, look=self.look, **options), optional=optional)

    def submit(self, **options: Any) -> SubmitPanel:
        """The Submit control for this path."""
        if self.session.saves:
            options.setdefault("next_step", self.next_step)
        return self._keep(SubmitPanel(self.session, look=self.look, **options))  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close every widget of the page (ipywidgets keeps a global registry of live widgets)."""
        self.session.stop()
        for widget in [*self.widgets, self.progress_widget]:
            for child in getattr(widget, "children", ()):
                child.close()
            widget.close()
        self.widgets.clear()
        self.look.close()
