"""Packets carry nothing that identifies an author: every byte the channels hold is scanned for
every learner's identifiers (names, nbgrader folder names, timestamps, secrets, save times)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from peerkit.core.packets import REDACTED
from peerkit.exchange.files.channels import CHANNELS
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "essay"
LEARNERS = ["quentin.tarrow", "zeynep_okafor", "ling-wei", "marisol", "oyelaran", "sigrun"]


def identifiers(course: CourseLayout) -> dict[str, set[str]]:
    """Everything that could point at a learner, per learner, as it exists on the facilitator's side."""
    found: dict[str, set[str]] = {name: {name} for name in LEARNERS}
    for name in LEARNERS:
        for folder in course.inbound().glob(f"{name}+{PATH}+*"):
            found[name] |= {folder.name, folder.name.split("+")[2], folder.name.split("+")[3]}
            found[name].add((folder / "timestamp.txt").read_text().strip())
            found[name].add((folder / "submission_secret.txt").read_text().strip())
        sheet = json.loads((course.folder(name, PATH) / "peerkit-answers.json").read_text())
        found[name] |= {answer["updated"] for answer in sheet["answers"].values()}
    return found


def test_no_packet_byte_identifies_anybody(review_course: CourseLayout, store: SqlStore) -> None:
    for name in LEARNERS:
        review_course.enroll(name)
        session = open_path(PATH, folder=review_course.folder(name, PATH), config=review_course.learner_config(name))
        session.save("story", "text", f"I am {name.upper()} and my colleague taught me the catalogue.")
        session.save("lesson", "text", f"Write to {name}@example.org if you want the slides, said {name}.")
        session.submit()
    collect_and_ingest(review_course.course_config(), store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=3)

    channels = review_course.workspace.exchange / review_course.course.id / CHANNELS
    files = [p for p in channels.rglob("*") if p.is_file()]
    assert len(files) == len(LEARNERS) * (1 + 3 + 1)  # a manifest, three packets and one's own, each
    peer_packets = 0
    for file in files:
        data = file.read_bytes().lower()
        doc = json.loads(data)
        if doc.get("kind") == "self":
            continue  # the learner's own answers, in their own channel
        for name, marks in identifiers(review_course).items():
            for mark in marks:
                assert mark.lower().encode() not in data, f"{file.name} names {name} through {mark!r}"
        assert b"updated" not in data and b"revision" not in data and b"submitted" not in data
        assert "author" not in file.name and doc.get("author") is None if "author" in doc else True
        if doc.get("format") == "peerkit-packet":
            peer_packets += 1
            assert REDACTED.encode() in file.read_bytes()  # the author's self-mention was replaced
    assert peer_packets == len(LEARNERS) * 3
    for folder in channels.iterdir():
        for name in LEARNERS:
            assert name not in folder.name


def test_open_anonymity_names_the_author_on_purpose(review_course: CourseLayout) -> None:
    from peerkit.core.answers import Answer, AnswerSheet
    from peerkit.core.packets import build_packet

    sheet = AnswerSheet(path=PATH).with_answer("story", Answer.make("text", "hi"))
    named = build_packet(
        token="t", path_id=PATH, path_title="E", kind="peer", sheet=sheet, questions={}, author="ana", anonymity="open"
    )
    blind = build_packet(token="t", path_id=PATH, path_title="E", kind="peer", sheet=sheet, questions={}, author="ana")
    assert named["author"] == "ana" and blind["author"] is None


def submitted_and_opened(review_course: CourseLayout, store: SqlStore, learners: Sequence[str]) -> None:
    """Each of *learners* submits the path, and its round opens."""
    for name in learners:
        review_course.enroll(name)
        session = open_path(PATH, folder=review_course.folder(name, PATH), config=review_course.learner_config(name))
        session.save("story", "text", "x")
        session.submit()
    collect_and_ingest(review_course.course_config(), store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=3)


def test_channels_folder_is_not_listable_by_others(review_course: CourseLayout, store: SqlStore) -> None:
    submitted_and_opened(review_course, store, LEARNERS[:4])
    root = review_course.workspace.exchange / review_course.course.id / CHANNELS
    assert root.stat().st_mode & 0o777 == 0o711
    assert all(Path(p).stat().st_mode & 0o777 == 0o755 for p in root.iterdir())


def test_a_reviewers_packets_are_not_listed_in_their_authors_order(
    review_course: CourseLayout, store: SqlStore
) -> None:
    """The store sorts a reviewer's assignments by author; listed that way, "Submission 1 of 3" told a
    reviewer who knows the cohort which classmate wrote it (in a round of k + 1, exactly). Packets are
    listed as given, then by their random token (without the fix, this fails but once in 6**6 runs)."""
    submitted_and_opened(review_course, store, LEARNERS)
    keys = store.channel_keys(PATH)
    root = review_course.workspace.exchange / review_course.course.id / CHANNELS
    for name in LEARNERS:
        listed = json.loads((root / keys[name] / f"round-{PATH}.json").read_text())["packets"]
        authors = {a.token: a.author for a in store.assignments(PATH, reviewers=[name])}
        assert set(listed) == set(authors) and len(listed) == 3
        assert listed == sorted(listed), f"{name}'s packets are listed by author: {[authors[t] for t in listed]}"
