"""Export shapes on the seeded cohort: pseudonyms unless asked, formulas defused, the round complete."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

from peerkit.facilitator.data import path_records
from peerkit.facilitator.export import grades_csv, reviews_csv, round_json, safe_cell
from tests.facilitator.conftest import PATH, Seeded


def test_reviews_csv_is_pseudonymous_unless_asked(seeded: Seeded) -> None:
    records = path_records(seeded.store, seeded.course, seeded.course.path(PATH))
    everyone = [lrn.name for lrn in seeded.store.learners()]
    rows = list(csv.DictReader(io.StringIO(reviews_csv(seeded.course, records, everyone))))
    assert len(rows) == 4 and all(r["reviewer"].startswith("L-") and r["author"].startswith("L-") for r in rows)
    flagged = [r for r in rows if r["flagged"] == "yes"]
    assert len(flagged) == 1 and flagged[0]["flag reason"] == "Unkind" and flagged[0]["helpful (1-5)"] == "1"
    assert {r["clear"] for r in rows} == {"0", "1", "2"} and {r["comment words"] for r in rows} == {"10"}
    named = list(csv.DictReader(io.StringIO(reviews_csv(seeded.course, records, everyone, names=True))))
    assert {r["reviewer"] for r in named} == {"ana", "cy", "dee"}


def test_round_json_holds_the_whole_round(seeded: Seeded) -> None:
    records = path_records(seeded.store, seeded.course, seeded.course.path(PATH))
    doc = json.loads(round_json(seeded.course, records, [lrn.name for lrn in seeded.store.learners()]))
    assert doc["format"] == "peerkit-round-export" and doc["round"]["per_submission"] == 2
    assert (len(doc["submissions"]), len(doc["assignments"]), len(doc["reviews"]), len(doc["ratings"])) == (4, 7, 4, 2)
    assert len(doc["grades"]) == 4 and doc["grades"][0]["provisional"] is True
    # Which method graded each criterion, and why, at the round's level and in each criterion grade.
    assert [m["criterion"] for m in doc["grading"]] == [c.id for c in seeded.course.rubric_for(PATH).criteria]
    assert all(m["method"] in ("median", "calibrated") and m["why"].startswith(m["method"]) for m in doc["grading"])
    graded = [g for g in doc["grades"] if g["method"] != "facilitator"]
    assert all(c["method"] == doc["grading"][0]["method"] for c in graded[0]["criteria"].values())
    # Submissions' metadata only: how many answers, never the answers themselves.
    assert [sorted(s) for s in doc["submissions"]] == [["answers", "learner", "submitted_at"]] * 4
    assert [s["answers"] for s in doc["submissions"]] == [2, 2, 2, 2]
    text = json.dumps(doc)
    assert not any(f'"{name}"' in text for name in ("ana", "bo", "cy", "dee"))
    assert "seed" not in doc["round"]  # the seed would undo the pseudonyms


def test_grades_csv_before_grading_has_empty_cells(seeded: Seeded) -> None:
    records = path_records(seeded.store, seeded.course, seeded.course.path(PATH))
    rows = list(csv.reader(io.StringIO(grades_csv(seeded.course, [records], lms="moodle"))))
    assert rows[0] == ["Username", "An essay"] and [r[0] for r in rows[1:]] == ["ana", "bo", "cy", "dee"]


def test_cells_never_start_a_formula() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("-1") == "'-1" and safe_cell("fine") == "fine"


def test_a_path_without_task_points_exports_the_rubrics_total_not_zero(seeded: Seeded, tmp_path: Path) -> None:
    """A path whose task cells carry no points has nothing in nbgrader's gradebook: its grades are on the
    rubric's 4 everywhere, and the export said "0" possible and 0 for everyone (the feedback said 3 / 4)."""
    path = seeded.course.path(PATH)
    notebook = json.loads(path.notebook.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell.get("metadata", {}).get("nbgrader", {}).pop("points", None)
    (tmp_path / "bare.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    course = replace(seeded.course, paths=(replace(path, notebook=tmp_path / "bare.ipynb"),))
    graded = path_records(seeded.store, course, course.path(PATH))
    assert graded.grades  # provisional: the round is open
    rows = list(csv.reader(io.StringIO(grades_csv(course, [graded]))))
    assert rows[1][5] == "4"  # points possible: the rubric's total
    by_learner = {r[3]: r[5] for r in rows[2:]}
    expected = {g.author: "" if g.final_points is None else f"{g.final_points:g}" for g in graded.grades}
    assert by_learner == expected and any(expected.values()) and "0" not in by_learner.values()
    document = json.loads(round_json(course, graded, [lrn.name for lrn in seeded.store.learners()], names=True))
    assert {g["author"]: g["gradebook_points"] for g in document["grades"]} == {
        g.author: g.final_points for g in graded.grades
    }


def test_exports_remove_every_name_the_course_knows_from_comments(seeded: Seeded) -> None:
    """Comments lost only learner ids: a reviewer who signed with the name in their profile, or a comment
    naming a classmate by their gradebook name, reached whoever was given the pseudonymous export."""
    from datetime import UTC, datetime

    from peerkit.core.answers import Answer, AnswerSheet
    from peerkit.core.redaction import Person
    from peerkit.core.review import NewReview
    from peerkit.core.rubric import ReviewContent
    from peerkit.core.store import NewSubmission
    from peerkit.facilitator.export import export_reviews, export_round

    at = datetime(2026, 11, 5, tzinfo=UTC)
    profile = Answer.make("profile", {"name": "Benji", "know": ["catalogues"]})
    seeded.store.record_submissions(
        [NewSubmission("bo", "about", at, AnswerSheet(path="about").with_answer("about-me", profile))]
    )
    [open_one] = [a for a in seeded.store.assignments(PATH) if (a.reviewer, a.author) == ("bo", "ana")]
    signed = ReviewContent(
        scores={"clear": 1, "grounded": 2},
        comments={"strengths": "Vivid, as Dana Moss said in class.", "suggestion": "Add a date. — Benji"},
    )
    seeded.store.record_reviews(PATH, [NewReview("bo", open_one.token, signed, at)])
    people = {"dee": Person("dee", "Dana", "Moss")}  # the gradebook's names
    for text in (
        export_reviews(seeded.store, seeded.course, PATH, people=people),
        export_round(seeded.store, seeded.course, PATH, people=people),
    ):
        assert "Benji" not in text and "Dana" not in text and "Moss" not in text
        assert "Add a date. — [name]" in text
    named = export_reviews(seeded.store, seeded.course, PATH, names=True, people=people)
    assert "— Benji" in named  # asked for names: the text as written
