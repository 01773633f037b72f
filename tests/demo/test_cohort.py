"""The demo cohort: peers load and validate, submit once, review whoever they are given; the
autopilot runs the loop when the demo learner submits."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.core.errors import ConfigError
from peerkit.demo.autopilot import Autopilot
from peerkit.demo.cohort import enroll_peers, load_peers
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "essay"


@pytest.fixture
def demo_store(review_course: CourseLayout) -> SqlStore:
    return SqlStore.open(review_course.workspace.store_url)


def test_cohort_loads_with_every_answer_checked(review_course: CourseLayout) -> None:
    peers = load_peers(review_course.course)
    assert [p.name for p in peers] == ["pia", "quin", "rosa", "sam"]
    assert peers[0].answers[PATH]["story"].value == "pia learned filing from a colleague."
    assert peers[0].reviews[PATH].scores == {"clear": 1.0, "grounded": 2.0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("essay: {story:", "essay: {x: 1, story:"), "no activity 'x'"),
        (('story: "pia learned filing from a colleague."', "story: 42"), "expected text"),
        (("clear: 1, grounded: 2", "clear: 1"), "choose a level for “Grounded”"),
        (("clear: 1, grounded: 2", "clear: 7, grounded: 2"), "not one of this criterion's levels"),
        (("- name: pia", "- name: Pia Smith"), "spaces"),
        (
            ("    role: tester\n", "    role: tester\n    role: tester\n"),
            r"line 5: key 'role' appears twice \(first on line 4\)",
        ),
        (("peers:\n", "peers: []\nx: &x [1]\ny: *x\nz:\n"), r"line 3: alias '\*x'"),
    ],
)
def test_broken_cohorts_are_explained(review_course: CourseLayout, change: tuple[str, str], message: str) -> None:
    file = Path(str(review_course.course.source)).parent / "demo" / "cohort.yml"
    file.write_text(file.read_text().replace(*change, 1))
    with pytest.raises(ConfigError, match=message):
        load_peers(review_course.course)


def test_peers_submit_once(review_course: CourseLayout, demo_store: SqlStore) -> None:
    peers = load_peers(review_course.course)
    made = enroll_peers(review_course.course, review_course.workspace, review_course.build, demo_store, peers)
    assert made == ["pia/essay", "quin/essay", "rosa/essay", "sam/essay"]
    assert enroll_peers(review_course.course, review_course.workspace, review_course.build, demo_store, peers) == []
    assert {lrn.name: lrn.circle for lrn in demo_store.learners()} == {
        "pia": "north",
        "quin": "north",
        "rosa": "south",
        "sam": "south",
    }


def test_autopilot_runs_the_loop_when_the_learner_submits(review_course: CourseLayout, demo_store: SqlStore) -> None:
    course, workspace = review_course.course, review_course.workspace
    peers = load_peers(course)
    enroll_peers(course, workspace, review_course.build, demo_store, peers)
    lines: list[str] = []
    pilot = Autopilot(course, workspace, review_course.build, demo_store, "tester", peers, say=lines.append)
    pilot.remember_current()
    pilot.tick()
    assert lines == []  # nothing happened yet

    review_course.enroll("tester")
    session = open_path(
        PATH, folder=review_course.folder("tester", PATH), config=review_course.learner_config("tester")
    )
    session.save("story", "text", "My neighbour at the reference desk showed me how to search the archive quickly.")
    session.submit()
    pilot.tick()
    reviews_of_me = [r for r in demo_store.reviews(PATH) if r.author == "tester" and r.kind == "peer"]
    assert len(reviews_of_me) == 3
    quoted = [r.content.comments["strengths"] for r in reviews_of_me]
    assert all("“My neighbour at the reference desk showed me how to search the…”" in q for q in quoted)
    # "lesson" was left blank: no peer gives more than Partly, and each says why
    assert all(max(r.content.scores.values()) <= 1 for r in reviews_of_me)
    assert all(
        "1 of your 2 answers were blank or very short" in r.content.comments["suggestion"] for r in reviews_of_me
    )
    mine = [a for a in demo_store.assignments(PATH) if a.reviewer == "tester"]
    assert len(mine) == 3
    assert any("3 packets for tester" in line for line in lines) and any(
        "tester has 3 so far" in line for line in lines
    )

    from tests.review.test_round_flow import review_everything

    review_everything(review_course, "tester")
    pilot.tick()
    assert any("tester submitted reviews" in line and "added" in line for line in lines)
    assert {a.status for a in demo_store.assignments(PATH) if a.reviewer == "tester"} == {"done"}
    assert any("the facilitator closed the round: tester gets" in line for line in lines)
    grade = next(g for g in demo_store.grades(PATH) if g.author == "tester")
    assert grade.reviews == 3 and grade.released_at is not None


def test_plan_dates_move_so_the_earliest_is_today() -> None:
    import datetime as dt

    from peerkit.core.answers import Answer
    from peerkit.demo.cohort import Peer, days_to_today, moved

    plan = Answer.make("plan", {"step": "go", "date": "2026-11-02", "checkin": "", "support": ""})
    later = Answer.make("plan", {"step": "go", "date": "2027-01-22", "checkin": "", "support": ""})
    peers = (Peer("a", "c", "r", {"p": {"x": plan, "y": later}}, {}),)
    shift = days_to_today(peers, today=dt.date(2027, 3, 1))
    assert moved(plan, shift).value["date"] == "2027-03-01"
    assert moved(later, shift).value["date"] == "2027-05-21"
    assert moved(Answer.make("text", "hi"), shift).value == "hi"


LONG = "At the reference desk a colleague showed me, step by step, how she searches the archive, then let me try."


def test_peers_review_what_the_author_wrote_not_a_fixed_grade(review_course: CourseLayout) -> None:
    """The demo learner got 11 of 12 with 1 of 5 answers written: every peer gave its fixed review
    whatever it read. Blank work now reads "Not yet", half the work at most "Partly", the whole of it
    the peer's own levels; the same work always gets the same review."""
    from peerkit.core.answers import Answer
    from peerkit.demo.cohort import as_read, substance

    course = review_course.course
    template = load_peers(course)[0].reviews[PATH]  # pia: clear 1 (Partly of 0/1/2), grounded 2 (Clearly of 0/2)

    def work(**texts: str) -> dict[str, Answer]:
        return {key: Answer.make("text", text) for key, text in texts.items()}

    blank = as_read(course, PATH, template, {})
    assert blank.scores == {"clear": 0.0, "grounded": 0.0}
    assert blank.comments["suggestion"].startswith("2 of your 2 answers were blank or very short")
    half = work(story=LONG)
    assert substance(course, PATH, half) == (0.5, 1, 2)
    assert as_read(course, PATH, template, half).scores == {"clear": 1.0, "grounded": 0.0}  # only all of it: Clearly
    assert as_read(course, PATH, template, half) == as_read(course, PATH, template, half)  # deterministic
    short = work(story=LONG, lesson="Ask early.")  # a few words count half
    assert substance(course, PATH, short) == (0.75, 1, 2)
    assert as_read(course, PATH, template, short).scores == {"clear": 1.0, "grounded": 0.0}
    whole = work(story=LONG, lesson=LONG)
    assert as_read(course, PATH, template, whole) is template  # all of it written: the peer's own review
