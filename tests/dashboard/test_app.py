"""The facilitator dashboard app on the seeded cohort: every section renders, actions work through
the API, and hostile text from learners stays text everywhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from peerkit.config.settings import settings_from_env
from peerkit.config.workspace import Workspace
from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.review import NewRating
from peerkit.dashboard.app import SECTIONS, Dashboard
from peerkit.exchange.base import GALLERY_FILE
from peerkit.exchange.files.public import public_root
from peerkit.facilitator.api import Facilitator
from peerkit.review.practice import RESPOND
from tests.facilitator.conftest import PATH, Seeded, token

HOSTILE = '<script>window.__xss=1</script><img src=x onerror="alert(1)">'


def board(seeded: Seeded, tmp_path: Path) -> Dashboard:
    desk = Facilitator(course=seeded.course, workspace=Workspace.at(tmp_path), store=seeded.store)
    return Dashboard(facilitator=desk, by="fac")


def show_every_tab(dash: Dashboard) -> None:
    for index in range(len(SECTIONS)):
        dash.tabs.selected_index = index


def all_html(dash: Dashboard) -> str:
    show_every_tab(dash)
    parts = [w.value for w in dash.sections.values()]
    parts += [dash.notes.preview.value, dash.gallery.preview.value, dash.status.value, dash.exports.links.value]
    return "".join(parts)


def test_every_section_renders_and_hostile_text_stays_text(seeded: Seeded, tmp_path: Path) -> None:
    seeded.store.add_learner("fay", circle=f"East {HOSTILE}")
    seeded.store.record_ratings(PATH, [NewRating("dee", token("cy", "dee"), 2, flagged=True, flag_reason=HOSTILE)])
    example = Answer.make("example", {"title": f"Huddle {HOSTILE}", "story": f"cy said {HOSTILE}", "tags": ["x"]})
    seeded.store.record_submission(
        "cy", PATH, submitted_at=datetime(2026, 11, 5, tzinfo=UTC), sheet=AnswerSheet(PATH, {"share": example})
    )
    response = Answer.make(
        "response",
        {
            "changed": f"I added {HOSTILE}",
            "kept": "My lesson stays short.",
            "revised": {"question": "story", "text": "x"},
        },
        answer_id=RESPOND,
    )
    seeded.store.record_submission(
        "dee",
        seeded.course.path(PATH).review_id,
        submitted_at=datetime(2026, 11, 6, tzinfo=UTC),
        sheet=AnswerSheet(seeded.course.path(PATH).review_id, {RESPOND: response}),
    )
    dash = board(seeded, tmp_path)
    assert dash.sections.keys() == set(SECTIONS[:4])
    for path in ("", PATH):
        dash.path.value = path
        page = all_html(dash)
        assert "<script" not in page and "<img src=x" not in page and 'onerror="alert' not in page
        assert "&lt;script&gt;" in page
    dash.path.value = PATH
    progress = dash.sections["Progress"].value
    assert "peerkit-stuck" in progress and "bo, dee" in progress and 'class="peerkit-plot"' in progress
    assert "eli, fay" in dash.sections["Participation"].value
    health = dash.sections["Review health"].value
    assert "peerkit-disagreement" in health
    # What the learners did with their feedback, in their words (escaped like every learner's text).
    assert "What learners did with their feedback (1)" in health and "peerkit-responses" in health
    assert "I added &lt;script&gt;" in health and "My lesson stays short." in health
    grades = dash.sections["Grades"].value
    assert grades.count('class="peerkit-plot"') == 2  # the grade distribution and the reviewers' biases
    assert grades.count('role="img"') == 2 and grades.count("<details") == 2
    # Which method graded each criterion, and why.
    assert re.search(r'class="peerkit-method"[^>]*>“clear” graded by (median|calibrated): ', grades)
    for svg in re.findall(r"<svg.*?</svg>", grades, flags=re.S):
        assert "<script" not in svg and "onerror" not in svg
    dash.close_all()


def test_only_the_tab_on_screen_is_drawn(seeded: Seeded, tmp_path: Path) -> None:
    dash = board(seeded, tmp_path)
    assert "peerkit-dash-progress" in dash.sections["Progress"].value
    assert dash.sections["Grades"].value == "" and dash.drawn == {"Progress"}
    reads = []
    dash.desk.cohort = lambda **_kw: reads.append(1)  # type: ignore[method-assign,assignment,return-value]
    dash.tabs.selected_index = SECTIONS.index("Grades")
    assert "peerkit-dash-grades" in dash.sections["Grades"].value
    dash.path.value = PATH  # another path: the same snapshot, the tab on screen drawn again
    assert dash.drawn == {"Grades"} and "peerkit-dash-grades" in dash.sections["Grades"].value
    assert reads == []  # the snapshot is read once per refresh, not per tab or path
    dash.close_all()


def test_a_path_without_notes_says_so_before_the_first_draft(seeded: Seeded, tmp_path: Path) -> None:
    dash = board(seeded, tmp_path)
    dash.path.value = PATH
    dash.tabs.selected_index = SECTIONS.index("Summary notes")
    assert dash.notes.text.value == "" and f"{PATH}: no notes yet" in dash.notes.state.value
    dash.close_all()


def test_notes_gallery_and_exports_from_the_dashboard(seeded: Seeded, tmp_path: Path) -> None:
    example = Answer.make("example", {"title": "Friday huddle", "story": "ana showed us.", "tags": ["desk"]})
    seeded.store.record_submission(
        "ana", PATH, submitted_at=datetime(2026, 11, 5, tzinfo=UTC), sheet=AnswerSheet(PATH, {"share": example})
    )
    dash = board(seeded, tmp_path)
    dash.path.value = PATH
    dash.tabs.selected_index = SECTIONS.index("Summary notes")
    dash.notes.buttons.children[0].click()  # draft
    assert dash.notes.text.value.startswith("## Summary notes: An essay") and "<h4>" in dash.notes.preview.value
    dash.notes.text.value += "\n### From the facilitator\n\n- Meet again on Friday.\n"
    dash.notes.buttons.children[2].click()  # release
    assert "released" in dash.status.value
    assert (public_root(tmp_path / "exchange", seeded.course.id) / f"notes-{PATH}.json").is_file()
    assert seeded.store.note(PATH).released_text.endswith("- Meet again on Friday.\n")  # type: ignore[union-attr]

    dash.tabs.selected_index = SECTIONS.index("Gallery")
    assert len(dash.gallery.pick.options) == 1 and "[waiting]" in dash.gallery.pick.options[0][0]
    dash.gallery.children[2].children[0].click()  # approve
    assert "[approved]" in dash.gallery.pick.options[0][0]
    published = (public_root(tmp_path / "exchange", seeded.course.id) / GALLERY_FILE).read_text()
    assert "showed us." in published and "ana" not in published  # the name redacted

    for button in dash.exports.children[2].children:
        button.click()
    exports = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert exports == [
        f"grades-{PATH}-canvas.csv",
        f"grades-{PATH}-moodle.csv",
        f"reviews-{PATH}.csv",
        f"round-{PATH}.json",
    ]
    assert dash.exports.links.value.count('download="') == 4
    dash.close_all()


def test_settings_come_from_the_facilitators_server(tmp_path: Path) -> None:
    env = {"PEERKIT_COURSE": str(tmp_path / "c.yml"), "PEERKIT_WORKDIR": str(tmp_path), "PEERKIT_DB": "sqlite:///x.db"}
    settings = settings_from_env(env)
    assert (settings.course_file, settings.workdir, settings.db_url) == (tmp_path / "c.yml", tmp_path, "sqlite:///x.db")
    assert settings_from_env({}).workdir == Path(".peerkit") / "demo"
