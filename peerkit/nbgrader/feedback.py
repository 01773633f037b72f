"""Peer grades into nbgrader's gradebook, and feedback out through nbgrader's own release and fetch.

nbgrader knows a submission's cells only after ``autograde``; peerkit runs it without executing
the notebooks (``Execute.enabled = False``: the answers are in the answers file, not in outputs),
then writes the peer grade as manual scores on the path's task cells, in proportion to each
cell's points, and the peers' comments as the comment of the first task cell. ``generate_feedback``
and ``release_feedback`` then work as for any nbgrader course, and each learner fetches their own.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.core.errors import ExchangeError
from peerkit.core.progress import Progress
from peerkit.nbgrader.config import ensure_scripts_on_path, get
from peerkit.nbgrader.learner import assignment_folder
from peerkit.nbgrader.parts import Parts, make_parts
from peerkit.nbgrader.run import run_app

POINTER = "The peer review of this path, with every reviewer's comments, is on the first activity."


@dataclass(frozen=True, slots=True)
class PeerGrade:
    """What to write for one learner: the share of the rubric's points (None: no grade) and a comment."""

    fraction: float | None
    comment: str


def task_scores(fraction: float, points: Sequence[float]) -> list[float]:
    """The manual scores of task cells worth *points* for a peer grade of *fraction* of the rubric.

    The path's share, ``round(fraction * sum(points), 2)``, is apportioned in hundredths by the
    largest remainder: each cell gets its exact share rounded down, and the hundredths left go to
    the cells whose shares lost most. The cells then add up to the path's share (4/6 of 4+4+4 is
    2.67 + 2.67 + 2.66 = 8, where rounding each cell made 8.01), each is within 0.01 of its exact
    share and none above its points. Exports and the learner's feedback add these up, so that they
    say what the gradebook says. *fraction* is held to [0, 1]."""
    share = min(max(fraction, 0.0), 1.0)
    target = round(round(share * sum(points), 2) * 100)
    # In hundredths; the 1e-6 keeps a float a hair under a whole hundredth (0.29 * 100) from losing it.
    caps = [math.floor(p * 100 + 1e-6) for p in points]
    exact = [share * p * 100 for p in points]
    cents = [min(math.floor(e + 1e-6), cap) for e, cap in zip(exact, caps, strict=True)]
    open_ = sorted((i for i in range(len(points)) if cents[i] < caps[i]), key=lambda i: (cents[i] - exact[i], i))
    for i in open_[: max(target - sum(cents), 0)]:
        cents[i] += 1
    return [c / 100 for c in cents]


def _with(config: Config, extra: dict[str, dict[str, object]]) -> Config:
    merged = Config(config)
    merged.merge(Config(extra))
    return merged


def _chosen(config: Config, path_id: str, students: Sequence[str] | None) -> tuple[str, str]:
    """nbgrader's ``student_id`` and ``student_id_exclude`` that pick *students* (None: everybody
    collected) in one run of a step, rather than one run per learner: a step's start-up (reading the
    gradebook, compiling the templates) then happens once, not ten thousand times."""
    if students is None:
        return "*", ""
    if len(students) == 1:
        return students[0], ""
    root = Path(get(config, "CourseDirectory", "root", "."))
    collected = {folder.parent.name for folder in (root / "submitted").glob(f"*/{path_id}")}
    return "*", ",".join(sorted(collected - set(students)))


def _parts(config: Config, path_id: str, students: Sequence[str] | None) -> Parts:
    student, exclude = _chosen(config, path_id, students)
    parts = make_parts(config, assignment_id=path_id, student_id=student)
    parts.coursedir.student_id_exclude = exclude
    return parts


@functools.cache
def _counted(name: str) -> type[Any]:
    """nbgrader's converter *name* (``Autograde``, ``GenerateFeedback``), telling its ``progress``
    callback (done, total) after each learner's submission: at ten thousand learners these steps
    take minutes."""
    import nbgrader.converters

    base = getattr(nbgrader.converters, name)

    class Counted(base):  # type: ignore[misc,valid-type]
        progress: Progress | None = None

        def convert_single_notebook(self, notebook_filename: str) -> None:
            super().convert_single_notebook(notebook_filename)
            done: set[str] = self.__dict__.setdefault("_done", set())
            done.add(str(Path(notebook_filename).parent))
            if self.progress is not None:
                self.progress(len(done), max(len(done), len(self.assignments)))

    Counted.__name__ = name
    return Counted


def autograde_without_running(
    config: Config, path_id: str, *, students: Sequence[str] | None = None, progress: Progress | None = None
) -> None:
    """nbgrader autograde of *path_id* for every collected submission (or *students*), no kernels run;
    *progress* hears (done, total) per submission."""
    if students is not None and not students:
        return
    ensure_scripts_on_path()
    cfg = _with(config, {"Execute": {"enabled": False}})
    parts = _parts(cfg, path_id, students)
    app = _counted("Autograde")(coursedir=parts.coursedir, config=cfg)
    app.force = True
    app.progress = progress
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
            scores = task_scores(grade.fraction, [p for _, p in tasks]) if grade.fraction is not None else []
            for number, (cell, _points) in enumerate(tasks):
                try:
                    score = gradebook.find_grade(cell, path_id, path_id, learner)
                    comment = gradebook.find_comment(cell, path_id, path_id, learner)
                except MissingEntry as exc:
                    raise ExchangeError(
                        f"the gradebook has no {cell!r} of {learner!r} in {path_id!r}: was the submission autograded?",
                        operation="write grades",
                    ) from exc
                if grade.fraction is not None:
                    score.manual_score = scores[number]
                    score.needs_manual_grade = False
                comment.manual_comment = grade.comment if number == 0 else POINTER
        gradebook.db.commit()


def generate_feedback(
    config: Config, path_id: str, students: Sequence[str], *, progress: Progress | None = None
) -> None:
    """nbgrader generate_feedback for *students*, in one run: the HTML that release_feedback hands out;
    *progress* hears (done, total) per learner."""
    if not students:
        return
    parts = _parts(config, path_id, students)
    app = _counted("GenerateFeedback")(coursedir=parts.coursedir, config=config)
    app.force = True
    app.progress = progress
    run_app(app, f"generate_feedback {path_id}")


def release_feedback(config: Config, path_id: str, students: Sequence[str]) -> None:
    """nbgrader release_feedback for *students*, in one run."""
    if not students:
        return
    run_app(_parts(config, path_id, students).step("ReleaseFeedback"), f"release_feedback {path_id}")


def fetch_feedback(config: Config, path_id: str, *, assignment_dir: Path, learner: str) -> list[Path]:
    """The learner's side: nbgrader fetch_feedback; return the feedback HTML files now in their folder."""
    cfg = _with(config, {"Exchange": {"assignment_dir": str(assignment_dir)}})
    parts = make_parts(cfg, assignment_id=path_id, student_id=learner)
    run_app(parts.step("FetchFeedback"), f"fetch_feedback {path_id}")
    return sorted((assignment_folder(config, assignment_dir, path_id) / "feedback").glob("*/*.html"))
