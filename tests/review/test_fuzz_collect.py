"""One learner's broken or hostile review file never spoils a round.

A seeded round (see tests/facilitator/conftest.py: bo and dee have open assignments) is collected
again and again: bo's folder always holds the same good reviews, dee's a fuzzed file (any bytes,
JSON nested thousands deep, or an answer sheet of reviews and ratings of every shape). Each collect
finishes; bo's reviews are recorded as written; dee's file is either recorded as their own reviews
and ratings or reported as dee's problem; nobody else's reviews or ratings change.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.models import Course
from peerkit.review.collect import ReviewReport, ingest_reviews
from peerkit.storage.sql import SqlStore
from tests.facilitator.conftest import PATH, seed, token
from tests.fuzzing import DEEP, FUZZ_SLOW, big_numbers, hostile_text, json_values, kind_names, records

REVIEW_ID = f"{PATH}-review"
STAMP = "2026-11-05 09:00:00.000000 UTC"
GOOD_COMMENTS = {"strengths": "the opening scene is vivid and clear", "suggestion": "add the date it happened please"}
BO_TOKENS = [token("bo", "ana"), token("bo", "dee")]
DEE_TOKENS = [token("dee", "ana")]
TOKENS = [*BO_TOKENS, *DEE_TOKENS, token("cy", "dee"), token("ana", "bo"), "0" * 32, "None"]


def good_review(packet: str) -> dict[str, Any]:
    return {"packet": packet, "scores": {"clear": 2, "grounded": 2}, "comments": GOOD_COMMENTS}


def write_folder(root: Path, learner: str, data: bytes | None, *, stamp: str = STAMP) -> None:
    folder = root / "submitted" / learner / REVIEW_ID
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text(stamp)
    if data is not None:
        (folder / "peerkit-answers.json").write_bytes(data)


def bo_sheet() -> bytes:
    answers = {f"r-{t}": Answer.make("review", good_review(t), updated="2026-11-05T09:00:00Z") for t in BO_TOKENS}
    return AnswerSheet(path=REVIEW_ID, answers=answers).to_json().encode()


review_values = st.fixed_dictionaries(
    {},
    optional={
        "packet": st.one_of(st.sampled_from(TOKENS), hostile_text),
        "scores": st.dictionaries(
            st.sampled_from(["clear", "grounded", "zz"]), st.one_of(big_numbers, st.sampled_from([0, 1, 2])), max_size=3
        ),
        "comments": st.dictionaries(
            st.sampled_from(["strengths", "suggestion", "question", "x"]), hostile_text, max_size=3
        ),
    },
)
rating_values = st.fixed_dictionaries(
    {},
    optional={
        "review": st.one_of(st.sampled_from(TOKENS), hostile_text),
        "helpful": st.one_of(st.integers(min_value=-1, max_value=7), st.none()),
        "note": hostile_text,
        "flag": st.booleans(),
        "reason": hostile_text,
    },
)
dee_answers = st.dictionaries(
    st.one_of(
        st.sampled_from([f"r-{t}" for t in TOKENS] + [f"h-{t}" for t in TOKENS] + ["self", "story"]), hostile_text
    ),
    st.fixed_dictionaries(
        {
            "kind": st.one_of(st.sampled_from(["review", "rating"]), kind_names),
            "value": st.one_of(review_values, rating_values, records, json_values),
            "updated": st.sampled_from(["2026-11-05T09:00:00Z", "yesterday"]),
        }
    ),
    max_size=4,
)


def as_bytes(doc: Any) -> bytes:
    try:
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates travel escaped
        return json.dumps(doc).encode()


dee_files = st.one_of(
    dee_answers.map(lambda a: as_bytes({"format": "peerkit-answers", "version": 1, "path": REVIEW_ID, "answers": a})),
    st.binary(max_size=200),
    st.sampled_from([d.encode() for d in DEEP]),
    json_values.map(as_bytes),
)


@pytest.fixture
def seeded_round(store: SqlStore, tmp_path: Path) -> tuple[SqlStore, Course]:
    from peerkit.config.course import load_course
    from tests.conftest import write_review_course

    course = load_course(write_review_course(tmp_path / "src"))
    seed(store, course)
    return store, course


def others(store: SqlStore) -> tuple[list[Any], list[Any]]:
    """Everything in the round that is not dee's: reviews by others, ratings by others."""
    reviews = sorted(
        (r.reviewer, r.author, r.token or "", json.dumps(dict(r.content.scores), sort_keys=True), r.current)
        for r in store.reviews(PATH, current_only=False)
        if r.reviewer != "dee"
    )
    ratings = sorted((r.rater, r.token, r.helpful, r.note) for r in store.ratings(PATH) if r.rater != "dee")
    return reviews, ratings


def collect_with(store: SqlStore, course: Course, dee: bytes | None) -> ReviewReport:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_folder(root, "bo", bo_sheet())
        write_folder(root, "dee", dee)
        return ingest_reviews(store, course, root, PATH)


@FUZZ_SLOW
@given(dee=dee_files)
@example(
    dee=as_bytes(
        {
            "format": "peerkit-answers",
            "version": 1,
            "path": REVIEW_ID,
            "answers": {"h-None": {"kind": "rating", "value": {"helpful": 3}, "updated": "2026-11-05T09:00:00Z"}},
        }
    )
)
@example(
    dee=as_bytes(
        {
            "format": "peerkit-answers",
            "version": 1,
            "path": REVIEW_ID,
            "answers": {
                f"r-{BO_TOKENS[0]}": {
                    "kind": "review",
                    "value": good_review(BO_TOKENS[0]),
                    "updated": "2026-11-05T09:00:00Z",
                }
            },
        }
    )
)
@example(
    dee=as_bytes(
        {
            "format": "peerkit-answers",
            "version": 1,
            "path": REVIEW_ID,
            "answers": {
                f"h-{token('ana', 'bo')}": {
                    "kind": "rating",
                    "value": {"review": token("ana", "bo"), "helpful": 1},
                    "updated": "2026-11-05T09:00:00Z",
                }
            },
        }
    )
)
def test_one_learners_fuzzed_review_file_spoils_nothing_else(seeded_round: tuple[SqlStore, Course], dee: bytes) -> None:
    store, course = seeded_round
    collect_with(store, course, None)  # bo's good reviews are in; dee submitted nothing readable
    before = others(store)
    report = collect_with(store, course, dee)
    assert others(store) == before, "another learner's reviews or ratings changed"
    assert not [p for p in report.problems + report.unfinished if p.learner != "dee"], report
    recorded = {(r.reviewer, r.token) for r in store.reviews(PATH) if r.current}
    assert {("bo", t) for t in BO_TOKENS} <= recorded
    assert {t for reviewer, t in recorded if reviewer == "dee"} <= {*DEE_TOKENS, token("dee", "cy")}
    for problem in report.problems:
        assert problem.reason and len(problem.reason) <= 800, problem


@pytest.mark.parametrize("dee", [d.encode() for d in DEEP] + [b"\xff\xfe", b"1" * 5000, b""])
def test_a_file_that_is_not_json_is_reported_as_that_learners_problem(
    seeded_round: tuple[SqlStore, Course], dee: bytes
) -> None:
    store, course = seeded_round
    report = collect_with(store, course, dee)
    assert [p.learner for p in report.problems] == ["dee"] and "peerkit-answers.json" in report.problems[0].reason
    assert report.counts.get("added") == 2
