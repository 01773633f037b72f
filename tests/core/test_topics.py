"""Free text to topic ids, answers to allocation profiles, and the share of authors matched."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from peerkit.config.course import load_course
from peerkit.core.allocation import Profile
from peerkit.core.models import Topic
from peerkit.core.topics import (
    Vocabulary,
    match_count,
    matched_share,
    profile_from_answer,
    singular,
    tokens,
    topics_from_metadata,
    topics_in,
)
from tests.conftest import COURSE_FILE

TOPICS = (
    Topic("facilitation", "Facilitating groups", ("facilitation", "running a peer group", "running meetings")),
    Topic("notes", "Summary notes", ("summary notes", "note taking")),
    Topic("community", "Online communities", ("online communities", "video calls")),
    Topic("mentoring", "Mentoring", ("mentoring", "coaching")),
)
COURSE = load_course(COURSE_FILE)


def test_words_and_phrases_name_their_topics() -> None:
    assert topics_in("I'd like to get better at Running a Peer Group", TOPICS) == ("facilitation",)
    assert topics_in("coaching; summary notes; video calls", TOPICS) == ("notes", "community", "mentoring")
    assert topics_in(["note taking", "mentoring"], TOPICS) == ("notes", "mentoring")
    assert topics_in("", TOPICS) == ()


def test_case_accents_and_plurals_do_not_matter() -> None:
    assert topics_in("FACILITATION", TOPICS) == ("facilitation",)
    assert topics_in("facilitatión", TOPICS) == ("facilitation",)
    assert topics_in("a summary note", TOPICS) == ("notes",)
    assert topics_in("an online community", TOPICS) == ("community",)
    assert topics_in("the label counts too: mentoring", TOPICS) == ("mentoring",)


def test_only_whole_words_count() -> None:
    assert topics_in("coachingly", TOPICS) == ()
    assert topics_in("prementoring", TOPICS) == ()
    assert topics_in("summary, notes", TOPICS) == ("notes",)  # a comma is a word boundary, not a wall
    assert topics_in("running peer group", TOPICS) == ()  # a phrase is its words in order


def test_singular_meets_plural() -> None:
    for one, many in [("community", "communities"), ("note", "notes"), ("class", "classes"), ("box", "boxes")]:
        assert singular(one) == singular(many)
    assert singular("focus") == "focus" and singular("analysis") == "analysis" and singular("process") == "process"


WORD = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10)


@given(st.lists(WORD, min_size=1, max_size=4), st.text(max_size=40), st.text(max_size=40))
def test_a_phrase_is_found_wherever_it_stands(phrase: list[str], before: str, after: str) -> None:
    topic = Topic("t", "Some label", (" ".join(phrase),))
    text = f"{before} {' '.join(phrase).upper()} {after}"
    assert topics_in(text, (topic,)) == ("t",)


@given(st.text(max_size=80))
def test_case_and_accents_never_change_what_is_found(text: str) -> None:
    accented = text.translate(str.maketrans("aeiou", "áéíóú"))
    assert topics_in(text.upper(), COURSE.topics) == topics_in(text.lower(), COURSE.topics)
    assert topics_in(accented, COURSE.topics) == topics_in(text, COURSE.topics)


@given(st.text(max_size=60), st.text(max_size=60))
def test_more_words_never_lose_a_topic(first: str, second: str) -> None:
    both = set(topics_in(f"{first}, {second}", COURSE.topics))
    assert set(topics_in(first, COURSE.topics)) <= both and set(topics_in(second, COURSE.topics)) <= both


def test_every_word_of_the_course_vocabulary_names_its_own_topic() -> None:
    assert 10 <= len(COURSE.topics) <= 16
    for topic in COURSE.topics:
        for word in topic.words:
            assert topic.id in topics_in(word, COURSE.topics), (topic.id, word)
            assert tokens(word), word


def test_an_answer_becomes_a_profile_of_topic_ids() -> None:
    old = {"know": ["Running meetings", "coaching"], "bring": ["note taking"], "want": ["video calls"]}
    assert profile_from_answer(old, TOPICS) == Profile(
        frozenset({"facilitation", "notes", "mentoring"}), frozenset({"community"})
    )
    # The chips the learner kept win over their words; unknown ids are dropped.
    chosen = {**old, "topics": {"know": ["mentoring", "gone"], "want": []}}
    assert profile_from_answer(chosen, TOPICS) == Profile(frozenset({"mentoring"}), frozenset())
    # Without a vocabulary, tags are compared as typed (lower case), as before.
    assert profile_from_answer(old, ()) == Profile.from_tags(
        knows=["running meetings", "coaching", "note taking"], wants=["video calls"]
    )


def test_the_vocabulary_travels_in_a_notebook() -> None:
    meta = [{"id": t.id, "label": t.label, "words": list(t.words)} for t in TOPICS]
    assert topics_from_metadata(meta) == TOPICS
    assert topics_from_metadata([{"id": 3}, "x", {"id": "a", "label": "A"}]) == (Topic("a", "A"),)
    assert topics_from_metadata(None) == ()
    assert Vocabulary.of(TOPICS).label("notes") == "Summary notes"


def test_matched_share_counts_authors_with_a_reviewer_who_knows() -> None:
    profiles = {
        "ann": Profile(frozenset({"a"}), frozenset({"b"})),
        "bob": Profile(frozenset({"b"}), frozenset({"c"})),
        "cy": Profile(frozenset({"c"}), frozenset()),
        "di": Profile(frozenset(), frozenset({"z"})),
    }
    pairs = [("bob", "ann"), ("cy", "ann"), ("ann", "bob"), ("ann", "cy"), ("bob", "di")]
    count = match_count(pairs, profiles)
    # ann is matched (bob knows b), bob is not (ann knows a), cy wants nothing, di is not matched.
    assert (count.matched, count.wanting, count.authors) == (1, 3, 4)
    assert matched_share(pairs, profiles) == 1 / 3
    assert "1 of 3 authors" in count.describe()
    assert matched_share([], profiles) == 0.0


@given(st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("abcde")), max_size=20))
def test_matched_share_is_a_share(pairs: list[tuple[str, str]]) -> None:
    profiles = {x: Profile(frozenset({x}), frozenset({"abcde"[("abcde".index(x) + 1) % 5]})) for x in "abcde"}
    share = matched_share(pairs, profiles)
    assert 0.0 <= share <= 1.0
    expected = {a for r, a in pairs if profiles[r].knows & profiles[a].wants}
    assert share == (len(expected) / len({a for _, a in pairs}) if pairs else 0.0)
