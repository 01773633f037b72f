"""Records of the course domain, as loaded from ``course/course.yml``.

Frozen dataclasses, no behaviour beyond lookups. :mod:`peerkit.config.course` reads and validates the
YAML; everything downstream (build, widgets, review rounds, dashboards) receives these records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from peerkit.core.errors import ConfigError
from peerkit.core.rubric import PracticeExample, ReviewSettings, Rubric


@dataclass(frozen=True, slots=True)
class LearningPath:
    """One learning path: an nbgrader assignment holding one notebook."""

    id: str
    title: str
    notebook: Path
    summary: str = ""
    minutes: int = 0
    points: float = 0.0
    peer_review: bool = False
    review: ReviewSettings | None = None
    #: False for a course's "Start here" path: it comes first and does not count in "Path n of N".
    numbered: bool = True
    #: When the path is due (course.yml ``due``), timezone-aware; None when the course sets no date.
    due: datetime | None = None

    @property
    def notebook_name(self) -> str:
        """The notebook's file name inside the assignment folder: ``<id>.ipynb``."""
        return f"{self.id}.ipynb"

    @property
    def review_id(self) -> str:
        """The nbgrader assignment through which learners send their reviews of this path."""
        return f"{self.id}-review"


@dataclass(frozen=True, slots=True)
class Topic:
    """One entry of the course's topic vocabulary (course.yml ``topics``): profiles map free text onto
    these, learners see them as chips, and review allocation matches on their ids."""

    id: str
    label: str
    #: Words and phrases that name this topic in learners' free text (lower case).
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProjectPart:
    """One part of the course project (course.yml ``project``): added in path ``path``, revised later,
    assembled in the capstone."""

    id: str
    title: str
    path: str
    prompt: str = ""


@dataclass(frozen=True, slots=True)
class Limits:
    max_answer_chars: int = 20_000


@dataclass(frozen=True, slots=True)
class Course:
    """A course: its nbgrader course id, its paths in order, and its local defaults."""

    id: str
    title: str
    paths: tuple[LearningPath, ...]
    description: str = ""
    demo_learner: str = "demo-learner"
    limits: Limits = field(default_factory=Limits)
    source: Path | None = None
    rubrics: Mapping[str, Rubric] = field(default_factory=dict)
    #: Extra names review packets never show (course.yml ``redact``), besides every learner's own.
    redact: tuple[str, ...] = ()
    #: The topic vocabulary profiles are mapped onto (course.yml ``topics``).
    topics: tuple[Topic, ...] = ()
    #: The parts of the one project learners carry through the course (course.yml ``project``).
    project: tuple[ProjectPart, ...] = ()
    #: Practice examples with model reviews, by path id (``course/examples.yml``).
    examples: Mapping[str, tuple[PracticeExample, ...]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[LearningPath]:
        return iter(self.paths)

    def path(self, path_id: str) -> LearningPath:
        for p in self.paths:
            if p.id == path_id:
                return p
        known = ", ".join(p.id for p in self.paths) or "none"
        raise ConfigError(f"no learning path {path_id!r} in course {self.id!r} (paths: {known})")

    def reviewed_paths(self) -> list[LearningPath]:
        return [p for p in self.paths if p.review is not None]

    def rubric_for(self, path_id: str) -> Rubric:
        path = self.path(path_id)
        if path.review is None:
            raise ConfigError(f"path {path_id!r} is not peer reviewed (peer_review: true in course.yml)")
        return self.rubrics[path.review.rubric]

    def position(self, path_id: str) -> int:
        """1-based position of a path in the course order."""
        return [p.id for p in self.paths].index(self.path(path_id).id) + 1

    def number(self, path_id: str) -> int | None:
        """The path's number as learners see it ("Path 3"): numbered paths count from 1 in course
        order; None for an unnumbered path (a "Start here" orientation)."""
        path = self.path(path_id)
        if not path.numbered:
            return None
        return [p.id for p in self.paths if p.numbered].index(path.id) + 1

    @property
    def numbered_paths(self) -> int:
        """How many paths carry a number (the N of "Path n of N")."""
        return sum(1 for p in self.paths if p.numbered)
