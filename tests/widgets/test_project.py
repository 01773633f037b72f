"""The project across the course, on real answers files in a learner's course folder: earlier parts
shown read only, a revised part starts from its previous version, the capstone assembles the latest
version of every part and names the parts a skipped path left out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.nbgrader.tasks import answer_kinds
from peerkit.widgets import PathPage
from peerkit.widgets.model_answer import LOCKED
from peerkit.widgets.project import ProjectBox, ProjectSummaryBox
from tests.widgets.learner_course import make_course_folder, open_page, save_answer

SETTING_1 = "A small rural library: Ana, two assistants and the volunteers.\n\nEach can teach the others a tool."
SETTING_2 = "Three rural libraries, sharing what works with story times."
NEED = "Staff feel alone with <script>alert('new')</script> services; peers nearby know how."


@pytest.fixture
def pages() -> Iterator[list[PathPage]]:
    opened: list[PathPage] = []
    yield opened
    for page in opened:
        page.close()


def saved(folder: Path, path_id: str, answer_id: str) -> Any:
    if not (folder / path_id / FILENAME).exists():
        return None
    answer = parse_sheet((folder / path_id / FILENAME).read_bytes()).get(answer_id)
    return None if answer is None else answer.value


def test_the_first_part_has_nothing_before_it_and_saves_its_part(tmp_path: Path, pages: list[PathPage]) -> None:
    folder = make_course_folder(tmp_path)
    page = open_page(folder, "setting-path")
    pages.append(page)
    box = page.project("project-setting", part="setting", label="Where and who", min_words=60)
    assert isinstance(box, ProjectBox) and box.previous is None and box.text.value == ""
    assert not hasattr(box, "earlier")  # no part comes before the first one
    assert "The setting and the people" in box.children[0].value and "Where?" in box.children[0].value
    box.text.value = SETTING_1
    assert saved(folder, "setting-path", "project-setting") == {
        "part": "setting",
        "title": "The setting and the people",
        "text": SETTING_1,
    }
    assert "aim for at least 60" in box.status.value


def test_a_later_path_shows_the_earlier_parts_escaped(tmp_path: Path, pages: list[PathPage]) -> None:
    folder = make_course_folder(tmp_path)
    save_answer(folder, "setting-path", "project-setting", "project", {"part": "setting", "text": SETTING_1})
    save_answer(folder, "need-path", "project-need", "project", {"part": "need", "text": NEED})
    page = open_page(folder, "loop-path")
    pages.append(page)
    box = page.project("project-loop", part="loop")
    shown = box.earlier.value
    assert "Your project so far" in shown and "Saved in Path 1 · What is peer learning?" in shown
    assert "A small rural library" in shown and "Saved in Path 2 · Why and when" in shown
    assert "<script>" not in shown and "&lt;script&gt;alert(&#x27;new&#x27;)&lt;/script&gt;" in shown
    assert box.previous is None and box.text.value == ""


def test_a_part_written_before_starts_from_its_latest_version_shown_beside_the_box(
    tmp_path: Path, pages: list[PathPage]
) -> None:
    folder = make_course_folder(tmp_path)
    save_answer(folder, "setting-path", "project-setting", "project", {"part": "setting", "text": SETTING_1})
    save_answer(folder, "need-path", "setting-again", "project", {"part": "setting", "text": SETTING_2})
    page = open_page(folder, "loop-path")
    pages.append(page)
    box = page.project("project-setting-revised", part="setting", label="Revise your setting")
    assert box.previous is not None and box.previous.path == "need-path"  # the latest, in course order
    assert box.text.value == SETTING_2  # prefilled to revise ...
    assert saved(folder, "loop-path", "project-setting-revised") is None  # ... and not saved until changed
    beside = box.previous_view.value
    assert "Previous version" in beside and "Path 2 · Why and when" in beside and SETTING_2 in beside
    assert box.previous_view in box.children[2].children and box.text in box.children[2].children
    box.text.value = SETTING_2 + " And the county's school librarians."
    assert saved(folder, "loop-path", "project-setting-revised") == {
        "part": "setting",
        "title": "The setting and the people",
        "text": SETTING_2 + " And the county's school librarians.",
        "based_on": "need-path",
    }
    again = open_page(folder, "loop-path")  # reopened: the learner's own revision, not the old version
    pages.append(again)
    assert again.project("project-setting-revised", part="setting").text.value.endswith("school librarians.")


def test_an_earlier_page_never_shows_a_later_paths_version(tmp_path: Path, pages: list[PathPage]) -> None:
    folder = make_course_folder(tmp_path)
    save_answer(folder, "loop-path", "project-setting-revised", "project", {"part": "setting", "text": SETTING_2})
    page = open_page(folder, "setting-path")
    pages.append(page)
    box = page.project("project-setting", part="setting")
    assert box.previous is None and box.text.value == ""


def test_the_capstone_assembles_every_latest_part_and_names_the_skipped_one(
    tmp_path: Path, pages: list[PathPage]
) -> None:
    folder = make_course_folder(tmp_path)  # need-path was skipped: never opened, no answers file
    save_answer(folder, "setting-path", "project-setting", "project", {"part": "setting", "text": SETTING_1})
    save_answer(folder, "loop-path", "project-loop", "project", {"part": "loop", "text": "Gain, apply, share."})
    save_answer(folder, "loop-path", "project-setting-revised", "project", {"part": "setting", "text": SETTING_2})
    # feedback, drafts and other files in the folders are never read: only the learner's own answers
    (folder / "need-path" / "feedback-need-path.json").write_text(json.dumps({"text": "FEEDBACK"}))
    page = open_page(folder, "capstone")
    pages.append(page)
    box = page.project_summary("project-final", label="My initiative, assembled and revised", min_words=200)
    assert isinstance(box, ProjectSummaryBox)
    assert box.text.value == (
        "The setting and the people\n\n" + SETTING_2 + "\n\n\n"
        "Why peer learning, here and now\n\n(Not written yet: add this part here.)\n\n\n"
        "One session through the loop\n\nGain, apply, share."
    )
    assert "FEEDBACK" not in box.text.value
    notes = box.notes.value
    assert "1 part is missing" in notes and "“Why peer learning, here and now” (Path 2 · Why and when)" in notes
    assert "Not written yet. It belongs to Path 2 · Why and when." in box.saved_parts.value
    assert saved(folder, "capstone", "project-final") is None
    box.text.value = box.text.value.replace("(Not written yet: add this part here.)", "Staff feel alone.")
    value = saved(folder, "capstone", "project-final")
    assert value["parts"] == ["setting", "loop"] and value["missing"] == ["need"]
    assert "Staff feel alone." in value["text"] and "aim for at least 200" in box.status.value
    # prefilled once: a part saved later does not overwrite the learner's own final version
    save_answer(folder, "need-path", "project-need", "project", {"part": "need", "text": NEED})
    again = open_page(folder, "capstone")
    pages.append(again)
    reopened = again.project_summary("project-final")
    assert reopened.text.value == value["text"] and reopened.missing == []


def test_a_preview_shows_the_box_alone(pages: list[PathPage]) -> None:
    page = PathPage("capstone")  # not a learner's folder
    pages.append(page)
    whole = page.project_summary("project-final")
    part = page.project("project-setting", part="setting")
    assert whole.text.value == "" and "will appear here" in whole.notes.value
    assert part.previous is None and part.text.value == ""


def test_a_model_answer_is_offered_only_after_submitting(tmp_path: Path, pages: list[PathPage]) -> None:
    folder = make_course_folder(tmp_path)
    page = open_page(folder, "setting-path")
    pages.append(page)
    box = page.project("project-setting", part="setting", model="A <b>model</b> setting.")
    assert box.model is not None and box.model in box.children
    box.model.button.click()
    assert LOCKED in box.model.body.value and "model</b>" not in box.model.body.value
    assert page.project("other", part="setting").model is None


def test_ingest_finds_project_and_capstone_activities(tmp_path: Path) -> None:
    notebook = tmp_path / "capstone.ipynb"
    cells = [
        'page.project("project-setting", part="setting", label="Where", min_words=60, model="...")',
        'page.project_summary("project-final", label="My initiative", min_words=200)',
    ]
    notebook.write_text(
        json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}} for c in cells], "metadata": {}})
    )
    assert answer_kinds(notebook) == {"project-setting": "project", "project-final": "project_summary"}


def test_the_real_course_carries_a_part_from_path_1_to_the_capstone(real_course: Any, pages: list[PathPage]) -> None:
    folder = real_course.enroll("quinn")
    first = open_page(folder, "what-is-peer-learning")
    pages.append(first)
    first.project("project-setting", part="setting").text.value = SETTING_1
    later = open_page(folder, "why-and-when")
    pages.append(later)
    assert "A small rural library" in later.project("project-need", part="need").earlier.value
    capstone = open_page(folder, "capstone")
    pages.append(capstone)
    whole = capstone.project_summary("project-final")
    titles = [part.title for part in real_course.course.project]
    assert [p.title for p in whole.so_far.parts] == titles
    assert whole.text.value.startswith(f"{titles[0]}\n\n{SETTING_1}\n\n\n{titles[1]}\n\n(Not written yet")
    assert whole.assembled == ["setting"] and whole.missing == ["need", "loop", "group", "voice"]
