"""The review app (a Voilà page): a learner's review packets one by one, the rubric, their self-assessment.

It is the notebook of the ``<path>-review`` nbgrader assignment; its answers are reviews, saved
and submitted like any path's answers. Packets come from the learner's side of the course's
exchange (:mod:`peerkit.exchange`, read through :mod:`peerkit.review.inbox`): their own review
channel on a local course, the course's hub service under JupyterHub, where each review answer is
also kept there as a draft.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.another import AnotherReview
from peerkit.apps.arrivals import ArrivalWatch, closed_notice, nothing_yet, review_count, waiting_notice
from peerkit.apps.feedback import RATE_INVITE, RESPOND, RESPOND_INTRO, deliver_as_written, own_answers, rating_answer_id
from peerkit.apps.overview import ReviewsToDo, review_complete, reviews_left
from peerkit.apps.packet_view import render_feedback_summary, render_packet, render_received_review
from peerkit.apps.practice import Practice, practice_section, read_practice
from peerkit.core.answers import AnswerSheet
from peerkit.core.errors import PeerkitError
from peerkit.core.redaction import removed_message
from peerkit.core.rubric import Rubric
from peerkit.exchange.context import LearnerContext
from peerkit.nbgrader.learner import last_submission_time
from peerkit.review.closing import closed_since
from peerkit.review.drafts import DraftMirror
from peerkit.review.inbox import Inbox
from peerkit.widgets.delivery import AutoDelivery
from peerkit.widgets.frame import notebook_stop, render_next_step
from peerkit.widgets.page import PathPage
from peerkit.widgets.practice import PracticeExampleView, practice_views
from peerkit.widgets.rating import RatingForm
from peerkit.widgets.response import ResponseForm
from peerkit.widgets.review_form import ReviewForm
from peerkit.widgets.status import local_time, notice_box, status_line, status_markup
from peerkit.widgets.submit import SubmitPanel
from peerkit.widgets.trouble import RELOAD, RETRIES, new_reference, plain_problem

SELF = "self"


def review_answer_id(token: str) -> str:
    return f"r-{token}"


class ReviewPage(PathPage):
    """The page of ``<path_id>-review``; display :attr:`view`."""

    #: The page's forms are made with the page (in its first cell) and shown in :attr:`view`'s cell: a
    #: stand-in put out while they are made would sit above the page's header, with no form to replace it.
    placeholders = False

    def __init__(
        self,
        path_id: str,
        *,
        folder: Path | str | None = None,
        learner: str | None = None,
        config: Config | None = None,
        context: LearnerContext | None = None,
        practice: Practice | None = None,
    ) -> None:
        super().__init__(f"{path_id}-review", folder=folder, learner=learner, config=config, context=context)
        self.reviewed_path = path_id
        if practice is None and self.session.folder is not None:
            practice = read_practice(self.session.folder / f"{self.session.path_id}.ipynb")
        self.practice = practice
        self.mode = practice.mode if practice is not None else "round"
        self.forms: list[ReviewForm] = []
        self.practice_views: list[PracticeExampleView] = []
        self.response: ResponseForm | None = None
        self.own_packet: dict[str, Any] | None = None
        self.ratings: list[RatingForm] = []
        self.titles: list[str] = []
        self.drafts: DraftMirror | None = None
        #: The reference the learner is given while review drafts fail to reach the course (None: they do).
        self._draft_reference: str | None = None
        self.delivery: AutoDelivery | None = None
        self.sync_line = self.look.live_widget("")
        #: Says, once the path's peer review closed, what becomes of a review written now (empty: open).
        self.closed_line = self.look.live_widget("")
        self.closed_line.add_class("peerkit-review-closed")
        #: Says when the ratings were last sent to the facilitator (they go as they are given).
        self.ratings_line = self.look.live_widget("")
        self.ratings_line.add_class("peerkit-ratings-sent")
        self.view = widgets.VBox(layout=self.look.block)
        self.view.add_class("peerkit-review-app")
        #: What arrives while the page is open (rolling review): the news line and the button that shows it.
        self.arrivals = ArrivalWatch(path_id, look=self.look, on_show=self.show_arrived)
        self.news, self.show_news = self.arrivals.news, self.arrivals.show_news
        self.picker: widgets.ToggleButtons | None = None
        self.inbox: Inbox | None = None
        self._waiting = False
        #: The facilitator has closed the path's peer review: nothing more comes to this page.
        self.closed = False
        #: When it closed (None: open): reviews written since are kept here, and reach the author only if the
        #: facilitator takes late reviews in (a later close).
        self.closed_at: datetime | None = None
        #: Rolling review, once the learner's reviews are done: "review one more classmate's work".
        self.another: AnotherReview | None = None
        self.progress_widget.describe = self._reviews_needed
        self._build()
        self.session.showing(self.progress_widget.update)  # every form made: the reviews they leave
        self.session.on_change(self._saved_after_close)
        self._watch()

    def _reviews_needed(self, sheet: AnswerSheet) -> tuple[str, bool]:
        """What the progress line says the reviews need (as the course home does): "2 reviews to do and
        your self-assessment", then "all reviews written"; whether they are all written."""
        if not self.forms:
            progress = self.progress_widget
            return "", bool(progress.answer_ids) and progress.done(sheet) == len(progress.answer_ids)
        written = {
            f.answer_id for f in self.forms if (a := sheet.get(f.answer_id)) and review_complete(f.rubric, a.value)
        }
        peers = [f.answer_id for f in self.forms if f.answer_id != SELF]
        own = any(f.answer_id == SELF for f in self.forms)
        left = ReviewsToDo(
            self.reviewed_path,
            "",
            "",
            packets=len(peers),
            written=len(written.intersection(peers)),
            unsent=False,
            own=own,
            own_written=SELF in written,
        )
        return reviews_left(left) or "all reviews written", not left.open

    def _inbox(self) -> tuple[Inbox | None, str]:
        session = self.session
        if not session.saves or session.learner is None:
            return None, session.notice
        if session.exchange is None:
            return None, "The work to review cannot be found: this server cannot reach your course's shared files."
        return Inbox(self.reviewed_path, session.exchange), ""

    def _mirror_drafts(self, inbox: Inbox) -> None:
        """Where the exchange keeps drafts (JupyterHub): take in newer ones, then send each change."""
        mirror = DraftMirror(
            inbox.exchange,
            self.reviewed_path,
            on_status=self._draft_status,
            closed_at=self.closed_at,
            on_closed=self._closed_since_opened,
        )
        try:
            self.session.adopt(mirror.newer_drafts(self.session.sheet))
        except PeerkitError as exc:
            message = plain_problem(
                "Your reviews as the course keeps them could not be fetched, so this page shows the copy saved here.",
                exc,
                safe="Nothing is lost.",
                then=RELOAD,
                where=self._where,
            )
            self._sync_status(message, False)
        self.session.on_change(mirror.listener)
        self.drafts = mirror

    def _sync_status(self, message: str, ok: bool) -> None:
        self.sync_line.value = status_line(message, "ok" if ok else "warn")

    # -- after the facilitator closed the path's peer review ------------------------------------------

    def _closed_text(self) -> str:
        """What the page says at once when the path's peer review closed and there are reviews on it (HTML)."""
        when = local_time(self.closed_at) if self.closed_at is not None else ""
        return status_markup(
            f"Peer review of this path closed on {when}. What you write here is kept on this page, but it is not "
            "sent to the author now. Reviews you submit reach your facilitator, who can still take late reviews "
            "in: the author sees them only then.",
            "warn",
        )

    def _saved_after_close(self, _sheet: AnswerSheet, origin: str | None) -> None:
        """At every save of a review after the close: it is kept here, and where it goes from here."""
        if self.closed_at is not None and any(origin == f.answer_id for f in self.forms):
            self._kept_here()

    def _kept_here(self) -> None:
        if self.closed_at is not None:
            self.sync_line.value = status_markup(
                f"Saved on this page. Peer review of this path closed on {local_time(self.closed_at)}: this review "
                "reaches the author only if your facilitator takes late reviews in.",
                "warn",
            )

    def _closed_since_opened(self, closed_at: datetime) -> None:
        """The course refused a review because the path's peer review closed after the page opened."""
        self.closed_at, self.closed = closed_at, True
        self.closed_line.value = self._closed_text()
        self._kept_here()

    @property
    def _where(self) -> str:
        """Whose page this is, for the server's log."""
        return f"review of {self.reviewed_path}, learner {self.session.learner}"

    def _draft_status(self, message: str, ok: bool) -> None:
        """The draft mirror's news, in the learner's words (its own *message* names the course service and
        the error: it goes to the server's log). One reference while the drafts keep failing."""
        if ok:
            self._draft_reference = None
            self._sync_status("Your reviews are kept with the course again.", True)
            return
        first = self._draft_reference is None
        if first:
            self._draft_reference = new_reference()
        text = plain_problem(
            "Your review is saved here, but not yet kept with the course.",
            message,
            then=RETRIES,
            reference=self._draft_reference,
            logged=not first,
            where=self._where,
        )
        self._sync_status(text, False)

    def _waiting_for_course(self, _message: str, pause: float) -> None:
        """While the course's remote side is away and its request is retried (the client's own *message*
        names the service and a status: it is not shown, the client logs it)."""
        self._sync_status(
            f"The course cannot be reached for a moment; trying again in {max(pause, 1):.0f} s. "
            "What you write on this page is kept.",
            False,
        )

    def _build(self) -> None:
        inbox, problem = self._inbox()
        if inbox is not None:  # say so on the page while a remote exchange is away, then retry
            inbox.exchange.on_wait(self._waiting_for_course)
        self.inbox = inbox
        self.closed_at = closed_since(self.session.exchange, self.reviewed_path)
        self.closed = self.closed_at is not None
        try:
            delivered = inbox.manifest() if inbox is not None else None
        except PeerkitError as exc:
            problem = plain_problem(
                "The work to review cannot be read right now.",
                exc,
                safe="Your own work and reviews are safe.",
                then=RELOAD,
                where=self._where,
            )
            delivered = None
        seen = self.arrivals.seen
        self.arrivals.seen = (tuple(delivered[2]) if delivered else (), seen[1] if seen else 0)
        self._waiting = not self.closed and (delivered is None or bool(delivered[0].get("waiting_for")))
        if delivered is None and self.closed and not problem:
            closed = notice_box(closed_notice(submitted=self._path_submitted()), "info")
            self.view.children = (self._title_only(), self.look.html_widget(closed))
            return
        if delivered is None:
            notice = notice_box(problem or nothing_yet(self.mode, practice=self.practice is not None), "info")
            if self.practice is None:
                self.view.children = (self.news, self.show_news, self.look.html_widget(notice))
                return
            if inbox is not None and inbox.exchange.keeps_drafts and self.drafts is None:
                self._mirror_drafts(inbox)
            practice = self._practice_page(self.practice)
            self.view.children = (
                self._header(self.practice.rubric, {}),
                self.news,
                self.show_news,
                self.look.html_widget(notice),
                self.sync_line,
                practice,
            )
            return
        if inbox is None:  # only a delivery through an inbox gets here
            return
        if inbox.exchange.keeps_drafts and self.drafts is None:
            self._mirror_drafts(inbox)
        manifest, rubric, tokens = delivered
        if manifest.get("mode") in ("rolling", "round"):
            self.mode = str(manifest["mode"])
        pages: list[Any] = []
        if self.practice is not None:
            pages.append(self._practice_page(self.practice))
        for number, token in enumerate(tokens, start=1):
            packet = inbox.packet(token)
            title = f"Submission {number} of {len(tokens)}"
            pages.append(self._page(title, packet, review_answer_id(token), token, rubric))
        own = manifest.get("self")
        if own:
            packet = inbox.packet(own)
            self.own_packet = packet
            pages.append(self._page("Your own submission", packet, SELF, own, rubric, own_work=True))
        try:
            feedback = inbox.feedback()
        except PeerkitError as exc:
            feedback = None
            message = plain_problem("Your feedback cannot be fetched right now.", exc, then=RELOAD, where=self._where)
            self._sync_status(message, False)
        if feedback is not None:
            pages.append(self._feedback_page(feedback))
        self.arrivals.seen = (tuple(tokens), review_count(feedback))
        header = self._header(rubric, manifest)
        if self.closed:
            waiting = closed_notice(submitted=True, delivered=True) if manifest.get("waiting_for") else ""
        else:
            waiting = waiting_notice(manifest, len(tokens), practice=bool(self.practice_views))
        top = [header, self.look.html_widget(notice_box(waiting, "info"))] if waiting else [header]
        if self.closed and (tokens or own):  # reviews on the page: what becomes of what is written now
            self.closed_line.value = self._closed_text()
        top.append(self.closed_line)
        if not pages:
            self.view.children = (
                *top,
                self.news,
                self.show_news,
                self.sync_line,
                self.look.html_widget(notice_box("You have nothing to review in this round.")),
            )
            return
        picker = widgets.ToggleButtons(options=[(t, i) for i, t in enumerate(self.titles)], value=0, description="Show")
        picker.add_class("peerkit-packet-picker")
        stack = widgets.Stack(pages, selected_index=0, layout=self.look.full_width)
        widgets.jslink((picker, "index"), (stack, "selected_index"))
        if self.practice_views and self._reviewing_started() and len(pages) > 1:
            picker.index = 1  # practice done or skipped before: open on the first piece of work
        self.picker, self.stack = picker, stack
        self.view.children = (*top, self.news, self.show_news, self.sync_line, picker, stack)
        if self.mode == "rolling" and tokens and not self._waiting and not self.closed:
            self.another = AnotherReview(
                self.session, self.session.path_id, look=self.look, tokens=lambda: tokens, on_asked=self._watch_again
            )
            self.session.on_change(self.another._on_sheet)  # an edit after Submit: not done until sent again
            self.view.children = (*self.view.children, self.another.view)

    # -- rolling review: what arrives while the page is open ------------------------------------------

    def _watch(self) -> None:
        """On a rolling path, look every few seconds for classmates' work and feedback still to come, and
        say on the page when they arrive (the page's words promise they appear here, with no reload).
        The page is not rebuilt under the learner's hands: a button shows what arrived."""
        if self.mode != "rolling" or self.inbox is None or not self.session.saves or self.closed:
            return
        self.arrivals.start(self.inbox, self._still_to_come)

    def _watch_again(self) -> None:
        """After "review one more": look for the work asked for (unless the page is looking already)."""
        if not self.arrivals.watching:
            self._watch()

    def _still_to_come(self) -> bool:
        asked = self.another is not None and self.another.asked
        seen = self.arrivals.seen
        return asked or self._waiting or seen is None or seen[1] == 0

    def show_arrived(self) -> None:
        """Rebuild the page with what arrived (answers are in the session: nothing typed is lost) and open it."""
        opens_on = self.arrivals.opens_on
        old = [*self.forms, *self.ratings, *(v.form for v in self.practice_views)]
        old += [self.response] if self.response is not None else []
        for widget in old:
            self.session.off_change(widget._on_sheet)
        if self.another is not None:  # kept (it says whether more was asked for) until the rebuild makes another
            self.session.off_change(self.another._on_sheet)
        kept = set(map(id, old))
        self.widgets = [w for w in self.widgets if id(w) not in kept]
        reused = (self.news, self.show_news, self.sync_line, self.closed_line)
        before = [c for c in self.view.children if c not in reused]
        self.forms, self.practice_views, self.ratings, self.titles = [], [], [], []
        self.response, self.own_packet, self.picker = None, None, None
        self.arrivals.clear()
        self._build()
        self.session.showing(self.progress_widget.update)
        for widget in before:
            _close_tree(widget, keep=(self.ratings_line, self.sync_line, self.closed_line, self.news, self.show_news))
        picker = self.picker
        if picker is not None:
            chosen = next((i for i, t in enumerate(self.titles) if t.startswith(opens_on)), None) if opens_on else None
            if chosen is not None:
                picker.index = chosen
            picker.focus()
        if self._still_to_come() and not self.arrivals.stopped.is_set():
            self._watch()

    def _path_submitted(self) -> bool:
        """Whether the learner has submitted the path this page reviews."""
        config, learner = self.session.config, self.session.learner
        if config is None or learner is None:
            return False
        return last_submission_time(config, self.reviewed_path, learner=learner) is not None

    def path_title(self, manifest: dict[str, Any] | None = None) -> str:
        """The reviewed path's title: as the work delivered names it, else as this page's notebook does
        (before anything is delivered), never the path's id unless nothing names it."""
        title = (manifest or {}).get("path_title")
        if isinstance(title, str) and title.strip():
            return title
        folder = self.session.folder
        stop = notebook_stop(folder / f"{self.session.path_id}.ipynb") if folder is not None else None
        if stop is not None and stop.review_of == self.reviewed_path:
            return stop.title.removeprefix("Review: ").strip() or self.reviewed_path
        return self.reviewed_path

    def _title_only(self) -> Any:
        """The page's heading alone (nothing to review nor to practise on)."""
        title = html.escape(self.path_title())
        return self.look.html_widget(f'<h1 style="margin:0.2em 0;font-size:1.6em">Review: {title}</h1>')

    def _header(self, rubric: Rubric, manifest: dict[str, Any]) -> Any:
        title = html.escape(self.path_title(manifest))
        header = self.look.html_widget(
            f'<h1 style="margin:0.2em 0;font-size:1.6em">Review: {title}</h1>'
            f'<div class="peerkit-guidance" style="max-width:46rem">{_paragraphs(rubric.guidance)}</div>'
        )
        removed = _removed_notice(manifest)
        if removed:
            header = widgets.VBox([header, self.look.html_widget(removed)], layout=self.look.full_width)
        return header

    def _reviewing_started(self) -> bool:
        """Whether the learner has begun a real review (practice comes before the first one)."""
        return any(key == SELF or key.startswith("r-") for key in self.session.sheet.answers)

    def _practice_page(self, practice: Practice) -> Any:
        """Two course examples to rate on the path's rubric, each compared with its model review."""
        self.titles.append("Practice")
        views = practice_views(self.session, practice.examples, practice.rubric, look=self.look)
        for view in views:
            self._answer(view.form, optional=True)
        self.practice_views = views
        return practice_section(views, look=self.look)

    def _feedback_page(self, doc: dict[str, Any]) -> Any:
        """The learner's grade (or when it comes), each review they received with a rating form, then
        their response to the feedback: what they changed, what they kept and why, one answer revised."""
        self.titles.append("Your feedback")
        children: list[Any] = [self.look.html_widget(render_feedback_summary(doc))]
        reviews = [r for r in doc.get("reviews", []) if isinstance(r, dict) and isinstance(r.get("token"), str)]
        if reviews:
            children.append(self.look.html_widget(status_line(RATE_INVITE, "info")))
        self._deliver_ratings()
        for review in reviews:
            form = self._answer(
                RatingForm(self.session, rating_answer_id(review["token"]), review["token"], look=self.look)
            )
            self.ratings.append(form)
            # One group per review, named by its "Reviewer N" heading (the page's script): every review's
            # rating controls have the same names, and the group says whose review they rate.
            group = widgets.VBox(
                [self.look.html_widget(render_received_review(review)), form], layout=self.look.full_width
            )
            group.add_class("peerkit-rated-review")
            children.append(group)
        if reviews:
            children.append(self.look.html_widget(RESPOND_INTRO))
            answers = own_answers(self.own_packet, self.course_folder, self.reviewed_path)
            self.response = self._answer(ResponseForm(self.session, RESPOND, answers, look=self.look))
            children.append(self.response)
            children.append(self.ratings_line)
        return widgets.VBox(children, layout=self.look.full_width)

    def _deliver_ratings(self) -> None:
        """Send ratings and the response as they are given (a rating once waited for a second Submit and was lost)."""
        if self.session.saves and self.delivery is None:
            self.delivery = deliver_as_written(self.session, self.ratings_line)

    def submit(self, **options: Any) -> SubmitPanel:
        """The Submit control for the reviews; on a page with nothing to review or rate, no button at all."""
        options.setdefault("noun", "reviews")
        if not self.forms and not self.ratings and not self.practice_views:
            options.setdefault("nothing_to_submit", "Nothing to submit yet: there is no work for you to review.")
        return super().submit(**options)

    def next_step(self) -> str:
        """After submitting reviews: the feedback comes here; then the next path."""
        if self.another is not None:  # the reviews just sent may be all of them: invite one more
            self.another.update()
        if self.closed_at is not None and self.forms:
            late = (
                '<p class="peerkit-next-step" style="margin:6px 0 0 0;font-weight:600">Peer review of this path '
                f"closed on {local_time(self.closed_at)}: your reviews reached your facilitator, and reach the "
                "author only if your facilitator takes late reviews in.</p>"
            )
            return late + super().next_step()
        if self.ratings:
            return super().next_step()
        if self.mode == "rolling":
            waiting = render_next_step(
                "Next: your feedback appears on this page as soon as classmates’ reviews of your work are in."
            )
        else:
            waiting = render_next_step(
                "Next: your feedback appears on this page once your facilitator closes the round."
            )
        return waiting + super().next_step()

    def close(self) -> None:
        self.arrivals.stopped.set()
        if self.delivery is not None:
            self.delivery.flush()
            self.delivery.stop()
        super().close()

    def _page(
        self,
        title: str,
        packet: dict[str, Any] | None,
        answer_id: str,
        token: str,
        rubric: Rubric,
        *,
        own_work: bool = False,
    ) -> Any:
        self.titles.append(title)
        intro = (
            "Assess your own submission on the same rubric."
            if own_work
            else "Read the whole submission first, then fill in the rubric."
        )
        body = (
            render_packet(packet, heading=title)
            if packet
            else f"<h2>{html.escape(title)}</h2><p><em>This submission could not be read.</em></p>"
        )
        form = self._answer(ReviewForm(self.session, answer_id, token, rubric, look=self.look))
        self.forms.append(form)
        return widgets.VBox(
            [self.look.html_widget(body), self.look.html_widget(status_line(intro, "info")), form],
            layout=self.look.full_width,
        )


def _close_tree(widget: Any, *, keep: tuple[Any, ...]) -> None:
    """Close *widget* and everything in it, except the widgets in *keep* (reused on the rebuilt page)."""
    if any(widget is k for k in keep):
        return
    for child in getattr(widget, "children", ()):
        _close_tree(child, keep=keep)
    widget.close()


def _removed_notice(manifest: dict[str, Any]) -> str:
    """The author's own line about names taken out of their submission before peers read it ("" if none)."""
    count = manifest.get("removed")
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        return ""
    return f'<div class="peerkit-names-removed">{notice_box(removed_message(count), "info")}</div>'


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())
