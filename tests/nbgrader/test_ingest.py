"""Ingest of a real nbgrader collect: several learners, resubmissions, and bad or hostile ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from peerkit.core.answers import FILENAME
from peerkit.core.completeness import Completeness
from peerkit.nbgrader.ingest import NotComplete, collect_and_ingest, ingest
from peerkit.storage.sql import SqlStore
from peerkit.widgets.context import open_path
from tests.conftest import CourseLayout

PATH = "alpha"


def submit(course: CourseLayout, learner: str, **answers: str) -> Path:
    """Enroll, answer through the widgets' own session, submit; return the inbound folder."""
    if not course.folder(learner, PATH).exists():
        course.enroll(learner)
    session = open_path(PATH, folder=course.folder(learner, PATH), config=course.learner_config(learner))
    for key, text in answers.items():
        assert session.save(key, "text", text).ok
    submission = session.submit()
    return course.inbound() / submission.inbound_name


def forge(course: CourseLayout, template: Path, name: str, answers: bytes | None) -> None:
    """A hand-made inbound entry, as anybody could drop into nbgrader's world-writable inbound."""
    stamp = template.name.split("+")[2]
    target = course.inbound() / f"{name}+{PATH}+{stamp}+forged"
    shutil.copytree(template, target)
    if answers is None:
        (target / FILENAME).unlink()
    else:
        (target / FILENAME).write_bytes(answers)


def test_collect_and_ingest_reports_each_bad_learner_and_keeps_the_rest(course: CourseLayout, store: SqlStore) -> None:
    alice = submit(course, "alice", first="Alice's first answer", second="more")
    submit(course, "bob", first="Bob's answer")
    submit(course, "zoë", first="Ünïcödé is fine")
    forge(course, alice, "carol", b"{ this is not json")
    forge(
        course,
        alice,
        "dave",
        json.dumps(
            {
                "format": "peerkit-answers",
                "version": 1,
                "path": PATH,
                "answers": {"first": {"kind": "text", "value": "x" * 5_000_000, "updated": "2026-11-22T10:00:00Z"}},
            }
        ).encode(),
    )
    forge(
        course,
        alice,
        "erin",
        json.dumps(
            {
                "format": "peerkit-answers",
                "version": 1,
                "path": PATH,
                "answers": {"first": {"kind": "text", "value": 42, "updated": "2026-11-22T10:00:00Z"}},
            }
        ).encode(),
    )
    forge(course, alice, "finn", None)  # submitted without answering anything
    forge(course, alice, "eve smith", b"{}")
    forge(course, alice, "<script>", b"{}")

    report = collect_and_ingest(course.course_config(), store, PATH)

    assert report.counts == {"added": 4}
    assert sorted(s.learner for s in store.submissions(PATH)) == ["alice", "bob", "finn", "zoë"]
    assert store.submission("finn", PATH).sheet.answers == {}  # type: ignore[union-attr]
    reasons = {p.folder: p.reason for p in report.problems}
    assert set(reasons) == {"carol", "dave", "erin", "eve smith", "<script>"}
    assert "not valid JSON" in reasons["carol"]
    assert "over the limit" in reasons["dave"]
    assert "expected text" in reasons["erin"]
    assert "unsafe learner name" in reasons["eve smith"] and "unsafe learner name" in reasons["<script>"]


def test_ingest_is_idempotent_and_keeps_history(course: CourseLayout, store: SqlStore) -> None:
    submit(course, "alice", first="draft one")
    config = course.course_config()
    assert collect_and_ingest(config, store, PATH).counts == {"added": 1}
    assert collect_and_ingest(config, store, PATH).counts == {"unchanged": 1}
    submit(course, "alice", first="draft two")
    assert collect_and_ingest(config, store, PATH).counts == {"replaced": 1}
    history = store.history("alice", PATH)
    assert [h.sheet.get("first").value for h in history] == ["draft two", "draft one"]  # type: ignore[union-attr]


def test_a_broken_resubmission_loses_nothing_already_stored(course: CourseLayout, store: SqlStore) -> None:
    submit(course, "bob", first="Bob's good answer")
    config = course.course_config()
    collect_and_ingest(config, store, PATH)
    folder = course.folder("bob", PATH)
    (folder / FILENAME).write_text("garbage written by a broken tool")
    shutil.copy(folder / FILENAME, folder / "keep.txt")
    from peerkit.nbgrader.learner import submit as nb_submit

    nb_submit(course.learner_config("bob"), folder, learner="bob")
    report = collect_and_ingest(config, store, PATH)
    assert report.ingested == 0 and [p.folder for p in report.problems] == ["bob"]
    assert store.submission("bob", PATH).sheet.get("first").value == "Bob's good answer"  # type: ignore[union-attr]


def test_answers_file_that_is_a_link_is_refused(course: CourseLayout, store: SqlStore, tmp_path: Path) -> None:
    submit(course, "gus", first="fine")
    collected = course.workspace.course_root / "submitted" / "gus" / PATH
    from peerkit.nbgrader.collect import collect

    collect(course.course_config(), PATH)
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    (collected / FILENAME).unlink()
    (collected / FILENAME).symlink_to(secret)
    report = ingest(store, course.workspace.course_root, PATH)
    assert report.problems and "is a link" in report.problems[0].reason


@pytest.mark.parametrize("progress_calls", [True])
def test_progress_is_reported_per_folder(course: CourseLayout, store: SqlStore, progress_calls: bool) -> None:
    for name in ("h1", "h2", "h3"):
        submit(course, name, first=name)
    seen: list[tuple[int, int]] = []
    collect_and_ingest(course.course_config(), store, PATH, progress=lambda done, total: seen.append((done, total)))
    # collect reports its copies first, then ingest counts its folders from 0
    assert seen[-4:] == [(0, 3), (1, 3), (2, 3), (3, 3)] and seen[0] == (0, 3)


def test_channel_keys_come_from_each_submissions_secret(course: CourseLayout, store: SqlStore) -> None:
    from peerkit.core.review import channel_key

    submit(course, "ivy", first="x")
    collect_and_ingest(course.course_config(), store, PATH)
    secret = (course.workspace.course_root / "submitted" / "ivy" / PATH / "submission_secret.txt").read_text()
    assert store.channel_keys(PATH) == {"ivy": channel_key(PATH, secret)}
    assert channel_key(PATH, "not a secret") is None


def test_each_submission_is_checked_against_the_paths_required_answers(course: CourseLayout, store: SqlStore) -> None:
    alice = submit(course, "alice", first="all of it", second="and more")
    submit(course, "bob", first="only the first")
    submit(course, "cara", first="  ", second="")  # saved, but blank
    forge(course, alice, "finn", None)  # submitted before answering: no answers file at all

    report = collect_and_ingest(course.course_config(), store, PATH)

    assert report.counts == {"added": 4}
    states = {s.learner: (s.status, s.blank) for s in store.submissions(PATH)}
    assert states == {
        "alice": ("complete", 0),
        "bob": ("incomplete", 1),
        "cara": ("no-answers", 2),
        "finn": ("no-answers", 2),
    }
    gaps = {gap.learner: gap.describe() for gap in report.not_complete}
    assert set(gaps) == {"bob", "cara", "finn"}
    assert gaps["bob"] == "bob submitted with 1 required answer blank (1 of 2 complete; blank: second)"
    assert gaps["finn"] == "finn submitted without any answers"
    assert report.summary() == f"{PATH}: 4 added, 1 with blank answers, 2 without answers"
    rows = {r.learner: (r.status, r.blank) for r in store.overview([PATH])}
    assert rows == states


def test_required_answers_can_be_given_and_a_later_ingest_rechecks(course: CourseLayout, store: SqlStore) -> None:
    submit(course, "dora", first="just this")
    collect_and_ingest(course.course_config(), store, PATH)
    assert store.submission("dora", PATH).status == "incomplete"  # type: ignore[union-attr]
    report = ingest(store, course.workspace.course_root, PATH, required=["first"])
    assert report.counts == {"unchanged": 1} and report.not_complete == ()
    assert store.submission("dora", PATH).status == "complete"  # type: ignore[union-attr]


def test_not_complete_names_the_blank_answers_as_blank() -> None:
    """The message once read "(2 of 5 answers complete: a, b, c)" listing the three blank ones as if complete."""
    state = Completeness("incomplete", 5, ("peer-moment", "share-from-peers", "project-setting"))
    assert NotComplete("sam", PATH, state).describe() == (
        "sam submitted with 3 required answers blank (2 of 5 complete; blank: peer-moment, share-from-peers, "
        "project-setting)"
    )


SECRET = "0123456789abcdef" * 8  # nbgrader's: 128 hex digits


def submitted(root: Path, learner: str, secret: str | None = SECRET) -> Path:
    """A collected folder as nbgrader leaves it: a timestamp, a secret, an answers file."""
    folder = root / "submitted" / learner / PATH
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-11-05 09:00:00.000000 UTC")
    if secret is not None:
        (folder / "submission_secret.txt").write_text(secret)
    answers = {"format": "peerkit-answers", "version": 1, "path": PATH, "answers": {}}
    (folder / FILENAME).write_text(json.dumps(answers))
    return folder


def secret_link(root: Path, target: Path) -> Path:
    folder = submitted(root, "bo", secret=None)
    (folder / "submission_secret.txt").symlink_to(target)
    return folder


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda root: submitted(root, "bo", secret="f" * (20 * 1024 * 1024)), "over 1024 bytes"),
        (lambda root: secret_link(root, root / "submitted" / "ana" / PATH / "submission_secret.txt"), "a link"),
        (lambda root: secret_link(root, Path("/etc/passwd")), "a link"),
    ],
)
def test_a_submission_secret_that_is_huge_or_a_link_is_that_learners_problem(
    store: SqlStore, tmp_path: Path, make: Any, said: str
) -> None:
    """The secret names the learner's review channel: one borrowed through a link (a classmate's)
    would share that classmate's channel, and one of 20 MB was read whole. Each is refused and
    reported with the file named; everyone else is ingested as before."""
    submitted(tmp_path, "ana")
    make(tmp_path)
    report = ingest(store, tmp_path, PATH, required=[])
    assert [(p.folder, said in p.reason, "submission_secret.txt" in p.reason) for p in report.problems] == [
        ("bo", True, True)
    ], report.problems
    assert [s.learner for s in store.submissions(PATH)] == ["ana"]
