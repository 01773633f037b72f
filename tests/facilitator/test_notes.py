"""Summary notes: drafted from planted reflections (the themes are found, names never shown),
edited, released as a public page that renders inert."""

from __future__ import annotations

import json
import random
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.errors import StorageError, ValidationError, WorkflowError
from peerkit.core.redaction import REMOVED, Person, Redactor
from peerkit.core.store import StoredSubmission
from peerkit.exchange.base import NOTES_FORMAT, notes_file
from peerkit.exchange.files.public import public_root, read_public
from peerkit.facilitator.notes import draft, draft_notes, edit_notes, redactable, release_notes
from peerkit.widgets.public_view import markdown_html, render_notes
from tests.facilitator.conftest import PATH, Seeded
from tests.facilitator.crashes import Cohort, integrity, killed_at, make_cohort, rows, run, timed

NOW = datetime(2026, 11, 2, tzinfo=UTC)
HOSTILE = "<script>alert('notes')</script>"
MENTORING = [
    "My mentor at the circulation desk showed me how to renew a loan over the phone.",
    "Pairing with a mentor every Friday morning made the new catalogue much less scary.",
    "A mentor who listens first and explains second is worth more than any manual.",
]
FEEDBACK = [
    "Written feedback from a colleague on my workshop slides changed how I open sessions.",
    "The feedback I got on my slides was specific, kind and easy to act on the same week.",
    f"Peer feedback on slides works best when it names one thing to change {HOSTILE}.",
]


def sub(learner: str, *texts: str, step: str = "") -> StoredSubmission:
    answers = {f"t{i}": Answer.make("text", t) for i, t in enumerate(texts)}
    if step:
        answers["plan"] = Answer.make("plan", {"step": step})
    return StoredSubmission(learner, PATH, NOW, NOW, AnswerSheet(PATH, answers), True)


def cohort_answers() -> list[StoredSubmission]:
    return [
        sub("amelia", MENTORING[0], FEEDBACK[0], step="Ask desmond to be my mentor before Friday."),
        sub("desmond", MENTORING[1], FEEDBACK[1] + " Amelia agreed.", step="Email amelia@library.org my slides."),
        sub("cordelia", MENTORING[2], FEEDBACK[2], step="Try one mentoring lunch."),
        sub("you", "I asked you and you answered me with three useful tips for the desk."),
    ]


COHORT = Redactor.for_people([Person("amelia"), Person("desmond"), Person("cordelia"), Person("you")])


def test_draft_finds_the_planted_themes_and_names_nobody(seeded: Seeded) -> None:
    made = draft(seeded.course, PATH, cohort_answers(), COHORT, seed=3)
    terms = [set(t.terms) for t in made.themes]
    assert any("mentor" in " ".join(t) for t in terms) and any(
        "feedback" in " ".join(t) and "slides" in " ".join(t) for t in terms
    )
    assert all(t.learners >= 2 for t in made.themes)  # recurring: more than one learner's words
    text = made.markdown()
    for name in ("amelia", "Amelia", "desmond", "cordelia"):
        assert name not in text
    assert REMOVED in text and "amelia@library.org" not in text
    assert not any("removed" in term for theme in made.themes for term in theme.terms)  # the placeholder is no theme
    assert redactable(["you", "amelia", "al", "x"]) == [
        "al",
        "amelia",
    ]  # a learner called "you" must not blank out "you"
    assert [a.text for a in made.actions][2] == "Try one mentoring lunch."
    assert made == draft(seeded.course, PATH, cohort_answers(), COHORT, seed=3)


def test_draft_with_too_little_to_go_on(seeded: Seeded) -> None:
    made = draft(seeded.course, PATH, [sub("ana", "Short.")], Redactor.for_people([Person("ana")]))
    assert made.themes == () and "Not enough reflections yet" in made.markdown()


def test_draft_edit_release_publishes_a_readable_page(seeded: Seeded) -> None:
    note = draft_notes(seeded.store, seeded.course, PATH)
    assert note.sources == 4 and note.state == "draft"  # the seeded cohort's non-empty text answers
    edit_notes(seeded.store, seeded.course, PATH, f"## Our notes\n\n- ana said {HOSTILE}\n", by="fac")
    file = Path(release_notes(seeded.store, seeded.course, seeded.course_exchange, PATH, by="fac"))
    assert file == public_root(seeded.exchange, seeded.course.id) / notes_file(PATH)
    assert stat.S_IMODE(file.stat().st_mode) == 0o644 and stat.S_IMODE(file.parent.stat().st_mode) == 0o755
    doc = read_public(file.parent, file.name, NOTES_FORMAT)
    assert doc is not None and doc["path_title"] == "An essay"
    assert "ana" not in doc["text"] and f"{REMOVED} said" in doc["text"]  # names redacted again on release
    page = render_notes(doc)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert json.loads(file.read_text())["format"] == NOTES_FORMAT


@pytest.mark.parametrize(
    ("text", "says"),
    [("é" * 500_001, "1,000,002 bytes, over the limit of 1,000,000"), ("## Notes\n\x00", "NUL character (at 9)")],
)
def test_notes_learners_could_never_read_are_refused_from_any_front_end(seeded: Seeded, text: str, says: str) -> None:
    # The dashboard edits through this call too, not only `peerkit notes edit`.
    with pytest.raises(ValidationError) as caught:
        edit_notes(seeded.store, seeded.course, PATH, text, by="fac")
    assert says in str(caught.value) and "fix:" in str(caught.value)
    assert seeded.store.note(PATH) is None  # nothing saved
    edit_notes(seeded.store, seeded.course, PATH, "é" * 500_000, by="fac")  # at the limit: saved


def test_notes_are_marked_released_only_once_learners_can_read_them(seeded: Seeded) -> None:
    """The store said "released" before the page was published: a release that failed or was killed
    in between left ``notes show`` saying released while learners had nothing to read."""
    edit_notes(seeded.store, seeded.course, PATH, "## Our notes\n\n- ask early\n", by="fac")
    board = public_root(seeded.exchange, seeded.course.id)
    moved = board.with_name(board.name + ".away")
    if board.exists():
        board.rename(moved)
    board.parent.mkdir(parents=True, exist_ok=True)
    board.write_text("not a folder")  # the page cannot be published
    with pytest.raises(StorageError):
        release_notes(seeded.store, seeded.course, seeded.course_exchange, PATH, by="fac")
    note = seeded.store.note(PATH)
    assert note is not None and note.released_at is None and note.released_text is None
    board.unlink()
    if moved.exists():
        moved.rename(board)
    file = Path(release_notes(seeded.store, seeded.course, seeded.course_exchange, PATH, by="fac"))
    released = seeded.store.note(PATH)
    assert released is not None and released.released_text == "## Our notes\n\n- ask early\n"
    doc = read_public(file.parent, file.name, NOTES_FORMAT)
    assert doc is not None and doc["released_at"] == released.released_at.isoformat()  # type: ignore[union-attr]


def test_release_needs_notes(seeded: Seeded) -> None:
    with pytest.raises(WorkflowError):
        release_notes(seeded.store, seeded.course, seeded.course_exchange, PATH, by="fac")


def test_markdown_subset_is_inert() -> None:
    page = markdown_html(
        "# T <b>\n\n1. **x** <img src=x onerror=alert(1)>\n- [a](javascript:alert(1)) _i_\n\npara\nline"
    )
    assert "<img" not in page and "<b>" not in page and "<a" not in page
    assert "<strong>x</strong>" in page and "<em>i</em>" in page and "<ol>" in page and "<ul>" in page
    assert "<p>para<br>line</p>" in page


def test_exports_redact_names_without_the_dashboard_extra(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """`export reviews` and `export round` redact names with peerkit's own word list: no scikit-learn."""
    import sys

    from peerkit.facilitator.data import path_records
    from peerkit.facilitator.export import reviews_csv, round_json

    for module in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, module, None)  # import sklearn... raises ImportError now
    assert redactable(["you", "amelia", "al", "x", "The"]) == ["al", "amelia"]
    records = path_records(seeded.store, seeded.course, seeded.course.path(PATH))
    everyone = [lrn.name for lrn in seeded.store.learners()]
    assert reviews_csv(seeded.course, records, everyone).startswith("path,packet,reviewer")
    assert json.loads(round_json(seeded.course, records, everyone))["format"] == "peerkit-round-export"


# -- `peerkit notes draft` and `release` killed part-way (SIGKILL, real processes) -------------------


def notes_state(cohort: Cohort) -> tuple[object, ...]:
    """The notes the store holds and the page learners read (times left out), and every file of the
    public folder: a rerun after a kill must leave these as a run never killed does."""
    (row,) = rows(cohort.db, "SELECT draft, text, released_text, sources FROM summary_note")
    folder = cohort.workdir / "exchange" / "review-course" / "peerkit-public"
    page = json.loads((folder / notes_file(PATH)).read_text())
    page.pop("released_at", None)
    return row, json.dumps(page, sort_keys=True), sorted(p.name for p in folder.iterdir())


def test_notes_drafted_and_released_killed_anywhere_end_as_runs_never_killed(tmp_path: Path) -> None:
    cohort = make_cohort(tmp_path / "c", 30)
    run(cohort, "collect", PATH)
    took = {step: timed(cohort, "notes", step, PATH) for step in ("draft", "release")}
    expected = notes_state(cohort)
    rng = random.Random(20261205)
    for step in ("draft", "release"):  # drafting again keeps the text as it was: the same end state
        killed_at(cohort, rng.uniform(0.3, 1.0) * took[step], "notes", step, PATH)
        assert integrity(cohort.db) == "ok"
        shown = run(cohort, "notes", "show", PATH, check=False)  # a clear answer, whatever the kill left
        assert "Traceback" not in shown.stdout + shown.stderr
        run(cohort, "notes", step, PATH)
        assert notes_state(cohort) == expected
