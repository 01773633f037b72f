"""The profile widget: the learner's words, and the course's topics as chips they can tick and untick."""

from __future__ import annotations

import ipywidgets as widgets

from peerkit.core import kinds
from peerkit.core.models import Topic
from peerkit.widgets.profile import Profile
from peerkit.widgets.session import PathSession

TOPICS = (
    Topic("mentoring", "Mentoring and coaching", ("mentoring", "coaching", "mentor")),
    Topic("feedback", "Giving feedback", ("feedback", "critique")),
    Topic("notes", "Summary notes", ("summary notes",)),
)


def profile(value: object = None, topics: tuple[Topic, ...] = TOPICS) -> Profile:
    session = PathSession("p", mode="preview")
    if value is not None:
        session.save("me", "profile", value)
    return Profile(session, "me", topics=topics)


def test_chips_are_named_checkboxes_in_a_group_for_each_side() -> None:
    widget = profile()
    for side, heading in [("know", "Topics I can help others with"), ("want", "Topics I want to learn")]:
        chips = widget.chips[side]
        assert "peerkit-chips" in chips._dom_classes and heading in chips.heading.value
        assert 'role="heading"' in chips.heading.value  # names the group (peerkit-access.js)
        assert all(isinstance(box, widgets.Checkbox) for box in chips.boxes.values())  # keyboard: Tab, Space
        assert [box.description for box in chips.boxes.values()] == [t.label for t in TOPICS]


def test_typing_ticks_the_topics_the_words_name_and_saves_them() -> None:
    widget = profile()
    widget.tags["know"].value = "I MENTOR new staff"
    widget.tags["bring"].value = "summary notes"
    widget.tags["want"].value = "peer critique"
    assert widget.chips["know"].chosen == ["mentoring", "notes"]
    assert widget.chips["want"].chosen == ["feedback"]
    saved = widget.session.value("me")
    assert saved["topics"] == {"know": ["mentoring", "notes"], "want": ["feedback"]}
    assert saved["know"] == ["I MENTOR new staff"]
    assert "topics: 2 you can help with, 1 you want to learn" in widget.status.value


def test_a_learners_tick_or_untick_outlasts_further_typing() -> None:
    widget = profile()
    widget.tags["know"].value = "coaching"
    widget.chips["know"].boxes["mentoring"].value = False  # "coaching" names it, but not for this learner
    widget.chips["know"].boxes["feedback"].value = True  # named by no word
    widget.tags["know"].value = "coaching, mentoring, reading"
    assert widget.chips["know"].chosen == ["feedback"]
    assert widget.session.value("me")["topics"]["know"] == ["feedback"]
    widget.chips["know"].boxes["feedback"].value = False
    assert widget.session.value("me")["topics"]["know"] == []


def test_an_answer_saved_before_chips_shows_the_topics_its_words_name() -> None:
    widget = profile({"know": ["coaching"], "bring": [], "want": ["feedback"], "notes": "Library"})
    assert widget.chips["know"].chosen == ["mentoring"] and widget.chips["want"].chosen == ["feedback"]
    assert widget.tags["know"].value == "coaching"


def test_saved_chips_are_shown_as_saved_and_stay_valid() -> None:
    value = {"know": ["coaching"], "want": [], "topics": {"know": [], "want": ["notes"]}}
    kinds.get("profile").validate(value, "me")
    widget = profile(value)
    assert widget.chips["know"].chosen == [] and widget.chips["want"].chosen == ["notes"]


def test_without_a_vocabulary_there_are_no_chips_and_the_answer_is_as_before() -> None:
    widget = profile(topics=())
    assert widget.chips == {}
    widget.tags["want"].value = "coaching"
    assert "topics" not in widget.session.value("me")
