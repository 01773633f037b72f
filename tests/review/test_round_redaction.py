"""No name reaches a reviewer: names of every kind, planted in every answer kind, through the real round.

Each learner writes, in every text field of every answer kind, their own id, first, last and full
name (accents and no accents, any case), e-mail address, hub user name and profile name, a
classmate's name (one who submitted, and one who never did), and the course's extra terms (the
facilitator, a partner library). The facilitator collects and opens the round through the
Facilitator API, which reads the names from nbgrader's gradebook; then every byte delivered to every
channel is scanned (folded: any case, any accents): none of those names is found. Each author is
told, in their own review app, how many names were removed, and that number matches what their
reviewers saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import pytest

from peerkit.apps.review import ReviewPage
from peerkit.config.settings import PeerkitConfig
from peerkit.core import kinds
from peerkit.core.redaction import REMOVED, Person, fold
from peerkit.exchange.base import packet_file, round_file
from peerkit.exchange.files.channels import CHANNELS
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.parts import make_parts
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "essay"
EXTRA = ("Pat Vandersloot", "Hollyhock Branch Library")
PEOPLE = [
    Person("quentin.tarrow", "Quentin", "Tarrow", "Q.Tarrow@uni.example", profile_name="Quenby"),
    Person("zokafor", "Zeynep", "Okafor-Þórsdóttir", "zeynep.okafor@library.example", profile_name="Zeezee"),
    Person("emeline", "Émeline", "Ñúñez Åberg", "emeline.nunez@hollyhock.example", profile_name="Emmylou"),
    Person("msogaard", "Marisol", "Søgaard", "marisol.sogaard@x.example", profile_name="Marisolita"),
    Person("oyelaran", "Ngozi", "Oyèlárán", "ngozi.oyelaran@x.example", profile_name="Zizikele"),
    Person("sigrun", "Sigrún", "Björk", "sigrun.bjork@x.example", profile_name="Runnie"),
]
#: Enrolled, in the gradebook, never submits: classmates still mention her.
ABSENT = Person("tquill", "Tobiah", "Quillfeather", "tobiah.quill@x.example")


def mentions(me: Person, other: Person) -> str:
    """One sentence with every form of *me*'s name, a classmate's, the absent one's and the course's terms."""
    full = f"{me.first_name} {me.last_name}"
    plain = fold(full).upper()
    return (
        f"I am {full} ({plain}, {me.last_name.lower()}, {me.first_name}), {me.id} on the hub "
        f"({me.id.upper()}), write to {me.email} or {me.email.upper()}; friends call me {me.profile_name}. "
        f"{other.first_name} {other.last_name} and {ABSENT.first_name} helped; "
        f"thanks to {EXTRA[0]} at the {EXTRA[1].lower()}."
    )


def every_kind(me: Person, other: Person) -> dict[str, tuple[str, Any]]:
    """One answer of every registered kind, each text field holding :func:`mentions`."""
    text = mentions(me, other)
    short = f"{me.first_name} {me.last_name}, {me.email}, {me.profile_name}, {EXTRA[0]}, {other.first_name}"
    values: dict[str, Any] = {
        "text": text,
        "scale": 40,
        "checklist": {"selected": [short, "To build a skill"], "other": short},
        "profile": {"know": [short], "bring": [me.profile_name], "want": [me.id], "notes": text},
        "plan": {"step": text, "date": "2030-01-02", "checkin": short, "support": text},
        "example": {"title": f"How {me.first_name} did it", "story": text, "tags": [me.last_name, "storytime"]},
        "review": {"packet": short, "scores": {"clear": 1}, "comments": {"strengths": text}},
        "rating": {"review": short, "helpful": 4, "note": text, "flag": True, "reason": text},
        "check": {"type": "choice", "response": 1, "attempts": 1, "right": True, "first_right": True},  # no text
        "project": {"part": "setting", "title": f"{me.last_name}'s branch", "text": text},
        "project_summary": {"text": text, "parts": ["setting"], "missing": []},
        "peers": {"seen": ["starter:1"], "text": text},
        "response": {"changed": text, "kept": short, "revised": {"question": "Story", "text": text}},
    }
    assert set(values) == {k.name for k in kinds.all_kinds()}, "a new answer kind: plant names in it here too"
    profile_with_name = {**values["profile"], "name": me.profile_name}
    answers = {f"x-{kind}": (kind, value) for kind, value in values.items()}
    answers["story"] = ("text", text)
    answers["lesson"] = ("text", f"Ask {other.first_name}; {me.first_name.upper()} says so.")
    answers["x-profile"] = ("profile", profile_with_name)
    return answers


def terms() -> set[str]:
    found = {fold(t) for p in [*PEOPLE, ABSENT] for t in p.terms()} | {fold(t) for t in EXTRA}
    return found | {fold(f"{p.first_name} {p.last_name}") for p in PEOPLE}


def html_of(widget: Any) -> Iterator[str]:
    if isinstance(widget, widgets.HTML):
        yield widget.value
    for child in getattr(widget, "children", ()):
        yield from html_of(child)


@pytest.fixture
def named_course(review_course: CourseLayout) -> CourseLayout:
    """The review course with extra terms in course.yml and every learner's names in the gradebook."""
    source = review_course.course.source
    assert source is not None
    source.write_text(source.read_text() + "redact:\n" + "".join(f"  - {t}\n" for t in EXTRA))
    from nbgrader.api import Gradebook

    coursedir = make_parts(review_course.course_config()).coursedir
    for person in [*PEOPLE, ABSENT]:
        review_course.enroll(person.id)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for person in [*PEOPLE, ABSENT]:
            gradebook.update_or_create_student(
                person.id, first_name=person.first_name, last_name=person.last_name, email=person.email
            )
    return review_course


def test_no_name_of_any_kind_reaches_a_reviewer(named_course: CourseLayout) -> None:
    for me, other in zip(PEOPLE, PEOPLE[1:] + PEOPLE[:1], strict=True):
        session = open_path(PATH, folder=named_course.folder(me.id, PATH), config=named_course.learner_config(me.id))
        for answer_id, (kind, value) in every_kind(me, other).items():
            status = session.save(answer_id, kind, value)
            assert status.ok, status.message
        session.submit()
    config = PeerkitConfig.load(env={}, course_file=named_course.course.source, workdir=named_course.workspace.root)
    desk = Facilitator.open(config)
    try:
        opened = desk.open_round(path_id=PATH, seed=7)
        assert opened.opened.submitters == len(PEOPLE)
        assignments = desk.store.assignments(PATH)
    finally:
        desk.close()

    channels = named_course.workspace.exchange / named_course.course.id / CHANNELS
    files = [p for p in channels.rglob("*") if p.is_file()]
    peer_packets = 0
    removed_seen: dict[str, int] = {}
    by_token = {a.token: a.author for a in assignments}
    for file in files:
        doc = json.loads(file.read_bytes())
        if doc.get("kind") == "self":
            continue  # the learner's own answers, in their own channel
        shown = fold(json.dumps(doc, ensure_ascii=False)) + fold(file.read_bytes().decode())
        for term in terms():
            assert term not in shown, f"{file.name} shows {term!r}"
        if doc.get("format") == "peerkit-packet":
            peer_packets += 1
            token = file.name.removeprefix("packet-").removesuffix(".json")
            removed_seen[by_token[token]] = json.dumps(doc, ensure_ascii=False).count(REMOVED)
    assert peer_packets == len(PEOPLE) * 3

    for person in PEOPLE:  # each author is told, and the number is what their reviewers saw
        folder = next(p.parent for p in channels.rglob(round_file(PATH)) if _owner(p) == person.id)
        manifest = json.loads((folder / round_file(PATH)).read_text())
        assert manifest["removed"] == removed_seen[person.id] > 10
        assert all((folder / packet_file(t)).is_file() for t in manifest["packets"])


def _owner(manifest: Any) -> str:
    """Whose channel a manifest is in: the learner whose own (self) packet sits beside it."""
    doc = json.loads(manifest.read_text())
    own = json.loads((manifest.parent / packet_file(doc["self"])).read_text())
    story = next(a["value"] for a in own["answers"] if a["id"] == "story")
    return next(p.id for p in PEOPLE if f"{p.id} on the hub" in story)


def test_the_author_reads_in_their_review_app_that_names_were_removed(named_course: CourseLayout) -> None:
    for me, other in zip(PEOPLE[:4], PEOPLE[1:4] + PEOPLE[:1], strict=True):
        session = open_path(PATH, folder=named_course.folder(me.id, PATH), config=named_course.learner_config(me.id))
        assert session.save("story", "text", mentions(me, other)).ok
        session.submit()
    config = PeerkitConfig.load(env={}, course_file=named_course.course.source, workdir=named_course.workspace.root)
    desk = Facilitator.open(config)
    try:
        desk.open_round(path_id=PATH, seed=7)
    finally:
        desk.close()
    me = PEOPLE[0]
    page = ReviewPage(
        PATH, folder=named_course.folder(me.id, f"{PATH}-review"), config=named_course.learner_config(me.id)
    )
    try:
        shown = " ".join(html_of(page.view))
    finally:
        page.close()
    assert "peerkit-names-removed" in shown
    assert "names were removed from your submission before your reviewers saw it" in shown
    for word in ("packet", "exchange", "nbgrader", "redact"):
        notice = shown.split("peerkit-names-removed", 1)[1].split("</div></div>", 1)[0]
        assert word not in notice.lower()


def test_reviewers_who_sign_with_their_real_name_stay_anonymous(named_course: CourseLayout) -> None:
    """The other way round: the feedback an author receives drops each reviewer's gradebook names."""
    four = PEOPLE[:4]
    for me in four:
        session = open_path(PATH, folder=named_course.folder(me.id, PATH), config=named_course.learner_config(me.id))
        assert session.save("story", "text", f"A story about the front desk, by learner {me.id}.").ok
        session.submit()
    config = PeerkitConfig.load(env={}, course_file=named_course.course.source, workdir=named_course.workspace.root)
    desk = Facilitator.open(config)
    try:
        desk.open_round(path_id=PATH, seed=7)
        for me in four:
            page = ReviewPage(
                PATH, folder=named_course.folder(me.id, f"{PATH}-review"), config=named_course.learner_config(me.id)
            )
            for form in page.forms:
                for choice in form.levels.values():
                    choice.value = choice.options[-1][1]
                for key, box in form.comments.items():
                    box.value = f"The {key} part is clear to me. — {me.first_name} {me.last_name.upper()}, {me.email}"
            page.session.submit()
            page.close()
        desk.close_round(path_id=PATH)
    finally:
        desk.close()
    channels = named_course.workspace.exchange / named_course.course.id / CHANNELS
    feedback = [p for p in channels.rglob("*.json") if json.loads(p.read_bytes()).get("reviews") is not None]
    assert len(feedback) == len(four)
    for file in feedback:
        shown = fold(file.read_text())
        assert "[the reviewer]" in shown
        for person in four:
            for term in (person.first_name, person.last_name, person.email):
                assert fold(term) not in shown, f"{file.name} names reviewer {person.id} through {term!r}"
