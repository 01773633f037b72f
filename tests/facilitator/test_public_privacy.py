"""No name reaches the public gallery or the released summary notes: the same people, the same redactor
as review packets.

Learners contribute examples and reflections holding every form of their own name (id, first, last
and full name with and without accents, any case, e-mail, hub user name, profile name), a
classmate's, an enrolled learner's who never submitted, and the course's ``redact`` terms. The
facilitator approves every example and releases the drafted notes (with a line of their own naming
people) through the Facilitator API, which reads the names from nbgrader's gradebook. The published
JSON bytes hold none of those names.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.redaction import REMOVED, Person, fold
from peerkit.exchange.base import GALLERY_FILE
from peerkit.exchange.files.public import public_root
from peerkit.facilitator.api import Facilitator
from peerkit.nbgrader.config import ensure_scripts_on_path
from peerkit.nbgrader.gradebook import ensure_students
from peerkit.nbgrader.parts import make_parts
from peerkit.storage.sql import SqlStore
from tests.conftest import write_review_course
from tests.facilitator.conftest import PATH
from tests.review.test_round_redaction import ABSENT, EXTRA, PEOPLE, mentions, terms

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sheet(me: Person, other: Person) -> AnswerSheet:
    """Reflections, an action plan, an example and a profile, each naming people in every field."""
    text = mentions(me, other)
    short = f"{me.first_name} {me.last_name}, {me.email}, {me.profile_name}, {EXTRA[0]}, {other.first_name}"
    example = {
        "title": f"How {me.first_name} {me.last_name.upper()} and {other.first_name} did it",
        "story": text,
        "tags": [me.last_name, me.email, me.profile_name, fold(other.last_name), "storytime"],
    }
    answers = {
        "story": Answer.make("text", text),
        "lesson": Answer.make("text", f"When {other.first_name} {other.last_name} helped, {short} learned."),
        "share": Answer.make("example", example),
        "plan": Answer.make("plan", {"step": f"Ask {ABSENT.first_name} and {me.id} to meet.", "support": text}),
        "me": Answer.make("profile", {"know": [short], "want": ["cataloguing"], "name": me.profile_name}),
    }
    return AnswerSheet(PATH, answers)


@pytest.fixture
def desk(store: SqlStore, tmp_path: Path) -> Facilitator:
    """The review course with the extra terms in course.yml, every learner in nbgrader's gradebook with
    their names, and every learner's submission (no nbgrader build: the gradebook is enough)."""
    source = write_review_course(tmp_path / "src")
    source.write_text(source.read_text() + "redact:\n" + "".join(f"  - {t}\n" for t in EXTRA))
    course = load_course(source)
    desk = Facilitator(store=store, workspace=Workspace.at(tmp_path / "w"), course=course)
    coursedir = make_parts(desk.course_build.config()).coursedir
    Path(coursedir.db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ensure_students(coursedir.db_url, coursedir.course_id, [p.id for p in [*PEOPLE, ABSENT]])
    ensure_scripts_on_path()
    from nbgrader.api import Gradebook

    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for person in [*PEOPLE, ABSENT]:
            gradebook.update_or_create_student(
                person.id, first_name=person.first_name, last_name=person.last_name, email=person.email
            )
    for n, (me, other) in enumerate(zip(PEOPLE, PEOPLE[1:] + PEOPLE[:1], strict=True)):
        store.add_learner(me.id)
        store.record_submission(me.id, PATH, submitted_at=T0 + timedelta(minutes=n), sheet=sheet(me, other))
    return desk


def assert_names_nobody(file: Path) -> str:
    """The published file's bytes, as read and as decoded (escaped accents too), hold no term."""
    raw = file.read_bytes()
    shown = fold(raw.decode()) + fold(json.dumps(json.loads(raw), ensure_ascii=False))
    for term in terms():
        assert term not in shown, f"{file.name} shows {term!r}"
    return shown


def test_the_gallery_and_the_notes_name_nobody(desk: Facilitator) -> None:
    assert set(desk.people()) == {p.id for p in [*PEOPLE, ABSENT]}  # the gradebook's names are known
    items = desk.gallery()
    assert len(items) == len(PEOPLE)
    for item in items:
        desk.decide_example(item=item.id, status="approved", by="fac")
    gallery = public_root(desk.exchange_root, desk.course.id) / GALLERY_FILE
    shown = assert_names_nobody(gallery)
    assert shown.count(fold(REMOVED)) > 10 * len(PEOPLE) and "storytime" in shown
    assert len(json.loads(gallery.read_bytes())["items"]) == len(PEOPLE)

    note = desk.draft_notes(path_id=PATH, seed=1)
    assert note.sources >= 2 * len(PEOPLE) and REMOVED in note.text
    for term in terms():
        assert term not in fold(note.text), f"the draft shows {term!r}"
    added = f"\n\nThanks to {ABSENT.first_name} {ABSENT.last_name} ({ABSENT.email}) and {EXTRA[0].upper()}.\n"
    desk.edit_notes(path_id=PATH, text=note.text + added, by="fac")
    notes = Path(desk.release_notes(path_id=PATH, by="fac"))
    shown = assert_names_nobody(notes)
    assert "thanks to [name removed] ([name removed]) and [name removed]." in shown


def test_the_readme_says_the_gallery_and_the_notes_lose_names_too() -> None:
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    start = readme.split('What is removed, replaced by "[name removed]",', 1)[1]
    removed = start.split("What is **not** removed", 1)[0]
    assert "in a packet" in removed and "gallery (title, story and tags" in removed and "summary notes" in removed
