"""The course home's "My profile": the profile asked in a path, edited and shared from the home page."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.apps.catalog import PathEntry, list_paths
from peerkit.apps.home import CourseHome
from peerkit.widgets.context import open_path
from peerkit.widgets.profile import Profile
from tests.conftest import CourseLayout, _built, write_kinds_course

TOPICS = """\
topics:
  - {id: mentoring, label: Mentoring and coaching, words: [mentoring, coaching, mentor]}
  - {id: feedback, label: Giving feedback, words: [feedback, critique]}
  - {id: notes, label: Summary notes, words: [summary notes, note taking]}
"""


@pytest.fixture
def profile_course(tmp_path: Path) -> CourseLayout:
    """A one-path course ("kinds", whose page asks a profile as "me") with a topic vocabulary."""
    course_file = write_kinds_course(tmp_path / "src")
    course_file.write_text(course_file.read_text() + TOPICS)
    return _built(course_file, tmp_path)


def entry_of(course: CourseLayout, learner: str) -> PathEntry:
    folder = course.workspace.learner_course_dir(learner, course.course.id)
    (entry,) = list_paths(folder, course.learner_config(learner), learner=learner)
    return entry


def test_home_opens_the_profile_with_the_course_topics_as_chips(profile_course: CourseLayout) -> None:
    folder = profile_course.enroll("lia")
    home = CourseHome(folder=folder, config=profile_course.learner_config("lia"))
    section = home.profile
    assert "My profile" in section.heading.value
    assert section.body.children == (section.edit,)  # nothing built until the learner asks
    widget = section.edit_profile()
    assert isinstance(widget, Profile)
    assert section.body.children == (widget,)  # not submitted yet: nothing to share
    assert [t.id for t in widget.vocabulary.topics] == ["mentoring", "feedback", "notes"]
    # under the section's h2 "My profile", the chip rows' headings are level 3 (axe heading-order)
    assert all('aria-level="3"' in chips.heading.value for chips in widget.chips.values())
    assert set(widget.chips["know"].boxes) == {"mentoring", "feedback", "notes"}
    widget.tags["know"].value = "I mentor new colleagues, Note-taking"
    widget.tags["want"].value = "giving FEEDBACK"
    assert widget.chips["know"].chosen == ["mentoring", "notes"]
    assert widget.chips["want"].chosen == ["feedback"]
    widget.chips["want"].boxes["mentoring"].value = True  # a chip the words do not name
    saved = section.session.value("me") if section.session else None
    assert saved == {
        "know": ["I mentor new colleagues", "Note-taking"],
        "bring": [],
        "want": ["giving FEEDBACK"],
        "notes": "",
        "topics": {"know": ["mentoring", "notes"], "want": ["mentoring", "feedback"]},
    }
    # The same answer the path's own page shows: saved in the path's answers.
    assert open_path("kinds", folder=folder / "kinds", config=profile_course.learner_config("lia")).value("me") == saved
    home.close_all()


def test_an_edited_profile_is_shared_by_submitting_its_path_again(profile_course: CourseLayout) -> None:
    import time

    folder = profile_course.enroll("max")
    home = CourseHome(folder=folder, config=profile_course.learner_config("max"))
    widget = home.profile.edit_profile()
    assert widget is not None and home.profile.session is not None
    widget.tags["want"].value = "coaching"
    home.profile.session.submit()
    home.refresh()
    first = entry_of(profile_course, "max").submitted_at
    assert first is not None
    widget = home.profile.edit_profile()
    assert widget is not None
    assert home.profile.share in home.profile.body.children  # submitted once: now it can be shared again
    time.sleep(1.1)  # answers keep their time to the second
    widget.chips["want"].boxes["feedback"].value = True
    assert entry_of(profile_course, "max").changed_since_submit
    home.profile.share.click()
    assert "Shared" in home.profile.status.value
    entry = entry_of(profile_course, "max")
    assert not entry.changed_since_submit
    assert entry.submitted_at is not None and entry.submitted_at > first
    home.close_all()


def test_a_course_without_a_profile_path_shows_no_profile_section(course: CourseLayout) -> None:
    folder = course.enroll("ned")
    home = CourseHome(folder=folder, config=course.learner_config("ned"))
    assert home.profile.layout.display == "none"
    home.close_all()
