"""Peer grades into nbgrader's gradebook, and feedback out through nbgrader's own release and fetch.

nbgrader knows a submission's cells only after ``autograde``; peerkit runs it without executing
the notebooks (``Execute.enabled = False``: the answers are in the answers file, not in outputs),
then writes the peer grade as manual scores on the path's task cells, in proportion to each
cell's points, and the peers' comments as the comment of the first task cell. ``generate_feedback``
and ``release_feedback`` then work as for any nbgrader course, and each learner fetches their own.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from peerkit.core.errors import ExchangeError
from peerkit.nbgrader.config import ensure_scripts_on_path
from peerkit.nbgrader.learner import assignment_folder
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app

POINTER = "The peer review of this path, with every reviewer's comments, is on the first activity."


@dataclass(frozen=True, slots=True)
class PeerGrade:
    """What to write for one learner: the share of the rubric's points (None: no grade) and a comment."""

    fraction: float | None
    comment: str


def task_score(fraction: float, points: float) -> float:
    """The manual score of one task cell worth *points* for a peer grade of *fraction* of the rubric
    (exports add these up to match the gradebook exactly)."""
    return round(fraction * points, 2)


def _with(config: Config, extra: dict[str, dict[str, object]]) -> Config:
    merged = Config(config)
    merged.merge(Config(extra))
    return merged


def autograde_without_running(config: Config, path_id: str, *, students: Sequence[str] | None = None) -> None:
    """nbgrader autograde of *path_id* for every collected submission (or *students*), no kernels run."""
    ensure_scripts_on_path()
    cfg = _with(config, {"Execute": {"enabled": False}})
    from nbgrader.converters import Autograde

    for student in students or ["*"]:
        parts = make_parts(cfg, assignment_id=path_id, student_id=student)
        app = Autograde(coursedir=parts.coursedir, config=cfg)
        app.force = True
        with warnings.catch_warnings():
            # nbgrader 0.9.6 builds gradebook rows in a way SQLAlchemy 2 warns about ("Object of
            # type <SubmittedAssignment> not in session"); the rows are written correctly.
            warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")
            run_app(app, f"autograde {path_id}")


def write_peer_grades(
    config: Config, path_id: str, tasks: Sequence[tuple[str, float]], grades: Mapping[str, PeerGrade]
) -> None:
    """Manual scores and comments on the task cells of *path_id* for each learner in *grades*."""
    ensure_scripts_on_path()
    parts = make_parts(config, assignment_id=path_id)
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(parts.coursedir.db_url, parts.coursedir.course_id) as gradebook:
        for learner, grade in grades.items():
            for number, (cell, points) in enumerate(tasks):
                try:
                    score = gradebook.find_grade(cell, path_id, path_id, learner)
                    comment = gradebook.find_comment(cell, path_id, path_id, learner)
                except MissingEntry as exc:
                    raise ExchangeError(
                        f"the gradebook has no {cell!r} of {learner!r} in {path_id!r}: was the submission autograded?",
                        operation="write grades",
                    ) from exc
                if grade.fraction is not None:
                    score.manual_score = task_score(grade.fraction, points)
                    score.needs_manual_grade = False
                comment.manual_comment = grade.comment if number == 0 else POINTER
        gradebook.db.commit()


def generate_feedback(config: Config, path_id: str, students: Sequence[str]) -> None:
    """nbgrader generate_feedback for *students*: the HTML that release_feedback hands out."""
    from nbgrader.converters import GenerateFeedback

    for student in students:
        parts = make_parts(config, assignment_id=path_id, student_id=student)
        app = GenerateFeedback(coursedir=parts.coursedir, config=config)
        app.force = True
        run_app(app, f"generate_feedback {path_id} for {student}")


def release_feedback(config: Config, path_id: str, students: Sequence[str]) -> None:
    for student in students:
        parts = make_parts(config, assignment_id=path_id, student_id=student)
        run_app(parts.step("ReleaseFeedback"), f"release_feedback {path_id} for {student}")


def fetch_feedback(config: Config, path_id: str, *, assignment_dir: Path, learner: str) -> list[Path]:
    """The learner's side: nbgrader fetch_feedback; return the feedback HTML files now in their folder."""
    cfg = _with(config, {"Exchange": {"assignment_dir": str(assignment_dir)}})
    parts = make_parts(cfg, assignment_id=path_id, student_id=learner)
    run_app(parts.step("FetchFeedback"), f"fetch_feedback {path_id}")
    return sorted((assignment_folder(config, assignment_dir, path_id) / "feedback").glob("*/*.html"))
