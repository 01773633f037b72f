"""The review page: practice on course examples before the first review, the comparison with the model
review, the page of a learner among the first in rolling review, and the response to feedback."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from peerkit.apps.feedback import RESPOND, delivered_as_written
from peerkit.apps.packet_view import render_feedback_summary
from peerkit.apps.practice import Practice, read_practice
from peerkit.apps.review import ReviewPage
from peerkit.core.packets import rubric_document
from peerkit.core.practice import compare, practice_answer_id
from peerkit.core.rubric import PracticeExample, ReviewContent, Rubric
from peerkit.nbgrader.build import review_notebook
from tests.conftest import CourseLayout
from tests.review.test_round_flow import write_and_submit

PATH = "essay"
HOSTILE = "<script>alert('x')</script>"


def examples() -> tuple[PracticeExample, ...]:
    """Two examples on the test course's rubric (clear: 0/1/2, grounded: 0/2), one with hostile text."""
    return (
        PracticeExample(
            id="front-desk",
            title=f"At the front desk {HOSTILE}",
            answers={"Your story": f"A colleague showed me the booking screen. {HOSTILE}", "Your lesson": "Ask."},
            model=ReviewContent(
                scores={"clear": 2, "grounded": 2},
                comments={"strengths": "The scene is easy to picture.", "suggestion": "Add when it happened."},
            ),
            reasons={"clear": "Each step is in order.", "grounded": f"A real desk and a real colleague {HOSTILE}."},
        ),
        PracticeExample(
            id="in-general",
            title="In general",
            answers={"Your story": "People share tips."},
            model=ReviewContent(
                scores={"clear": 1, "grounded": 0},
                comments={"strengths": "A fair point about tips.", "suggestion": "Tell one moment instead."},
            ),
            reasons={"clear": "Readable but says little.", "grounded": "No situation you could picture."},
        ),
    )


def practice_for(course: CourseLayout, mode: str = "round") -> Practice:
    return Practice(course.course.rubric_for(PATH), examples(), mode)


def open_page(course: CourseLayout, learner: str, **options: Any) -> ReviewPage:
    course.enroll(learner)
    return ReviewPage(
        PATH, folder=course.folder(learner, f"{PATH}-review"), config=course.learner_config(learner), **options
    )


def text_of(page: ReviewPage) -> str:
    """Every HTML string on the page (the widgets' values), to read as a learner would."""
    found: list[str] = []
    stack: list[Any] = [page.view]
    while stack:
        widget = stack.pop()
        if hasattr(widget, "children"):
            stack.extend(widget.children)
        value = getattr(widget, "value", None)
        if isinstance(value, str) and "<" in value:
            found.append(value)
    return "\n".join(found)


def rate(view: Any, levels: dict[str, float]) -> None:
    for key, points in levels.items():
        view.form.levels[key].value = points


def test_before_anything_to_review_the_learner_practises_and_compares(review_course: CourseLayout) -> None:
    page = open_page(review_course, "ana", practice=practice_for(review_course, "rolling"))
    shown = text_of(page)
    assert "Nothing to review yet" in shown and "practise on the" in shown
    assert "Practice before you review" in shown
    assert HOSTILE not in shown and "&lt;script&gt;" in shown  # the example's text, escaped
    first, second = page.practice_views
    assert first.compare_button.disabled and first.result.value == ""
    rate(first, {"clear": 1})
    assert first.compare_button.disabled  # a level is still missing
    rate(first, {"grounded": 2})
    assert not first.compare_button.disabled
    first.compare_button.click()
    result = first.result.value
    assert "You chose the same level as the model review on 1 of 2 criteria" in result
    assert "You chose Partly (stricter); the model review chose Clearly. Each step is in order." in result
    assert "A real desk" not in result  # no reason where the levels agree
    assert "The model review’s comments" in result and "The scene is easy to picture." in result
    saved = page.session.sheet.get(practice_answer_id("front-desk"))
    assert saved is not None and saved.kind == "review"
    assert saved.value["scores"] == {"clear": 1, "grounded": 2} and saved.value["packet"] == "front-desk"
    first.again_button.click()  # rate again: levels cleared, comparison hidden, as often as wanted
    assert first.result.value == "" and all(c.value is None for c in first.form.levels.values())
    rate(second, {"clear": 1, "grounded": 0})
    second.compare_button.click()
    assert "on 2 of 2 criteria" in second.result.value and "Same level." in second.result.value
    page.close()


def test_a_practice_rated_on_an_earlier_visit_shows_its_comparison(review_course: CourseLayout) -> None:
    page = open_page(review_course, "bo", practice=practice_for(review_course))
    rate(page.practice_views[1], {"clear": 2, "grounded": 2})
    page.close()
    again = open_page(review_course, "bo", practice=practice_for(review_course))
    assert "(more generous)" in again.practice_views[1].result.value
    assert "No situation you could picture." in again.practice_views[1].result.value
    again.close()


def test_the_review_notebook_carries_the_examples_and_rubric(review_course: CourseLayout, tmp_path: Path) -> None:
    from dataclasses import replace

    course = replace(review_course.course, examples={PATH: examples()})
    notebook = tmp_path / f"{PATH}-review.ipynb"
    notebook.write_bytes(review_notebook(course, course.path(PATH)))
    practice = read_practice(notebook)
    assert practice is not None
    assert practice.examples == examples()
    assert rubric_document(practice.rubric) == rubric_document(course.rubric_for(PATH))
    notebook.write_text("{not json")
    assert read_practice(notebook) is None  # a broken notebook: no practice, no failure


class FakeExchange:
    keeps_drafts = False

    def on_wait(self, _call: Any) -> None:
        return None


class FakeInbox:
    """What the rolling review delivers to one learner: a manifest, packets, maybe feedback."""

    def __init__(self, rubric: Rubric, manifest: dict[str, Any], packets: dict[str, Any], feedback: Any) -> None:
        self.exchange = FakeExchange()
        self.rubric, self.doc, self.packets, self.doc_feedback = rubric, manifest, packets, feedback

    def manifest(self) -> tuple[dict[str, Any], Rubric, list[str]]:
        return self.doc, self.rubric, list(self.doc.get("packets", []))

    def packet(self, token: str) -> Any:
        return self.packets.get(token)

    def feedback(self) -> Any:
        return self.doc_feedback


def deliver(monkeypatch: pytest.MonkeyPatch, inbox: FakeInbox) -> None:
    monkeypatch.setattr(ReviewPage, "_inbox", lambda self: (inbox, ""))


def own_packet(token: str) -> dict[str, Any]:
    return {
        "token": token,
        "kind": "self",
        "answers": [
            {"id": "story", "title": "Your story", "kind": "text", "value": "A colleague showed me the desk."},
            {"id": "lesson", "title": "Your lesson", "kind": "text", "value": "Ask early."},
        ],
    }


def test_among_the_first_in_rolling_review_the_page_says_so_and_offers_practice(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "rolling", "per_submission": 3, "waiting_for": 3, "packets": []}
    deliver(monkeypatch, FakeInbox(rubric, manifest, {}, None))
    page = open_page(review_course, "cy", practice=practice_for(review_course, "rolling"))
    shown = text_of(page)
    assert "You are among the first to finish this path" in shown
    assert "3 more classmates’ work will appear on this page as others submit" in shown
    assert page.titles == ["Practice"] and len(page.practice_views) == 2
    assert "as soon as classmates’ reviews of your work are in" in page.next_step()
    visible = re.sub(r"<[^>]*>", " ", shown).lower()  # the words a learner reads, not class names
    for word in ("packet", "nbgrader", "exchange", "ingest", "allocation"):
        assert word not in visible
    page.close()


def test_practice_opens_first_until_a_real_review_is_started(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "rolling", "waiting_for": 1, "packets": ["t1"]}
    packet = {"token": "t1", "kind": "peer", "answers": own_packet("t1")["answers"]}
    deliver(monkeypatch, FakeInbox(rubric, manifest, {"t1": packet}, None))
    page = open_page(review_course, "dee", practice=practice_for(review_course, "rolling"))
    assert page.titles == ["Practice", "Submission 1 of 1"] and page.picker.index == 0
    assert "One more classmate’s work will appear" in text_of(page)
    page.forms[0].levels["clear"].value = 1
    page.close()
    again = open_page(review_course, "dee", practice=practice_for(review_course, "rolling"))
    assert again.picker.index == 1  # a review is under way: the page opens on the work
    again.close()


def walk(widget: Any) -> Any:
    """*widget* and every widget inside it."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_feedback_before_the_grade_then_a_response_delivered_as_written(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_and_submit(review_course, "eli")  # a learner who submitted the path
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "rolling", "waiting_for": 0, "packets": [], "self": "own"}
    feedback = {
        "grade": {"points": None, "max_points": None, "criteria": []},
        "reviews": [{"token": "r1", "label": "Review 1", "comments": {"What works well": f"Vivid {HOSTILE}"}}],
    }
    deliver(monkeypatch, FakeInbox(rubric, manifest, {"own": own_packet("own")}, feedback))
    page = open_page(review_course, "eli", practice=practice_for(review_course, "rolling"))
    shown = text_of(page)
    assert "Your grade comes when the path closes" in shown and "not graded yet" not in shown
    assert HOSTILE not in shown
    # each review and its rating form are one group (named by its heading in the page's script): the
    # rating controls are the same for every review, and the group says whose review they rate
    (form,) = page.ratings
    groups = [w for w in walk(page.view) if "peerkit-rated-review" in getattr(w, "_dom_classes", ())]
    assert len(groups) == 1 and form in groups[0].children and "Review 1" in groups[0].children[0].value
    response = page.response
    assert response is not None and response.answer_id == RESPOND
    assert [label for label, _ in response.question.options] == [
        "Choose one of your answers",
        "Your story",
        "Your lesson",
    ]
    response.question.value = "Your story"
    assert response.text.value == "A colleague showed me the desk."  # prefilled to revise
    response.text.value = "A colleague showed me the desk on my first Monday; I now show newcomers."
    response.question.value = "Your lesson"  # the revision is kept, not replaced by the other answer
    assert response.text.value.startswith("A colleague showed me the desk on my first Monday")
    response.changed.value = "I added when it happened, as both reviewers asked."
    response.kept.value = "I kept the short lesson: it is meant to be remembered."
    assert delivered_as_written(RESPOND) and delivered_as_written("h-r1") and not delivered_as_written("r-x")
    assert page.delivery is not None and page.delivery.flush(60)
    assert page.session.last_submitted() is not None  # sent without pressing Submit
    saved = page.session.sheet.get(RESPOND)
    assert saved is not None and saved.kind == "response"
    assert saved.value["revised"] == {
        "question": "Your lesson",
        "text": "A colleague showed me the desk on my first Monday; I now show newcomers.",
    }
    page.close()


def test_feedback_with_a_grade_still_shows_it() -> None:
    doc = {"grade": {"points": 3, "max_points": 4, "confidence": "high", "criteria": []}}
    assert "Your grade: 3 / 4 points" in render_feedback_summary(doc)  # no points in the gradebook: the rubric's
    assert "Your grade comes when the path closes" in render_feedback_summary({"grade": None})
    assert "Your grade comes when the path closes" in render_feedback_summary({})


def test_feedback_shows_one_scale_the_gradebooks_with_its_give_or_take_and_levels_by_name() -> None:
    """The grade once read "3 / 4 rubric points · 3.75 / 5 course points": now only the gradebook's
    number, its give or take on the same scale (0.4 of 4 is 0.5 of 5), each criterion as its level."""
    criteria = [
        {"title": "Clear", "max_points": 2, "estimate": 2, "level": "Clearly"},
        {"title": "Grounded", "max_points": 2, "estimate": 1.0},  # a feedback written before levels were named
    ]
    grade = {"points": 3, "max_points": 4, "confidence": "medium", "uncertainty": 0.4, "criteria": criteria}
    shown = render_feedback_summary({"grade": {**grade, "gradebook": {"points": 3.75, "max_points": 5}}})
    assert "Your grade: 3.75 / 5 points</h2>" in shown and "3 / 4" not in shown
    assert "give or take 0.5 points" in shown
    assert "Clear: Clearly (2 of 2)" in shown and "Grounded: 1 of 2" in shown
    assert "rubric" not in shown and "course points" not in shown
    alone = render_feedback_summary({"grade": grade})  # no points in the gradebook: the rubric's total, alone
    assert "Your grade: 3 / 4 points</h2>" in alone and "give or take 0.4 points" in alone


def test_feedback_released_before_the_path_closes_says_when_the_grade_comes(review_course: CourseLayout) -> None:
    from peerkit.core.review import Grade
    from peerkit.review.feedback import feedback_document

    course = review_course.course
    pending = Grade(author="ana", method="pending", points=None, max_points=4, uncertainty=None, criteria={}, reviews=3)
    shown = render_feedback_summary(feedback_document(course, PATH, pending, []))
    assert "Your grade comes when the path closes" in shown and "not graded yet" not in shown


def test_the_comparison_counts_steps_between_levels(review_course: CourseLayout) -> None:
    rubric = review_course.course.rubric_for(PATH)
    compared = compare(rubric, examples()[1], ReviewContent(scores={"clear": 2, "grounded": 2}))
    assert [(c.yours, c.model, c.difference) for c in compared.criteria] == [
        ("Clearly", "Partly", 1),
        ("Clearly", "Not yet", 1),  # grounded has two levels: one step apart
    ]
    assert compared.agreed == 0 and compared.complete
    assert not compare(rubric, examples()[1], ReviewContent()).complete


def test_work_and_feedback_that_arrive_while_the_page_is_open_are_announced_then_shown(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = review_course.course.rubric_for(PATH)
    manifest: dict[str, Any] = {"path_title": "An essay", "mode": "rolling", "waiting_for": 1, "packets": []}
    inbox = FakeInbox(rubric, manifest, {}, None)
    deliver(monkeypatch, inbox)
    monkeypatch.setattr("peerkit.apps.arrivals.WATCH_EVERY", 3600.0)  # the test looks itself, not the thread
    page = open_page(review_course, "fay", practice=practice_for(review_course, "rolling"))
    rate(page.practice_views[0], {"clear": 1})
    listeners = len(page.session._listeners)
    page.arrivals.look(page.inbox)
    assert page.news.value == "" and page.show_news.layout.display == "none"  # nothing new yet

    inbox.doc = {**manifest, "waiting_for": 0, "packets": ["t1"]}
    inbox.packets = {"t1": {"token": "t1", "kind": "peer", "answers": own_packet("t1")["answers"]}}
    page.arrivals.look(page.inbox)
    assert "A classmate’s work to review has arrived. Your answers so far are kept." in page.news.value
    assert page.show_news.layout.display is None
    assert page.titles == ["Practice"]  # not rebuilt under the learner's hands
    page.show_arrived()
    assert page.titles == ["Practice", "Submission 1 of 1"] and page.picker is not None and page.picker.index == 1
    assert page.practice_views[0].form.levels["clear"].value == 1  # the practice rating is still there
    assert page.news.value == "" and page.show_news.layout.display == "none"
    # the replaced forms stopped listening; one new form, and the offer to review one more (shown once the
    # learner's reviews are done: not yet)
    assert len(page.session._listeners) == listeners + 2
    assert page.another is not None and page.another.offer.layout.display == "none"

    inbox.doc_feedback = {"reviews": [{"token": "x1", "label": "Reviewer 1", "comments": {"Strengths": "Clear."}}]}
    page.arrivals.look(page.inbox)
    assert "Your feedback has arrived" in page.news.value
    page.show_arrived()
    assert page.titles[-1] == "Your feedback" and page.picker is not None and page.picker.index == len(page.titles) - 1
    page.close()


def test_before_anything_is_delivered_the_heading_names_the_path_by_its_title(review_course: CourseLayout) -> None:
    page = open_page(review_course, "gil", practice=practice_for(review_course, "rolling"))
    shown = text_of(page)
    assert "Review: An essay</h1>" in shown and f"Review: {PATH}<" not in shown
    assert page.path_title() == "An essay"
    page.close()


def test_the_review_page_puts_out_no_stand_ins_above_its_header(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its forms are made in the page's first cell and shown in another: a placeholder put out while
    they are made would stay above the page's header (a label per form), never replaced."""
    import IPython
    import IPython.display

    shown: list[Any] = []
    monkeypatch.setenv("VOILA_KERNEL_ID", "k1")
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    page = open_page(review_course, "hal", practice=practice_for(review_course, "rolling"))
    assert len(page.practice_views) == 2 and shown == []
    page.close()


def close_review(course: CourseLayout) -> None:
    """The facilitator closed the path's peer review: the course's public board says so."""
    from datetime import UTC, datetime

    from peerkit.exchange.base import review_state_file
    from peerkit.exchange.files.public import publish
    from peerkit.review.closing import closed_document

    doc = closed_document(PATH, datetime.now(UTC))
    publish(course.workspace.exchange, course.course.id, review_state_file(PATH), doc)


def test_once_the_review_closed_a_late_learner_is_told_nothing_more_comes(review_course: CourseLayout) -> None:
    close_review(review_course)
    write_and_submit(review_course, "ivo")
    page = open_page(review_course, "ivo", practice=practice_for(review_course, "rolling"))
    shown = text_of(page)
    assert page.closed and "Peer review of this path has closed" in shown
    assert "Your facilitator has your submission" in shown and "Review: An essay</h1>" in shown
    assert "shortly after you submit" not in shown and "Practice before you review" not in shown
    assert not page.arrivals.watching  # nothing more to look for
    page.close()
    other = open_page(review_course, "jo", practice=practice_for(review_course, "rolling"))
    assert "Peer review of this path has closed" in text_of(other) and "your submission" not in text_of(other)
    other.close()


def test_once_the_review_closed_work_still_owed_is_no_longer_promised(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_review(review_course)
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "rolling", "per_submission": 3, "waiting_for": 3, "packets": []}
    deliver(monkeypatch, FakeInbox(rubric, manifest, {}, None))
    page = open_page(review_course, "kim", practice=practice_for(review_course, "rolling"))
    shown = html.unescape(text_of(page))
    assert "no more classmates' work will come" in shown and "will appear on this page as others submit" not in shown
    page.close()


def test_the_progress_line_counts_classmates_reviews_and_the_self_assessment_apart(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two classmates and the learner's own work read "3 of 3 still to write" elsewhere; the page now says
    what the course home and My progress say: the reviews left, then the self-assessment."""
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "round", "packets": ["t1", "t2"], "self": "t3"}
    packets = {t: {"token": t, "kind": "peer", "answers": own_packet(t)["answers"]} for t in ("t1", "t2")}
    deliver(monkeypatch, FakeInbox(rubric, manifest, {**packets, "t3": own_packet("t3")}, None))
    page = open_page(review_course, "gil")
    page.progress()
    line = page.progress_widget.line

    def write(form: Any) -> None:
        for choice in form.levels.values():
            choice.value = choice.options[-1][1]
        for box in form.comments.values():
            box.value = "The second paragraph names who helped and how."

    assert "2 reviews to do and your self-assessment" in line.value
    write(page.forms[0])
    assert "1 review to do and your self-assessment" in line.value
    page.forms[1].levels[rubric.criteria[0].id].value = 1  # begun, not complete: still to do
    assert "1 review to do and your self-assessment" in line.value
    write(page.forms[1])
    assert "your self-assessment to do" in line.value and "ready to submit" not in line.value
    write(page.forms[2])
    assert "all reviews written — ready to submit" in line.value
    page.close()


def test_after_the_close_the_page_says_so_at_once_at_every_save_and_after_submit(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review written after the facilitator closed the path's peer review is kept on the page, and the page
    says when it closed (in the learner's time zone), that the author does not see it now, and who can
    still take it in: at once, at every save, and after Submit."""
    close_review(review_course)
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "round", "packets": ["t1"], "self": "t3"}
    packets = {"t1": {"token": "t1", "kind": "peer", "answers": own_packet("t1")["answers"]}, "t3": own_packet("t3")}
    deliver(monkeypatch, FakeInbox(rubric, manifest, packets, None))
    page = open_page(review_course, "lou")
    assert page.closed_at is not None and len(page.forms) == 2
    said = html.unescape(page.closed_line.value)
    assert "Peer review of this path closed on <time" in said and 'class="peerkit-time"' in said
    assert "kept on this page" in said and "not sent to the author" in said and "late reviews" in said
    assert page.closed_line in page.view.children
    form = page.forms[0]
    next(iter(form.comments.values())).value = "Written after the close, and kept."
    saved = page.session.sheet.get(form.answer_id)
    assert saved is not None and "Written after the close" in str(saved.value)
    line = html.unescape(page.sync_line.value)
    assert "Saved on this page" in line and "closed on <time" in line and "only if your facilitator" in line
    after = html.unescape(page.next_step())
    assert "reached your facilitator" in after and "once your facilitator closes the round" not in after
    page.close()


def test_while_the_review_is_open_the_page_says_nothing_of_a_close(
    review_course: CourseLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = review_course.course.rubric_for(PATH)
    manifest = {"path_title": "An essay", "mode": "round", "packets": ["t1"]}
    packets = {"t1": {"token": "t1", "kind": "peer", "answers": own_packet("t1")["answers"]}}
    deliver(monkeypatch, FakeInbox(rubric, manifest, packets, None))
    page = open_page(review_course, "max")
    assert page.closed_at is None and page.closed_line.value == ""
    next(iter(page.forms[0].comments.values())).value = "Written while open."
    assert "closed" not in page.sync_line.value and "closes the round" in html.unescape(page.next_step())
    page._closed_since_opened(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # the course refused a draft: it closed
    assert "closed on <time" in html.unescape(page.closed_line.value)
    assert "Saved on this page" in html.unescape(page.sync_line.value)
    page.close()
