"""Learners use each other's work, through the course's real public board: approved gallery examples
(never the learner's own, all escaped, the same ones on every visit), a path's released summary notes,
or the course's starters while nothing is published; the response records what was shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peerkit.core import documents
from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.core.errors import ConfigError
from peerkit.exchange.base import GALLERY_FILE, LearnerExchange, notes_file
from peerkit.exchange.files import public
from peerkit.exchange.registry import open_learner_exchange
from peerkit.nbgrader.tasks import answer_kinds
from peerkit.widgets import PathPage
from peerkit.widgets.peers import PeersBox, gallery_id, is_own, same_after_redaction, varied
from tests.widgets.learner_course import make_course_folder, open_page, save_answer

HOSTILE = '<img src=x onerror="alert(1)">'
STARTERS = [
    ("Lunch and learn", "Once a month a colleague shows one tool over lunch."),
    ("Buddy shifts", "New staff shadow an experienced peer for a week."),
]
MY_STORY = "Ana and I ran a reading circle for new parents at the branch."


def item(path: str, title: str, story: str, tags: list[str]) -> dict[str, Any]:
    return {"path": path, "path_title": path.title(), "title": title, "story": story, "tags": tags}


GALLERY = [
    item("setting-path", "Reading circle", MY_STORY.replace("Ana", "[name removed]"), ["parents"]),  # mine
    item("setting-path", f"Hostile {HOSTILE}", f"Story {HOSTILE}", [HOSTILE]),
    item("setting-path", "Tool swap", "Two branches swap one tool a month.", ["tools"]),
    item("need-path", "Mentoring trios", "Three people rotate mentor, mentee, observer.", ["mentoring"]),
    item("loop-path", "Shared shelf", "A shelf of things colleagues recommend.", ["tools"]),
]


@pytest.fixture
def board(tmp_path: Path) -> Iterator[tuple[Path, LearnerExchange, list[PathPage]]]:
    make_course_folder(tmp_path / "learners")
    root = tmp_path / "exchange"
    exchange = open_learner_exchange(
        learner="ren", course_id="course101", exchange_root=root, cache_dir=tmp_path / "cache", backend_name="files"
    )
    opened: list[PathPage] = []
    yield root, exchange, opened
    for page in opened:
        page.close()


def publish_gallery(root: Path, items: list[dict[str, Any]]) -> None:
    doc = documents.dump(documents.GALLERY, {"course_title": "Peer learning", "items": items})
    public.publish(root, "course101", GALLERY_FILE, doc)


def saved(folder: Path, path_id: str, answer_id: str) -> Any:
    answer = parse_sheet((folder / path_id / FILENAME).read_bytes()).get(answer_id)
    return None if answer is None else answer.value


def test_gallery_examples_are_escaped_never_the_learners_own_and_varied(
    tmp_path: Path, board: tuple[Path, LearnerExchange, list[PathPage]]
) -> None:
    root, exchange, opened = board
    folder = tmp_path / "learners" / "ren" / "course101"
    save_answer(folder, "setting-path", "share", "example", {"title": "Reading circle", "story": MY_STORY})
    publish_gallery(root, GALLERY)
    page = open_page(folder, "loop-path", exchange=exchange)
    opened.append(page)
    box = page.peers("peers-gallery", source="gallery", count=3, label="What would you try?", min_words=40)
    assert isinstance(box, PeersBox) and len(box.shown) == 3 and all(s.by_peers for s in box.shown)
    shown = box.view.value
    assert "Reading circle" not in shown and "new parents" not in shown  # the learner's own example
    assert "3 examples of peer learning shared by other learners" in shown
    assert "<img" not in shown
    paths = {gallery_id(i): i["path"] for i in GALLERY}
    assert len({paths[s.id] for s in box.shown}) >= 2  # varied: not all from one path
    box.text.value = "I would try the tool swap, with the county's two branches."
    value = saved(folder, "loop-path", "peers-gallery")
    assert value == {
        "seen": [s.id for s in box.shown],
        "text": "I would try the tool swap, with the county's two branches.",
    }
    again = open_page(folder, "loop-path", exchange=exchange)  # the same examples on the next visit
    opened.append(again)
    assert [s.id for s in again.peers("peers-gallery", count=3).shown] == value["seen"]


def test_every_hostile_string_of_an_example_is_escaped(board: tuple[Path, LearnerExchange, list[PathPage]]) -> None:
    root, exchange, opened = board
    publish_gallery(root, [GALLERY[1]])
    page = open_page(board[0].parent / "learners" / "ren" / "course101", "loop-path", exchange=exchange)
    opened.append(page)
    shown = page.peers("peers-gallery", count=3).view.value
    assert "<img" not in shown and shown.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 3


def test_starters_stand_in_while_nothing_is_published(
    tmp_path: Path, board: tuple[Path, LearnerExchange, list[PathPage]]
) -> None:
    _root, exchange, opened = board
    folder = tmp_path / "learners" / "ren" / "course101"
    page = open_page(folder, "need-path", exchange=exchange)
    opened.append(page)
    box = page.peers("peers-gallery", source="gallery", count=3, starters=STARTERS)
    assert [s.id for s in box.shown] == ["starter:1", "starter:2"] and not any(s.by_peers for s in box.shown)
    shown = box.view.value
    assert "examples written by the course team" in shown and shown.count("An example written by the course team") == 2
    assert "shared by other learners" not in shown and "Lunch and learn" in shown
    box.text.value = "Buddy shifts would suit our weekend staff."
    assert saved(folder, "need-path", "peers-gallery")["seen"] == ["starter:1", "starter:2"]


def test_only_the_learners_own_examples_published_means_starters(
    tmp_path: Path, board: tuple[Path, LearnerExchange, list[PathPage]]
) -> None:
    root, exchange, opened = board
    folder = tmp_path / "learners" / "ren" / "course101"
    save_answer(folder, "setting-path", "share", "example", {"title": "Reading circle", "story": MY_STORY})
    publish_gallery(root, [GALLERY[0]])
    page = open_page(folder, "loop-path", exchange=exchange)
    opened.append(page)
    assert [s.id for s in page.peers("peers-gallery", starters=STARTERS).shown] == ["starter:1", "starter:2"]


def test_released_summary_notes_of_the_named_path_are_shown_escaped(
    tmp_path: Path, board: tuple[Path, LearnerExchange, list[PathPage]]
) -> None:
    root, exchange, opened = board
    folder = tmp_path / "learners" / "ren" / "course101"
    for path, text in (("need-path", f"## Themes\n\n- Time is short {HOSTILE}"), ("loop-path", "Other notes")):
        doc = documents.dump(documents.NOTES, {"path": path, "path_title": "Why and when", "text": text})
        public.publish(root, "course101", notes_file(path), doc)
    page = open_page(folder, "loop-path", exchange=exchange)
    opened.append(page)
    box = page.peers("peers-notes", source="notes", path="need-path", starters=STARTERS)
    assert [s.id for s in box.shown] == ["notes:need-path"]
    shown = box.view.value
    assert "Time is short" in shown and "Other notes" not in shown and "<img" not in shown and "&lt;img" in shown
    assert "summary notes of your classmates" in shown and "course team" not in shown


def test_a_preview_shows_the_starters_and_a_wrong_source_is_named(board: Any) -> None:
    page = PathPage("loop-path")
    board[2].append(page)
    box = page.peers("peers-notes", source="notes", path="need-path", starters=STARTERS)
    assert [s.id for s in box.shown] == ["starter:1", "starter:2"] and "summary notes" in box.view.value
    with pytest.raises(ConfigError, match="source must be one of gallery, notes"):
        page.peers("x", source="blog")
    with pytest.raises(ConfigError, match="needs path="):
        page.peers("x", source="notes")


def test_own_examples_are_recognised_after_names_were_removed() -> None:
    assert same_after_redaction("[name removed] and I ran it.", "Ana and I ran it.")
    assert not same_after_redaction("[name removed] and I ran it.", "We ran something else.")
    mine = [("Reading circle", MY_STORY)]
    assert is_own(GALLERY[0], mine) and not any(is_own(i, mine) for i in GALLERY[1:])
    assert is_own({"title": "Only a title", "story": ""}, [("Only a title", "")])


def test_the_choice_is_repeatable_per_learner_and_keeps_what_was_seen() -> None:
    items = GALLERY[1:]
    first = varied(items, 2, seed="ren:p:a")
    assert first == varied(items, 2, seed="ren:p:a")
    assert first[0]["path"] != first[1]["path"] or first[0]["tags"] != first[1]["tags"]
    kept = varied(items, 2, seed="other", keep=[gallery_id(items[3])])
    assert kept[0] is items[3] and len(kept) == 2


def test_ingest_finds_a_peers_activity(tmp_path: Path) -> None:
    notebook = tmp_path / "p.ipynb"
    code = 'page.peers("peers-notes", source="notes", path="peer-learning-groups", label="...", min_words=40)'
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": code, "metadata": {}}]}))
    assert answer_kinds(notebook) == {"peers-notes": "peers"}


def test_the_new_activities_speak_plainly(tmp_path: Path, board: tuple[Path, LearnerExchange, list[PathPage]]) -> None:
    from tests.apps.test_plain_language import internal_words

    root, exchange, opened = board
    folder = tmp_path / "learners" / "ren" / "course101"
    save_answer(folder, "setting-path", "project-setting", "project", {"part": "setting", "text": "A library."})
    publish_gallery(root, GALLERY[1:])
    page = open_page(folder, "capstone", exchange=exchange)
    opened.append(page)
    shown = [
        page.peers("peers-gallery", starters=STARTERS),
        page.peers("peers-notes", source="notes", path="need-path", starters=STARTERS),
        page.project("project-loop", part="loop", model="A model."),
        page.project_summary("project-final"),
    ]
    assert internal_words(*shown) == []
