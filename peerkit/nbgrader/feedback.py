"""Peer grades into nbgrader's gradebook, and feedback out through nbgrader's own release and fetch.

nbgrader knows a submission's cells only after ``autograde``; peerkit runs it without executing
the notebooks (``Execute.enabled = False``: the answers are in the answers file, not in outputs),
then writes the peer grade as manual scores on the path's task cells, in proportion to each
cell's points, and the peers' comments as the comment of the first task cell. ``generate_feedback``
and ``release_feedback`` then work as for any nbgrader course, and each learner fetches their own.

One learner's submission never stops these steps for the others: each submitted notebook is checked
before autograde reads it (:mod:`peerkit.nbgrader.submitted`), and one that nbgrader still refuses is
that learner's failure, not the step's (nbgrader gave up on every learner after a notebook whose cells
it found marked for an older nbgrader). Autograde and feedback return the learners they could not
take, each a :class:`~peerkit.nbgrader.submitted.NotGraded`; a failure of the step itself (a gradebook
that cannot be opened) still raises.
"""

from __future__ import annotations

import functools
import math
import re
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
from peerkit.nbgrader.submitted import NotGraded, check_submission, released_markings

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


class _LearnerFailed(Exception):
    """One learner's submission failed a step: nbgrader goes on with the next learner."""


#: How much of nbgrader's reason a report quotes (its messages may quote the notebook itself).
REASON_CHARACTERS = 160
#: The line nbgrader logs for each learner whose submission a step gave up on.
_GAVE_UP = re.compile(r"There was an error processing assignment '.*' for student '(?P<learner>.*)'$", re.M)


@functools.cache
def _counted(name: str) -> type[Any]:
    """nbgrader's converter *name* (``Autograde``, ``GenerateFeedback``), telling its ``progress``
    callback (done, total) after each learner's submission (at ten thousand learners these steps take
    minutes), and keeping in ``failures`` why each learner's submission failed (nbgrader logs only a
    traceback). A failure of a learner's submission is theirs: nbgrader goes on with the others, where
    its own handling stopped the step for everybody at a cell marked for an older or newer nbgrader.
    A gradebook that cannot be opened still stops the step."""
    import nbgrader.converters
    from sqlalchemy.exc import OperationalError

    base = getattr(nbgrader.converters, name)

    class Counted(base):  # type: ignore[misc,valid-type]
        progress: Progress | None = None

        def _failed(self, learner: str, file: str, exc: Exception) -> _LearnerFailed:
            failures: dict[str, tuple[str, str]] = self.__dict__.setdefault("failures", {})
            first = (str(exc).strip().splitlines() or [""])[0]
            failures.setdefault(learner, (file, f"{type(exc).__name__}: {first}".removesuffix(": ")))
            return _LearnerFailed(f"{learner}: {failures[learner][1]}")

        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            self.__dict__["_learner"] = student_id
            try:
                super().init_assignment(assignment_id, student_id)
            except OperationalError:
                raise
            except Exception as exc:
                raise self._failed(student_id, "the submission", exc) from exc

        def convert_single_notebook(self, notebook_filename: str) -> None:
            learner = self.__dict__.get("_learner") or Path(notebook_filename).parent.parent.name
            try:
                super().convert_single_notebook(notebook_filename)
            except OperationalError:
                raise
            except Exception as exc:
                raise self._failed(learner, Path(notebook_filename).name, exc) from exc
            done: set[str] = self.__dict__.setdefault("_done", set())
            done.add(str(Path(notebook_filename).parent))
            if self.progress is not None:
                self.progress(len(done), max(len(done), len(self.assignments)))

    Counted.__name__ = name
    return Counted


def _run_per_learner(app: Any, path_id: str, operation: str) -> dict[str, NotGraded]:
    """Run *app* (a :func:`_counted` converter); return the learners whose submission it failed, and why.
    A failure of the step itself (nbgrader's log names no learner) raises :class:`ExchangeError`."""
    try:
        run_app(app, operation)
    except ExchangeError as exc:
        named = _GAVE_UP.findall(exc.log)
        if not named:
            raise
        failures: dict[str, tuple[str, str]] = app.__dict__.get("failures", {})
        told = {}
        for learner in named:
            file, why = failures.get(learner, ("the submission", f"see the log of {operation} with peerkit -v"))
            cut = why if len(why) <= REASON_CHARACTERS else why[: REASON_CHARACTERS - 1] + "…"
            told[learner] = NotGraded(learner, path_id, file, f"nbgrader could not read it ({cut})")
        return told
    return {}


def _collected(config: Config, path_id: str) -> list[str]:
    root = Path(get(config, "CourseDirectory", "root", "."))
    return sorted(folder.parent.name for folder in (root / "submitted").glob(f"*/{path_id}"))


def check_submissions(config: Config, path_id: str, students: Sequence[str] | None = None) -> dict[str, NotGraded]:
    """The collected submissions of *path_id* (of *students*, default: every one) that autograde must
    not be given (:mod:`peerkit.nbgrader.submitted`), by learner. A path without a released notebook in
    the course root is not checked (nbgrader then refuses the step itself)."""
    coursedir = make_parts(config, assignment_id=path_id).coursedir
    markings = released_markings(Path(coursedir.format_path(coursedir.release_directory, ".", path_id)))
    if not markings:
        return {}
    found = {}
    for learner in _collected(config, path_id) if students is None else students:
        folder = Path(coursedir.format_path(coursedir.submitted_directory, learner, path_id))
        problem = check_submission(folder, markings, learner=learner, path_id=path_id)
        if problem is not None:
            found[learner] = problem
    return found


def autograde_without_running(
    config: Config, path_id: str, *, students: Sequence[str] | None = None, progress: Progress | None = None
) -> dict[str, NotGraded]:
    """nbgrader autograde of *path_id* for every collected submission (or *students*), no kernels run;
    *progress* hears (done, total) per submission. Returns the learners not graded, and why: their
    submission failed :func:`check_submissions` (autograde never reads it) or autograde itself. What
    the gradebook holds of theirs is left needing a grade, never a 0 that nobody gave."""
    if students is not None and not students:
        return {}
    ensure_scripts_on_path()
    refused = check_submissions(config, path_id, students)
    chosen = [s for s in (_collected(config, path_id) if students is None else students) if s not in refused]
    failed: dict[str, NotGraded] = {}
    if chosen:
        cfg = _with(config, {"Execute": {"enabled": False}})
        parts = _parts(cfg, path_id, chosen if refused or students is not None else None)
        app = _counted("Autograde")(coursedir=parts.coursedir, config=cfg)
        app.force = True
        app.progress = progress
        with warnings.catch_warnings():
            # nbgrader 0.9.6 builds gradebook rows in a way SQLAlchemy 2 warns about ("Object of
            # type <SubmittedAssignment> not in session"); the rows are written correctly.
            warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")
            # nbformat gives a cell without an id one (and a second cell of one id another) and warns:
            # the notebook is read all the same (an error only where warnings are errors, as in tests).
            for repaired in _repaired_cell_ids():
                warnings.filterwarnings("ignore", category=repaired)
            failed = _run_per_learner(app, path_id, f"autograde {path_id}")
    not_graded = {**refused, **failed}
    _leave_ungraded(config, path_id, not_graded)
    return not_graded


def _repaired_cell_ids() -> tuple[type[Warning], type[Warning]]:
    from nbformat.warnings import DuplicateCellId, MissingIDFieldWarning

    return MissingIDFieldWarning, DuplicateCellId


def _leave_ungraded(config: Config, path_id: str, learners: Mapping[str, NotGraded]) -> None:
    """Leave what the gradebook holds of *learners*' submissions of *path_id* needing a grade: autograde
    makes a submission's rows before it reads the notebook, and a row without a score counts as 0. A
    score written before (an earlier submission's peer grade) is kept."""
    if not learners:
        return
    parts = make_parts(config, assignment_id=path_id)
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(parts.coursedir.db_url, parts.coursedir.course_id) as gradebook:
        for learner in learners:
            try:
                submission = gradebook.find_submission(path_id, learner)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is None and grade.auto_score is None:
                        grade.needs_manual_grade = True
        gradebook.db.commit()


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
) -> dict[str, NotGraded]:
    """nbgrader generate_feedback for *students*, in one run: the HTML that release_feedback hands out;
    *progress* hears (done, total) per learner. Returns the learners it made no feedback for, and why."""
    if not students:
        return {}
    parts = _parts(config, path_id, students)
    app = _counted("GenerateFeedback")(coursedir=parts.coursedir, config=config)
    app.force = True
    app.progress = progress
    return _run_per_learner(app, path_id, f"generate_feedback {path_id}")


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
