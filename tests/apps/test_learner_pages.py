"""The learner's "my progress" page and the example gallery: what they show, filtering, escaping,
and the course home's links to them."""

from __future__ import annotations

from pathlib import Path

from peerkit.apps.gallery import GalleryPage, matches
from peerkit.apps.home import CourseHome
from peerkit.apps.progress import ProgressPage
from peerkit.exchange.base import GALLERY_FILE, GALLERY_FORMAT, NOTES_FORMAT, notes_file
from peerkit.exchange.base import PUBLIC_VERSION as VERSION
from peerkit.exchange.files.public import publish
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

HOSTILE = "<script>window.__xss=1</script>"
ITEMS = [
    {
        "path": "alpha",
        "path_title": "Alpha path",
        "title": "Desk huddle",
        "story": "Every Friday.",
        "tags": ["desk", "Staff"],
    },
    {
        "path": "beta",
        "path_title": "Beta path",
        "title": f"Book club {HOSTILE}",
        "story": "We read.",
        "tags": ["reading"],
    },
]


def publish_board(course: CourseLayout) -> None:
    gallery = {"format": GALLERY_FORMAT, "version": VERSION, "course_title": "c", "items": ITEMS}
    publish(course.workspace.exchange, course.course.id, GALLERY_FILE, gallery)
    notes = {"format": NOTES_FORMAT, "version": VERSION, "path": "beta", "path_title": "Beta path", "position": 2}
    publish(
        course.workspace.exchange, course.course.id, notes_file("beta"), {**notes, "text": f"## Notes\n\n- {HOSTILE}"}
    )


def test_progress_page_shows_paths_notes_and_the_gallery(course: CourseLayout) -> None:
    folder = course.enroll("nia")
    session = open_path("alpha", folder=course.folder("nia", "alpha"), config=course.learner_config("nia"))
    session.save("first", "text", "done")
    session.save("second", "text", "both answered: the path counts as done")
    session.submit()
    publish_board(course)
    page = ProgressPage(folder=folder, config=course.learner_config("nia"))
    body = page.body.value
    assert "1 of 2 paths done" in body and "signed in as nia" in body
    assert "Nothing to review right now." in body and "No feedback released yet." in body
    assert "Summary notes: Beta path" in body and "<script>" not in body and "&lt;script&gt;" in body
    assert "Browse the gallery (2 examples)" in body and 'href="gallery.ipynb"' in body
    assert 'href="alpha/alpha.ipynb"' in page.cards.value
    page.close_all()


def test_progress_page_cards_are_headed_one_level_under_paths(course: CourseLayout) -> None:
    """The cards sit under the page's "Paths" h2: their titles are h3, not a second h2 beside it."""
    folder = course.enroll("nia")
    page = ProgressPage(folder=folder, config=course.learner_config("nia"))
    assert page.body.value.endswith(">Paths</h2>")
    assert "<h3 " in page.cards.value and "<h2" not in page.cards.value
    page.close_all()


def test_progress_page_without_a_course_says_why(tmp_path: Path) -> None:
    from traitlets.config import Config

    page = ProgressPage(folder=tmp_path, config=Config())
    assert "cannot be shown" in page.notice.value and "No paths released yet." in page.cards.value
    page.close_all()


def test_gallery_filters_and_escapes(course: CourseLayout) -> None:
    folder = course.enroll("oz")
    publish_board(course)
    page = GalleryPage(folder=folder, config=course.learner_config("oz"))
    assert "2 of 2 examples" in page.shown.value and "<script>" not in page.shown.value
    assert [v for _, v in page.tag.options] == ["", "desk", "reading", "Staff"]
    page.path.value = "beta"
    assert [i["title"] for i in page.visible()] == [ITEMS[1]["title"]]
    page.path.value = ""
    page.tag.value = "staff".title()
    page.search.value = "friday DESK"
    assert [i["title"] for i in page.visible()] == ["Desk huddle"]
    page.close_all()
    assert matches(ITEMS[0], path="", tag="", words="") and not matches(ITEMS[0], path="", tag="", words="club")


def test_gallery_before_anything_is_published(tmp_path: Path) -> None:
    page = GalleryPage(folder=tmp_path)  # no course configured there: nothing to read
    assert "No examples have been published yet." in page.shown.value
    page.close_all()


def test_home_links_to_progress_and_gallery(course: CourseLayout) -> None:
    folder = course.enroll("pat")
    assert (folder / "progress.ipynb").is_file() and (folder / "gallery.ipynb").is_file()
    home = CourseHome(folder=folder, config=course.learner_config("pat"))
    assert 'href="progress.ipynb"' in home.header.value and 'href="gallery.ipynb"' in home.header.value
    home.close_all()
