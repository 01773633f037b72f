"""The course home: paths in order, each learner's state, fetching, escaping."""

from __future__ import annotations

import shutil

from peerkit.apps.catalog import PathEntry, list_paths
from peerkit.apps.home import CourseHome, path_card
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout


def states(course: CourseLayout, learner: str) -> dict[str, str]:
    folder = course.workspace.learner_course_dir(learner, course.course.id)
    return {e.id: e.state for e in list_paths(folder, course.learner_config(learner), learner=learner)}


def test_states_follow_the_learner(course: CourseLayout) -> None:
    course.enroll("nia")
    assert states(course, "nia") == {"alpha": "not-started", "beta": "not-started"}
    session = open_path("alpha", folder=course.folder("nia", "alpha"), config=course.learner_config("nia"))
    session.save("first", "text", "begun")
    assert states(course, "nia")["alpha"] == "in-progress"
    session.save("second", "text", "done too")
    session.submit()
    assert states(course, "nia")["alpha"] == "submitted"


def test_a_path_submitted_with_blanks_is_marked_as_such(course: CourseLayout) -> None:
    import time

    folder = course.enroll("ray")
    session = open_path("alpha", folder=course.folder("ray", "alpha"), config=course.learner_config("ray"))
    session.submit()  # before answering anything, as from JupyterLab's Assignments tab
    assert states(course, "ray")["alpha"] == "submitted-with-blanks"
    home = CourseHome(folder=folder, config=course.learner_config("ray"))
    card = next(c.value for c in home.cards.children if 'data-path="alpha"' in c.value)
    assert "Submitted with blanks" in card and "no answers yet: answer, then submit again" in card
    assert "0 of 2 paths submitted (1 more submitted with blanks)" in home.header.value
    home.close_all()

    time.sleep(1.1)  # answers keep their time to the second
    session.save("first", "text", "one of two")
    session.submit()
    (entry,) = [e for e in list_paths(folder, course.learner_config("ray"), learner="ray") if e.id == "alpha"]
    assert entry.state == "submitted-with-blanks" and not entry.changed_since_submit
    assert "1 of 2 answers complete: fill in the rest, then submit again" in path_card(entry)
    time.sleep(1.1)
    session.save("second", "text", "now both")  # complete here, but not sent yet
    (entry,) = [e for e in list_paths(folder, course.learner_config("ray"), learner="ray") if e.id == "alpha"]
    assert entry.changed_since_submit and "submit again to send your changes" in path_card(entry)


def test_released_but_not_fetched_paths_are_offered(course: CourseLayout) -> None:
    folder = course.enroll("oz")
    shutil.rmtree(folder / "beta")
    home = CourseHome(folder=folder, config=course.learner_config("oz"))
    assert states(course, "oz")["beta"] == "available"
    start = [c for c in home.cards.children if hasattr(c, "children")]
    assert len(start) == 1
    start[0].children[1].click()  # "Start" fetches the path with nbgrader
    assert (folder / "beta" / "beta.ipynb").is_file()
    assert states(course, "oz")["beta"] == "not-started"
    home.close_all()


def test_home_lists_paths_in_course_order_with_links(course: CourseLayout) -> None:
    folder = course.enroll("pat")
    home = CourseHome(folder=folder, config=course.learner_config("pat"))
    html = "".join(c.value for c in home.cards.children)
    assert html.index("Alpha path") < html.index("Beta path")
    assert 'href="alpha/alpha.ipynb"' in html
    assert "A test course" in home.header.value and "0 of 2 paths submitted" in home.header.value
    home.close_all()


def test_card_escapes_everything() -> None:
    entry = PathEntry(
        id="x",
        title="<img src=x onerror=alert(1)>",
        summary="<script>bad()</script>",
        minutes=5,
        position=1,
        course_title="c",
        state="not-started",
    )
    card = path_card(entry)
    assert "<img" not in card and "<script>" not in card and "&lt;script&gt;" in card
