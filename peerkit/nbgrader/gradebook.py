"""nbgrader's gradebook: the learners of a course (later: peer grades and comments)."""

from __future__ import annotations

from collections.abc import Iterable

from peerkit.config.identity import check_learner_id
from peerkit.nbgrader.config import ensure_scripts_on_path, skip_slow_iri_grammar


def ensure_students(db_url: str, course_id: str, learners: Iterable[str]) -> None:
    """Make sure each learner is a student of the course in the gradebook (idempotent)."""
    ensure_scripts_on_path()
    skip_slow_iri_grammar()
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        for learner in learners:
            gradebook.update_or_create_student(check_learner_id(learner))
