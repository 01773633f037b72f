"""The review app (a Voilà page): a learner's review packets one by one, the rubric, their self-assessment.

It is the notebook of the ``<path>-review`` nbgrader assignment; its answers are reviews, saved
and submitted like any path's answers. Packets come from the learner's side of the course's
exchange (:mod:`peerkit.exchange`, read through :mod:`peerkit.review.inbox`): their own review
channel on a local course, the course's hub service under JupyterHub, where each review answer is
also kept there as a draft.
"""

from __future__ import annotations

import html
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets.config import Config

from peerkit.apps.another import AnotherReview
from peerkit.apps.packet_view import render_feedback_summary, render_packet, render_received_review
from peerkit.config.workspace import read_own_answers
from peerkit.core import kinds
from peerkit.core.errors import PeerkitError
from peerkit.core.packets import rubric_from_document
from peerkit.core.practice import METADATA_FIELD, example_from_document
from peerkit.core.redaction import removed_message
from peerkit.core.rubric import PracticeExample, Rubric
from peerkit.exchange.context import LearnerContext
from peerkit.review.drafts import DraftMirror
from peerkit.review.inbox import NO_PACKETS_YET, Inbox
from peerkit.widgets.delivery import AutoDelivery
from peerkit.widgets.frame import render_next_step
from peerkit.widgets.page import PathPage
from peerkit.widgets.practice import PracticeExampleView, practice_views
from peerkit.widgets.rating import RatingForm
from peerkit.widgets.response import ResponseForm
from peerkit.widgets.review_form import ReviewForm
from peerkit.widgets.status import local_time, notice_box, status_line, status_markup
from peerkit.widgets.submit import SubmitPanel

log = logging.getLogger(__name__)

SELF = "self"
#: The response to feedback (kind ``response``), delivered as it is written like the ratings.
RESPOND = "respond"


#: How often (seconds) an open rolling review page looks for classmates' work and feedback still to come.
WATCH_EVERY = 3.0


def review_answer_id(token: str) -> str:
    return f"r-{token}"


def rating_answer_id(token: str) -> str:
    return f"h-{token}"


def delivered_as_written(answer_id: str) -> bool:
    """Answers sent as they are given, with no second Submit: ratings of reviews, the response to feedback."""
    return answer_id.startswith("h-") or answer_id == RESPOND


@dataclass(frozen=True, slots=True)
class Practice:
    """A path's practice examples and the rubric they are rated on, as its review notebook carries them."""

    rubric: Rubric
    examples: tuple[PracticeExample, ...]
    #: How the path is reviewed: ``round`` (a facilitator opens it) or ``rolling`` (work arrives as peers submit).
    mode: str = "round"


def read_practice(notebook: Path) -> Practice | None:
    """The practice the review *notebook* carries in ``metadata.peerkit`` (None when it has none, or when it
    cannot be read: the page then goes without practice rather than failing)."""
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("peerkit", {})
        doc = meta.get(METADATA_FIELD) if isinstance(meta, dict) else None
        if not isinstance(doc, dict) or not doc.get("examples"):
            return None
        examples = tuple(example_from_document(e, f"examples[{i}]") for i, e in enumerate(doc["examples"]))
        mode = meta.get("review_mode")
        return Practice(rubric_from_document(doc["rubric"]), examples, mode if mode == "rolling" else "round")
    except (OSError, ValueError, AttributeError, PeerkitError) as exc:
        log.warning("no practice examples on the review page (%s): %s", notebook, exc)
        return None


class ReviewPage(PathPage):
    """The page of ``<path_id>-review``; display :attr:`view`."""

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
        self.delivery: AutoDelivery | None = None
        self.sync_line = self.look.html_widget("")
        #: Says when the ratings were last sent to the facilitator (they go as they are given).
        self.ratings_line = self.look.html_widget("")
        self.ratings_line.add_class("peerkit-ratings-sent")
        self.view = widgets.VBox(layout=self.look.block)
        self.view.add_class("peerkit-review-app")
        #: What arrived while the page was open (rolling review), and the button that shows it.
        self.news = self.look.html_widget("")
        self.news.add_class("peerkit-arrived")
        self.show_news = widgets.Button(
            description="Show it now", layout=widgets.Layout(width="auto", display="none"), style=self.look.button
        )  # its own layout: the page's shared one would hide every button with it
        self.show_news.add_class("peerkit-show-arrived")
        self.show_news.on_click(lambda _b: self.show_arrived())
        self.picker: widgets.ToggleButtons | None = None
        self.inbox: Inbox | None = None
        self._seen: tuple[tuple[str, ...], int] | None = None
        self._waiting = False
        #: The page that "Show it now" opens: the first classmate's work, or the feedback.
        self._opens_on = ""
        self._stop_watch = threading.Event()
        self._watcher: threading.Thread | None = None
        #: Rolling review, once the learner's reviews are done: "review one more classmate's work".
        self.another: AnotherReview | None = None
        self._build()
        self._watch()

    def _inbox(self) -> tuple[Inbox | None, str]:
        session = self.session
        if not session.saves or session.learner is None:
            return None, session.notice
        if session.exchange is None:
            return None, "The work to review cannot be found: this server cannot reach your course's shared files."
        return Inbox(self.reviewed_path, session.exchange), ""

    def _mirror_drafts(self, inbox: Inbox) -> None:
        """Where the exchange keeps drafts (JupyterHub): take in newer ones, then send each change."""
        mirror = DraftMirror(inbox.exchange, self.reviewed_path, on_status=self._sync_status)
        try:
            self.session.adopt(mirror.newer_drafts(self.session.sheet))
        except PeerkitError as exc:
            self._sync_status(f"Your saved drafts could not be fetched from the course service: {exc}", False)
        self.session.on_change(mirror.listener)
        self.drafts = mirror

    def _sync_status(self, message: str, ok: bool) -> None:
        self.sync_line.value = status_line(message, "ok" if ok else "warn")

    def _build(self) -> None:
        inbox, problem = self._inbox()
        if inbox is not None:  # say so on the page while a remote exchange is away, then retry
            inbox.exchange.on_wait(lambda message, _pause: self._sync_status(message.capitalize() + ".", False))
        self.inbox = inbox
        try:
            delivered = inbox.manifest() if inbox is not None else None
        except PeerkitError as exc:
            delivered, problem = None, f"The work to review cannot be read right now: {exc}"
        self._seen = (tuple(delivered[2]) if delivered else (), self._seen[1] if self._seen else 0)
        self._waiting = delivered is None or bool(delivered[0].get("waiting_for"))
        if delivered is None:
            notice = notice_box(problem or self._nothing_yet(), "info")
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
            self._sync_status(f"Your feedback cannot be fetched right now: {exc}", False)
        if feedback is not None:
            pages.append(self._feedback_page(feedback))
        self._seen = (tuple(tokens), _review_count(feedback))
        header = self._header(rubric, manifest)
        waiting = self._waiting_notice(manifest, len(tokens))
        top = [header, self.look.html_widget(notice_box(waiting, "info"))] if waiting else [header]
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
        if self.mode == "rolling" and tokens and not self._waiting:
            self.another = AnotherReview(
                self.session, self.session.path_id, look=self.look, tokens=lambda: tokens, on_asked=self._watch_again
            )
            self.view.children = (*self.view.children, self.another.view)

    # -- rolling review: what arrives while the page is open ------------------------------------------

    def _watch(self) -> None:
        """On a rolling path, look every few seconds for classmates' work and feedback still to come, and
        say on the page when they arrive (the page's words promise they appear here, with no reload).
        The page is not rebuilt under the learner's hands: a button shows what arrived."""
        if self.mode != "rolling" or self.inbox is None or not self.session.saves:
            return
        self._watcher = threading.Thread(
            target=self._watch_loop, name=f"peerkit-arrivals-{self.reviewed_path}", daemon=True
        )
        self._watcher.start()

    def _watch_again(self) -> None:
        """After "review one more": look for the work asked for (unless the page is looking already)."""
        if self._watcher is None or not self._watcher.is_alive():
            self._watch()

    def _still_to_come(self) -> bool:
        asked = self.another is not None and self.another.asked
        return asked or self._waiting or self._seen is None or self._seen[1] == 0

    def _watch_loop(self) -> None:
        while self._still_to_come() and not self._stop_watch.wait(WATCH_EVERY):
            try:
                self._look_for_arrivals()
            except PeerkitError as exc:
                log.info("no look at the review inbox of %s: %s", self.reviewed_path, exc)
            except Exception:
                log.exception("looking for new work to review failed")

    def _look_for_arrivals(self) -> None:
        inbox = self.inbox
        if inbox is None or self._seen is None:
            return
        delivered = inbox.manifest()
        tokens = tuple(delivered[2]) if delivered else ()
        reviews = _review_count(inbox.feedback())
        seen_tokens, seen_reviews = self._seen
        new_work = len([t for t in tokens if t not in seen_tokens])
        if not new_work and reviews <= seen_reviews:
            return
        said: list[str] = []
        if new_work:
            said.append(
                f"{new_work} classmate{'s' if new_work != 1 else ''}’ work to review has arrived"
                if new_work != 1
                else "A classmate’s work to review has arrived"
            )
        if reviews > seen_reviews:
            said.append("your feedback has arrived" if not seen_reviews else "more feedback on your work has arrived")
        message = " and ".join(said) + ". Your answers so far are kept."
        self.news.value = status_line(message[0].upper() + message[1:], "ok")
        self.show_news.layout.display = None
        self._opens_on = "Your feedback" if reviews > seen_reviews and not new_work else "Submission 1"

    def show_arrived(self) -> None:
        """Rebuild the page with what arrived (answers are in the session: nothing typed is lost) and open it."""
        opens_on = self._opens_on
        old = [*self.forms, *self.ratings, *(v.form for v in self.practice_views)]
        old += [self.response] if self.response is not None else []
        for widget in old:
            self.session.off_change(widget._on_sheet)
        kept = set(map(id, old))
        self.widgets = [w for w in self.widgets if id(w) not in kept]
        before = [c for c in self.view.children if c not in (self.news, self.show_news, self.sync_line)]
        self.forms, self.practice_views, self.ratings, self.titles = [], [], [], []
        self.response, self.own_packet, self.picker = None, None, None
        self.news.value = ""
        self.show_news.layout.display = "none"
        self._build()
        for widget in before:
            _close_tree(widget, keep=(self.ratings_line, self.sync_line, self.news, self.show_news))
        picker = self.picker
        if picker is not None:
            chosen = next((i for i, t in enumerate(self.titles) if t.startswith(opens_on)), None) if opens_on else None
            if chosen is not None:
                picker.index = chosen
            picker.focus()
        if self._still_to_come() and not self._stop_watch.is_set():
            self._watch()

    def _header(self, rubric: Rubric, manifest: dict[str, Any]) -> Any:
        title = html.escape(str(manifest.get("path_title", self.reviewed_path)))
        header = self.look.html_widget(
            f'<h1 style="margin:0.2em 0;font-size:1.6em">Review: {title}</h1>'
            f'<div class="peerkit-guidance" style="max-width:46rem">{_paragraphs(rubric.guidance)}</div>'
        )
        removed = _removed_notice(manifest)
        if removed:
            header = widgets.VBox([header, self.look.html_widget(removed)], layout=self.look.full_width)
        return header

    def _nothing_yet(self) -> str:
        """Before anything to review has arrived: what happens next, in the learner's words."""
        if self.practice is None:
            return NO_PACKETS_YET
        if self.mode == "rolling":
            return (
                "Nothing to review yet. Classmates' work comes to this page shortly after you submit the path, "
                "as they submit theirs: nobody needs to open anything for you. While you wait, practise on the "
                "two examples below."
            )
        return NO_PACKETS_YET + " While you wait, practise on the two examples below."

    def _waiting_notice(self, manifest: dict[str, Any], have: int) -> str:
        """In rolling review, when fewer classmates have submitted than this learner is to review: say so plainly."""
        owed = manifest.get("waiting_for")
        if isinstance(owed, bool) or not isinstance(owed, int) or owed <= 0:
            return ""
        more = f"{owed} more classmate{'s' if owed != 1 else ''}’ work" if owed != 1 else "One more classmate’s work"
        practise = " Start with the practice: two examples to rate and compare." if self.practice_views else ""
        if have == 0:
            return (
                "You are among the first to finish this path, so there is no classmate’s work to review yet."
                f"{practise} {more} will appear on this page as others submit; nobody needs to do anything "
                "for it to arrive."
            )
        return (
            f"{more} will appear on this page as others submit; nobody needs to do anything for it to arrive. "
            "You can review what is here now."
        )

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
        intro = self.look.html_widget(
            '<section class="peerkit-practice-intro"><h2 style="margin:0.4em 0;font-size:1.25em">'
            "Practice before you review</h2>"
            "<p>Rate two example submissions, written by the course, on the same rubric you will use for "
            "your classmates. Then compare your levels with a model review: where they differ, you can read "
            "why. There is no pass mark, and you can rate again as often as you like.</p>"
            "<p>Your practice ratings are sent with your reviews. They are not marked; they help the course "
            "allow for reviewers who tend to be generous or strict.</p></section>"
        )
        return widgets.VBox([intro, *views], layout=self.look.full_width)

    def _feedback_page(self, doc: dict[str, Any]) -> Any:
        """The learner's grade (or when it comes), each review they received with a rating form, then
        their response to the feedback: what they changed, what they kept and why, one answer revised."""
        self.titles.append("Your feedback")
        children: list[Any] = [self.look.html_widget(render_feedback_summary(doc))]
        reviews = [r for r in doc.get("reviews", []) if isinstance(r, dict) and isinstance(r.get("token"), str)]
        if reviews:
            children.append(
                self.look.html_widget(
                    status_line(
                        "Rate each review: your ratings help reviewers improve and stay anonymous. "
                        "Each rating is sent to your facilitator as you give it: no need to submit again.",
                        "info",
                    )
                )
            )
        self._deliver_ratings()
        for review in reviews:
            children.append(self.look.html_widget(render_received_review(review)))
            form = self._answer(
                RatingForm(self.session, rating_answer_id(review["token"]), review["token"], look=self.look)
            )
            self.ratings.append(form)
            children.append(form)
        if reviews:
            children.append(
                self.look.html_widget(
                    '<section class="peerkit-respond-intro"><h2 style="margin:0.8em 0 0.2em 0;font-size:1.25em">'
                    "Respond to the feedback</h2><p>Feedback helps when you do something with it. Say what you "
                    "changed (or will change), what you decided not to change and why, and revise one of your "
                    "answers: choose it below and its text appears, ready to edit. Your response is sent to your "
                    "facilitator as you write it.</p></section>"
                )
            )
            self.response = self._answer(ResponseForm(self.session, RESPOND, self._own_answers(), look=self.look))
            children.append(self.response)
            children.append(self.ratings_line)
        return widgets.VBox(children, layout=self.look.full_width)

    def _own_answers(self) -> list[tuple[str, str]]:
        """The learner's own reviewed answers as (heading, text): from their own submission as the review
        page received it, else from their answers in the path's folder (a round without self-assessment)."""
        found: list[tuple[str, str]] = []
        packet = self.own_packet
        if packet and isinstance(packet.get("answers"), list):
            for answer in packet["answers"]:
                kind = kinds.find(str(answer.get("kind", ""))) if isinstance(answer, dict) else None
                if kind is None or not kind.peer_reviewed:
                    continue
                try:
                    text = kind.written(answer.get("value"))
                except (AttributeError, TypeError, ValueError):
                    continue
                if text.strip():
                    found.append((str(answer.get("title") or answer.get("id") or "An answer"), text))
            return found
        sheet = read_own_answers(self.course_folder, self.reviewed_path) if self.course_folder else None
        for answer_id, answer in sorted(sheet.answers.items()) if sheet is not None else ():
            kind = kinds.find(answer.kind)
            text = kind.written(answer.value) if kind is not None and kind.peer_reviewed else ""
            if text.strip():
                found.append((answer_id, text))
        return found

    def _deliver_ratings(self) -> None:
        """Send ratings and the response as they are given (a rating once waited for a second Submit and was lost)."""
        if not self.session.saves or self.delivery is not None:
            return
        self.delivery = AutoDelivery(
            self.session,
            wanted=delivered_as_written,
            on_sent=self._ratings_sent,
            on_failed=self._ratings_failed,
        )
        rated = [a for key, a in self.session.sheet.answers.items() if delivered_as_written(key)]
        last = self.session.last_submitted()
        if rated and last is not None:
            self.ratings_line.value = status_markup(
                f"Your ratings and response were sent to your facilitator {local_time(last)}.", "ok"
            )

    def _ratings_sent(self, when: Any) -> None:
        self.ratings_line.value = status_markup(f"Sent to your facilitator {local_time(when)}.", "ok")

    def _ratings_failed(self, message: str) -> None:
        self.ratings_line.value = status_line(
            f"Your answer is saved here but could not be sent yet: {message}. It is sent with your next change, "
            "or press “Submit my reviews”.",
            "warn",
            role="alert",
        )

    def submit(self, **options: Any) -> SubmitPanel:
        """The Submit control for the reviews; on a page with nothing to review or rate, no button at all."""
        options.setdefault("noun", "reviews")
        if not self.forms and not self.ratings and not self.practice_views:
            options.setdefault("nothing_to_submit", "Nothing to submit yet: there is no work for you to review.")
        return super().submit(**options)

    def next_step(self) -> str:
        """After submitting reviews: the feedback comes here; then the next path."""
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
        self._stop_watch.set()
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


def _review_count(feedback: dict[str, Any] | None) -> int:
    """How many reviews a feedback document holds (0: no feedback yet)."""
    if feedback is None:
        return 0
    reviews = feedback.get("reviews")
    return max(1, len(reviews)) if isinstance(reviews, list) else 1


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
