"""nbgrader's gradebook: the learners of a course, with the names review packets must not show."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.redaction import Person
from peerkit.nbgrader.config import ensure_scripts_on_path, skip_slow_iri_grammar
from peerkit.nbgrader.parts import make_parts


def ensure_students(db_url: str, course_id: str, learners: Iterable[str]) -> None:
    """Make sure each learner is a student of the course in the gradebook (idempotent)."""
    ensure_scripts_on_path()
    skip_slow_iri_grammar()
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        for learner in learners:
            gradebook.update_or_create_student(check_learner_id(learner))


def roster(db_url: str, course_id: str) -> dict[str, Person]:
    """Each student of the course as the gradebook knows them: id, first and last name, e-mail, and
    the LMS user id when it is a login rather than a number (``nbgrader db student import`` fills
    these from a class list). Review rounds remove all of them from what peers see.

    A gradebook that does not exist yet (a SQLite file never created) holds nobody: {}."""
    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).is_file():
        return {}
    ensure_scripts_on_path()
    skip_slow_iri_grammar()
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        return {
            student.id: Person(
                student.id,
                first_name=student.first_name or "",
                last_name=student.last_name or "",
                email=student.email or "",
                aliases=tuple(a for a in [student.lms_user_id or ""] if any(ch.isalpha() for ch in a)),
            )
            for student in gradebook.students
        }


def course_roster(config: Config) -> dict[str, Person]:
    """:func:`roster` of the course that nbgrader's *config* describes (its gradebook and course id)."""
    parts = make_parts(config)
    return roster(parts.coursedir.db_url, parts.coursedir.course_id)
