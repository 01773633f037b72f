"""The whole nbgrader cycle, for real, with two learners: build, release, fetch, answer through
the widgets' own code, submit, collect — each collected folder holds its learner's own answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.core.errors import ExchangeError
from peerkit.nbgrader.collect import collect
from peerkit.nbgrader.learner import last_submission_time
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "what-is-peer-learning"


def answer_and_submit(course: CourseLayout, learner: str, texts: dict[str, str]) -> None:
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    assert session.mode == "learner" and session.learner == learner
    for answer_id, text in texts.items():
        status = session.save(answer_id, "text", text)
        assert status.ok, status.message
    submission = session.submit()
    assert submission.learner == learner and submission.inbound_name.startswith(f"{learner}+{PATH}+")
    assert (course.inbound() / submission.inbound_name / FILENAME).is_file()


def test_two_learners_submit_and_collect_their_own_answers(real_course: CourseLayout) -> None:
    answers = {
        "alice": {"peer-moment": "Alice learned pivot tables from Sam.", "my-trace": "Alice can record a screencast."},
        "bob": {"peer-moment": "Bob learned <b>cataloguing</b> rules on a forum.", "my-trace": "Bob writes tips."},
    }
    started = datetime.now(UTC)
    for learner, texts in answers.items():
        real_course.enroll(learner)
        answer_and_submit(real_course, learner, texts)

    result = collect(real_course.course_config(), PATH).collected
    assert sorted(c.learner for c in result) == ["alice", "bob"]
    for item in result:
        sheet = parse_sheet((item.folder / FILENAME).read_bytes(), expected_path=PATH)
        assert {k: a.value for k, a in sheet.answers.items()} == answers[item.learner]
        assert (item.folder / f"{PATH}.ipynb").is_file()
        submitted = last_submission_time(real_course.learner_config(item.learner), PATH, learner=item.learner)
        assert item.submitted_at == submitted  # the time in the exchange is the one the learner's cache keeps
        assert submitted is not None and started <= submitted <= datetime.now(UTC)


def test_resubmission_replaces_the_collected_copy(real_course: CourseLayout) -> None:
    real_course.enroll("carol")
    answer_and_submit(real_course, "carol", {"peer-moment": "first draft"})
    answer_and_submit(real_course, "carol", {"peer-moment": "second draft"})
    (item,) = collect(real_course.course_config(), PATH).collected
    sheet = parse_sheet((item.folder / FILENAME).read_bytes())
    assert sheet.get("peer-moment").value == "second draft"  # type: ignore[union-attr]


def test_enrolling_again_keeps_answers(real_course: CourseLayout) -> None:
    real_course.enroll("dana")
    session = open_path(PATH, folder=real_course.folder("dana", PATH), config=real_course.learner_config("dana"))
    session.save("peer-moment", "text", "do not lose me")
    real_course.enroll("dana")  # as `peerkit serve` does on every start
    again = open_path(PATH, folder=real_course.folder("dana", PATH), config=real_course.learner_config("dana"))
    assert again.value("peer-moment") == "do not lose me"


def test_failed_submit_says_why_and_keeps_answers(real_course: CourseLayout) -> None:
    real_course.enroll("finn")
    folder = real_course.folder("finn", PATH)
    session = open_path(PATH, folder=folder, config=real_course.learner_config("finn"))
    session.save("peer-moment", "text", "still here after a failed submit")
    inbound = real_course.inbound()
    inbound.rename(inbound.with_name("inbound-moved"))  # the exchange is broken
    with pytest.raises(ExchangeError, match="Inbound directory doesn't exist"):
        session.submit()
    reopened = open_path(PATH, folder=folder, config=real_course.learner_config("finn"))
    assert reopened.value("peer-moment") == "still here after a failed submit"
    kept = parse_sheet((folder / FILENAME).read_bytes()).get("peer-moment")
    assert kept is not None and kept.value == "still here after a failed submit"


@pytest.mark.parametrize(
    ("name", "stamp", "why"),
    [
        ("alice+{path}+not a time+x", None, "its name holds no time"),
        ("alice+{path}+2030-01-01 10:00:00.000000 UTC+x", b"\xff\xfe binary", "its timestamp.txt holds no time"),
        ("alice+{path}+2030-01-01 10:00:00.000000 UTC+y", b"yesterday-ish", "its timestamp.txt holds no time"),
        ("alice+{path}+2030-01-01 10:00:00.000000 UTC+z", b"2" * 5000, "its timestamp.txt holds no time"),
    ],
)
def test_an_entry_with_a_time_nbgrader_cannot_read_is_refused_and_the_rest_collected(
    real_course: CourseLayout, name: str, stamp: bytes | None, why: str
) -> None:
    # Anyone may make a folder in the inbound; nbgrader reads the time in its name and in its timestamp.txt and
    # stopped the whole collect at the first it could not read, every learner's submission with it.
    for learner in ("alice", "bob"):
        real_course.enroll(learner)
        answer_and_submit(real_course, learner, {"peer-moment": f"{learner}'s own"})
    odd = real_course.inbound() / name.format(path=PATH)
    odd.mkdir()
    (odd / FILENAME).write_text("{}")
    if stamp is not None:
        (odd / "timestamp.txt").write_bytes(stamp)

    run = collect(real_course.course_config(), PATH)

    assert sorted(c.learner for c in run.collected) == ["alice", "bob"]
    assert all(c.submitted_at is not None for c in run.collected)
    (refused,) = run.refused
    assert (refused.entry, refused.learner, refused.why) == (odd.name, "alice", why)
    assert odd.is_dir()  # a learner's file: left where it is
