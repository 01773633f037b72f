"""Learners as different Unix users sharing nbgrader's inbound folder: a classmate who drops a newer
submission (or review) in another learner's name is refused and reported, and the learner's own,
older submission is the one collected; everyone's own submissions still collect.

Needs root (to create the users and run code as them, as tests/review/test_channel_users.py does)
and a Python environment the users can run; under CI=true a missing piece fails instead of skipping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from peerkit.core.answers import FILENAME, Answer, AnswerSheet, parse_sheet
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.collect import collect_reviews
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.unix_learners import run_as as run_learner
from tests.unix_learners import unix_learners as learners_as_users

PATH = "essay"
REVIEW = f"{PATH}-review"
ADA, BEN, MAL = "pk-col-ada", "pk-col-ben", "pk-col-mal"  # learner ids are their Unix logins

SCRIPT = r"""
import json, os, shutil, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from peerkit.core.answers import FILENAME
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, submit
from peerkit.widgets.context import open_path
home, step = Path(os.environ["HOME"]), sys.argv[1]
config = load_config([home / ".jupyter"])
learner = os.environ["PK_LEARNER"]
course_dir = home / "course"
result = {}

def later(days):
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"

def entry(inbound, victim, path, when):
    return inbound / f"{victim}+{path}+{when}+{os.urandom(8).hex()}"

if step == "submit":
    folder = fetch(config, "essay", assignment_dir=course_dir, learner=learner)
    session = open_path("essay", folder=folder, config=config)
    session.save("story", "text", f"written by {learner}")
    submit(config, folder, learner=learner)
    result["submitted"] = True
elif step == "review":  # the answers of the review assignment, as the review app would save them
    folder = fetch(config, "essay-review", assignment_dir=course_dir, learner=learner)
    (folder / FILENAME).write_text(Path(sys.argv[2]).read_text())
    submit(config, folder, learner=learner)
    result["submitted"] = True
elif step == "forge":  # a day "later" than anything real, in the victim's name
    inbound, victim = Path(sys.argv[2]), sys.argv[3]
    when = later(1)
    copy = entry(inbound, victim, "essay", when)
    shutil.copytree(course_dir / "essay", copy)  # my own submission, in their name
    (copy / "timestamp.txt").write_text(when)
    link = entry(inbound, victim, "essay", later(2))  # or a link to a folder of my choice
    os.symlink(course_dir / "essay", link)
    review = entry(inbound, victim, "essay-review", when)
    review.mkdir()
    (review / "timestamp.txt").write_text(when)
    (review / FILENAME).write_text(Path(sys.argv[4]).read_text())
    result["forged"] = sorted(p.name for p in (copy, link, review))
print(json.dumps(result))
"""


def run_as(user: str, home: Path, *args: str) -> dict[str, object]:
    return run_learner(user, home, SCRIPT, *args)


@pytest.fixture
def unix_learners(_review_course_template: tuple[Path, Path]) -> Iterator[tuple[CourseLayout, dict[str, Path], Path]]:
    template, course_file = _review_course_template
    with learners_as_users(template, course_file, (ADA, BEN, MAL), prefix="peerkit-collect-users-") as (
        course,
        homes,
        shared,
    ):
        yield course, homes, shared


def review_sheet(token: str, words: str) -> str:
    value = {
        "packet": token,
        "scores": {"clear": 2, "grounded": 2},
        "comments": {"strengths": f"{words} the opening scene works", "suggestion": f"{words} add one date"},
    }
    return AnswerSheet(path=REVIEW).with_answer(f"r-{token}", Answer.make("review", value)).to_json()


def test_a_forgery_in_a_classmates_name_is_refused_and_their_own_submission_collected(
    unix_learners: tuple[CourseLayout, dict[str, Path], Path], store: SqlStore
) -> None:
    course, homes, shared = unix_learners
    for user in (ADA, BEN, MAL):
        assert run_as(user, homes[user], "submit") == {"submitted": True}
    placeholder = shared / "placeholder.json"
    placeholder.write_text(review_sheet("none", "forged"))
    placeholder.chmod(0o644)
    forged = run_as(MAL, homes[MAL], "forge", str(course.inbound()), ADA, str(placeholder))["forged"]
    assert isinstance(forged, list) and len(forged) == 3  # the inbound folder lets anyone add a name

    report = collect_and_ingest(course.course_config(), store, PATH)
    refused = sorted(str(entry) for entry in report.refused)
    essay_forgeries = sorted(name for name in forged if f"+{PATH}+" in name)
    assert refused == [f"an entry named for {ADA} owned by {MAL}: {name}" for name in essay_forgeries]
    assert f"2 refused\n  refused: an entry named for {ADA} owned by {MAL}" in report.summary()
    assert report.counts == {"added": 3}
    for user in (ADA, BEN, MAL):  # each learner's own submission, and only theirs
        collected = course.build.course_root / "submitted" / user / PATH / FILENAME
        assert parse_sheet(collected.read_bytes()).get("story").value == f"written by {user}"  # type: ignore[union-attr]
        stored = store.submission(user, PATH)
        assert stored is not None and stored.sheet.get("story").value == f"written by {user}"  # type: ignore[union-attr]

    # the review assignment goes through the same collect: ada's genuine review counts, the forgery does not
    open_round(store, course.course, PATH, exchange_root=course.workspace.exchange, per_submission=2, seed=5)
    token = next(a.token for a in store.assignments(PATH) if a.reviewer == ADA)
    genuine, fake = shared / "genuine.json", shared / "fake.json"
    genuine.write_text(review_sheet(token, "ada says"))
    fake.write_text(review_sheet(token, "mallory says"))
    for file in (genuine, fake):
        file.chmod(0o644)
    assert run_as(ADA, homes[ADA], "review", str(genuine)) == {"submitted": True}
    forged = run_as(MAL, homes[MAL], "forge", str(course.inbound()), ADA, str(fake))["forged"]
    review_forgery = next(name for name in forged if f"+{REVIEW}+" in name)  # type: ignore[union-attr]

    reviews = collect_reviews(course.course_config(), store, course.course, PATH)
    assert f"an entry named for {ADA} owned by {MAL}: {review_forgery}" in [str(e) for e in reviews.refused]
    assert all(entry.owner == MAL and entry.learner == ADA for entry in reviews.refused)
    assert reviews.counts == {"added": 1}, reviews.summary()
    (review,) = [r for r in store.reviews(PATH) if r.reviewer == ADA]
    assert review.content.comments["strengths"].startswith("ada says")
    assert f"refused: an entry named for {ADA} owned by {MAL}" in reviews.summary()
