"""One learner's broken or hostile submission never spoils an ingest.

Each example ingests two collected folders: ana's, always the same good answer sheet, and bo's,
fuzzed (its answers file any bytes, JSON nested thousands deep or an answer sheet of any shape,
its timestamp any text, its submission secret any bytes or far too many). The ingest finishes,
ana's submission is stored as she wrote it, bo is either stored with his own answers (never with
ana's review channel) or reported as a problem of his, and nobody else's record moves.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerkit.core.answers import FILENAME, Answer, AnswerSheet
from peerkit.nbgrader.ingest import IngestReport, ingest
from peerkit.storage.sql import SqlStore
from tests.fuzzing import (
    DEEP,
    FUZZ_SLOW,
    answer_ids,
    answer_values,
    hostile_text,
    json_values,
    kind_names,
    small_files,
    times,
)

PATH = "essay"
STAMP = "2026-11-05 09:00:00.000000 UTC"
ANA_SECRET = b"a" * 128
ANA = AnswerSheet(
    path=PATH,
    answers={
        "story": Answer.make("text", "I learned filing from a colleague.", updated="2026-11-05T09:00:00Z"),
        "me": Answer.make("profile", {"know": ["filing"], "notes": "ask me"}, updated="2026-11-05T09:00:00Z"),
    },
)


def as_bytes(doc: Any) -> bytes:
    try:
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates travel escaped
        return json.dumps(doc).encode()


sheets = st.fixed_dictionaries(
    {"format": st.just("peerkit-answers"), "version": st.sampled_from([1, 1, 1, 2])},
    optional={
        "path": st.one_of(st.just(PATH), hostile_text),
        "revision": st.one_of(st.integers(min_value=-1), json_values),
        "answers": st.dictionaries(
            answer_ids,
            st.fixed_dictionaries({"kind": kind_names, "value": answer_values, "updated": times}),
            max_size=4,
        ),
    },
).map(as_bytes)
bo_files = st.one_of(
    sheets, st.binary(max_size=200), st.sampled_from([d.encode() for d in DEEP]), json_values.map(as_bytes)
)
stamps = st.one_of(
    st.just(STAMP),
    st.sampled_from(["", "not a time", "9999-12-31 23:59:59 UTC", "0001-01-01", "2026-11-05 09:00 +99:00", "1e400"]),
    hostile_text,
)


def write_folder(
    root: Path, learner: str, data: bytes | None, *, stamp: str = STAMP, secret: bytes | None = None
) -> Path:
    folder = root / "submitted" / learner / PATH
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8", errors="surrogatepass")
    if secret is not None:
        (folder / "submission_secret.txt").write_bytes(secret)
    if data is not None:
        (folder / FILENAME).write_bytes(data)
    return folder


def everyone_but_bo(store: SqlStore) -> list[tuple[str, str, str]]:
    return sorted(
        (s.learner, s.submitted_at.isoformat(), s.sheet.to_json()) for s in store.submissions(PATH) if s.learner != "bo"
    )


def ingest_with(store: SqlStore, bo: bytes | None, stamp: str = STAMP, secret: bytes | None = None) -> IngestReport:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_folder(root, "ana", ANA.to_json().encode(), secret=ANA_SECRET)
        write_folder(root, "bo", bo, stamp=stamp, secret=secret)
        return ingest(store, root, PATH, required=["story"])


def check_only_bo_suffered(store: SqlStore, report: IngestReport, before: list[tuple[str, str, str]]) -> None:
    assert everyone_but_bo(store) == before, "another learner's submission changed"
    assert [p.folder for p in report.problems] in ([], ["bo"]), report.problems
    for problem in report.problems:
        assert problem.reason and len(problem.reason) <= 800, problem
    ana = store.submission("ana", PATH)
    assert ana is not None and ana.sheet.answers == ANA.answers


@FUZZ_SLOW
@given(bo=bo_files, stamp=stamps, secret=st.one_of(st.none(), small_files))
def test_one_learners_fuzzed_submission_spoils_nothing_else(
    store: SqlStore, bo: bytes, stamp: str, secret: bytes | None
) -> None:
    ingest_with(store, None)
    before = everyone_but_bo(store)
    check_only_bo_suffered(store, ingest_with(store, bo, stamp, secret), before)
    keys = store.channel_keys(PATH)
    assert keys.get("bo") != keys["ana"], "bo was given ana's review channel"


def test_folders_that_are_not_submissions_are_reported(store: SqlStore, tmp_path: Path) -> None:
    """A directory or a link where the answers file should be, a learner folder named like no learner."""
    write_folder(tmp_path, "ana", ANA.to_json().encode())
    (write_folder(tmp_path, "bo", None) / FILENAME).mkdir()
    os.symlink("/etc/passwd", write_folder(tmp_path, "cy", None) / FILENAME)
    write_folder(tmp_path, "Dee Dee", ANA.to_json().encode())
    write_folder(tmp_path, "eli\u202e", ANA.to_json().encode())
    report = ingest(store, tmp_path, PATH, required=["story"])
    assert sorted(p.folder for p in report.problems) == ["Dee Dee", "bo", "cy", "eli\u202e"]
    assert [s.learner for s in store.submissions(PATH)] == ["ana"]


@pytest.mark.parametrize("bo", [d.encode() for d in DEEP] + [b"1" * 5000, b"\xff\xfe", b"[NaN]"])
def test_deep_or_huge_files_are_that_learners_problem(store: SqlStore, bo: bytes) -> None:
    ingest_with(store, None)
    before = everyone_but_bo(store)
    report = ingest_with(store, bo)
    check_only_bo_suffered(store, report, before)
    assert [p.folder for p in report.problems] == ["bo"] and FILENAME in report.problems[0].reason
