"""The comment nbgrader's feedback page shows: peers' and the facilitator's words come out as text.

Rendered the way ``nbgrader generate_feedback`` 0.9.6 renders it: nbconvert's ``HTMLExporter`` with
nbgrader's ``feedback`` template, whose task cell footer is ``comment | markdown2html |
strip_files_prefix`` (mistune with nbconvert's math, table, url, ... plugins).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import nbformat
import pytest

from peerkit.core.review import CriterionGrade, Grade, Review
from peerkit.core.rubric import Criterion, Level, ReviewContent, Rubric
from peerkit.review.feedback import CloseReport, feedback_markdown

AUDIT = "See [my notes](javascript:alert(document.cookie)) and ![t](http://attacker.example/pixel.png?who=me)"
HOSTILE = (
    AUDIT,
    "<script>alert(1)</script>",
    "**bold**",
    "# heading",
    "1. list",
    "<img src=x onerror=alert(1)>",
    "http://example.com/path and www.example.com and <http://example.org> and someone@example.com",
    "Fine.\n# heading\n1. list\n- item\n> quote\n| a | b |\n|---|---|\n$x$ and \\(y\\) ~~gone~~ `code`",
)
RUBRIC = Rubric(
    id="r",
    title="R",
    criteria=(Criterion("ideas", "Ideas", (Level(0, "No"), Level(1, "Yes"))),),
)


def nbgrader_feedback_html(comment: str) -> str:
    """The page nbgrader's generate_feedback writes for one task cell carrying *comment*."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    converter = GenerateFeedback(coursedir=CourseDirectory())
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    meta = {"task": True, "grade": False, "solution": False, "grade_id": "story", "points": 4, "score": 2}
    cell = nbformat.v4.new_markdown_cell("The task.", metadata={"nbgrader": {**meta, "comment": comment}})  # type: ignore[no-untyped-call]
    resources = {"nbgrader": {"notebook": "essay", "score": 2, "max_score": 4, "late_penalty": 0}}
    notebook = nbformat.v4.new_notebook(cells=[cell])  # type: ignore[no-untyped-call]
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return str(body)


def comment_part(page: str) -> str:
    """The HTML of the comment's footer (what came of the Markdown)."""
    found = re.search(r"<b>Comments:</b>(.*?)</div>\s*</div>", page, re.S)
    assert found, "the page has no comment"
    return found.group(1)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "br":
            self.text.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        data = re.sub(r"\s+", " ", data)  # as a browser shows it: blanks collapse, <br> breaks
        self.text.append(data.lstrip() if self.text and self.text[-1] == "\n" else data)


def parsed(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def review(**comments: str) -> Review:
    content = ReviewContent(scores={"ideas": 1}, comments=comments)
    return Review(
        reviewer="rev", author="ana", kind="peer", content=content, submitted_at=datetime.now(UTC), token="t1"
    )


def grade(*, reason: str | None = None) -> Grade:
    return Grade(
        author="ana",
        method="median",
        points=1.0,
        max_points=1.0,
        uncertainty=0.0,
        criteria={"ideas": CriterionGrade(estimate=1.0, uncertainty=0.0, reviews=1)},
        reviews=1,
        override_points=0.5 if reason is not None else None,
        override_reason=reason,
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_a_peer_comment_is_text_in_the_learner_feedback(text: str) -> None:
    markdown = feedback_markdown("An essay", RUBRIC, grade(), [review(strengths=text)])
    shown = parsed(comment_part(nbgrader_feedback_html(markdown)))
    made = {tag for tag, _ in shown.tags}
    assert made <= {"p", "strong", "em", "ul", "li", "br"}, made  # the page's own structure only
    assert not any(name in ("href", "src") or name.startswith("on") for _, attrs in shown.tags for name, _ in attrs)
    assert text in "".join(shown.text)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_facilitator_reason_is_text_in_the_learner_feedback(text: str) -> None:
    markdown = feedback_markdown("An essay", RUBRIC, grade(reason=text), [])
    shown = parsed(comment_part(nbgrader_feedback_html(markdown)))
    assert {tag for tag, _ in shown.tags} <= {"p", "strong", "em", "ul", "li", "br"}
    assert f"Set by the facilitator: {text}" in "".join(shown.text)


def test_the_audit_payload_makes_no_link_and_no_image() -> None:
    markdown = feedback_markdown("An essay", RUBRIC, grade(), [review(strengths=AUDIT)])
    part = comment_part(nbgrader_feedback_html(markdown))
    assert "<a " not in part and "<img" not in part and "javascript:alert" in html.unescape(part)


def test_ordinary_text_reads_as_written() -> None:
    text = 'It\'s “good” and "clear" — Zoë Ngô wrote 3 > 2 & 50% (really).\nA second line.\n\nA new paragraph.'
    markdown = feedback_markdown("Ana's “essay”", RUBRIC, grade(), [review(strengths=text)])
    shown = parsed(comment_part(nbgrader_feedback_html(markdown)))
    words = "".join(shown.text)
    assert "Peer review of “Ana's “essay””" in words
    assert 'It\'s “good” and "clear" — Zoë Ngô wrote 3 > 2 & 50% (really).\nA second line.' in words
    assert [tag for tag, _ in shown.tags].count("br") == 1 and "A new paragraph." in words
    assert "\\" not in words


def test_the_grades_table_keeps_its_columns_for_every_confidence() -> None:
    """'not enough reviews yet' and 'set by the facilitator' once pushed their row's reviews and flags right."""
    grades = (
        Grade("amara", "median", 4.0, 6.0, 0.75, {}, 2),
        Grade("mallory", "median", None, 6.0, None, {}, 0, flags=("0 of 2 reviews",)),
        Grade("sam", "median", 4.0, 6.0, 0.5, {}, 0, flags=("0 of 2 reviews",), override_points=4.5),
        Grade("tomas", "median", 3.0, 6.0, 0.83, {}, 3, flags=("reviewers disagree on “A”",)),
    )
    lines = CloseReport("p", grades, ()).table().splitlines()[:-1]
    column = lines[0].index("reviews")
    for line in lines[1:]:
        assert line[column : column + len("reviews")].strip().isdigit(), line  # the count under its heading
    assert lines[2].split("  ")[-1].strip() == "0 of 2 reviews" and lines[2].index("0 of 2") == lines[0].index("flags")


def test_a_reviewer_who_signs_with_the_name_in_their_profile_stays_anonymous(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Packets remove the name a learner goes by in their profile; the comments an author receives
    removed only the reviewer's id and gradebook names, so "— Benji" named the reviewer."""
    from peerkit.core.answers import Answer, AnswerSheet
    from peerkit.core.redaction import Person
    from peerkit.core.review import NewReview
    from peerkit.core.store import NewSubmission
    from peerkit.review.feedback import received_reviews

    at = datetime(2026, 11, 22, tzinfo=UTC)
    profile = Answer.make("profile", {"name": "Benji", "know": ["catalogues"]})
    sheets = {
        n: AnswerSheet(path="essay").with_answer("about-me", profile) if n == "bo" else AnswerSheet(path="essay")
        for n in ("ana", "bo")
    }
    store.record_submissions([NewSubmission(n, "essay", at, s, channel_key=f"k-{n}") for n, s in sheets.items()])
    store.open_round("essay", rubric_id="r", per_submission=1, anonymity="double-blind", self_assessment=False, seed=1)
    store.add_assignments("essay", [("bo", "ana", "t-bo-ana")])
    signed = "Clear. — Benji (bo), Bo Berg"
    content = ReviewContent(scores={"ideas": 1}, comments={"strengths": signed})
    store.record_reviews("essay", [NewReview("bo", "t-bo-ana", content, at)])
    from peerkit.review.people import course_people

    # as a release or the rolling steward call it: the gradebook's names, with the profiles' added once
    people = course_people(store, {"bo": Person("bo", "Bo", "Berg")})
    [received] = received_reviews(store, "essay", "ana", people=people)
    shown = received.content.comments["strengths"]
    assert shown == "Clear. — [the reviewer] ([the reviewer]), [the reviewer]", shown
    [received] = received_reviews(store, "essay", "ana")  # the store's names by default, profiles included
    assert received.content.comments["strengths"] == "Clear. — [the reviewer] ([the reviewer]), [the reviewer] Berg"
