"""Collect submissions of a path from nbgrader's exchange into the course root (nbgrader collect)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from traitlets.config import Config

from peerkit.nbgrader.config import ensure_scripts_on_path, get
from peerkit.nbgrader.learner import parse_exchange_time
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app


@dataclass(frozen=True, slots=True)
class Collected:
    """One learner's collected submission: ``<course_root>/submitted/<learner>/<path>/``."""

    learner: str
    path_id: str
    folder: Path
    submitted_at: datetime | None


def submitted_folder(course_root: Path, learner: str, path_id: str) -> Path:
    return course_root / "submitted" / learner / path_id


def collected(course_root: Path, path_id: str) -> list[Collected]:
    """Every submission of *path_id* already collected into *course_root*, by learner name."""
    found = []
    for folder in sorted((course_root / "submitted").glob(f"*/{path_id}")):
        if not folder.is_dir():
            continue
        stamp = folder / "timestamp.txt"
        when = parse_exchange_time(stamp.read_text()) if stamp.is_file() else None
        found.append(Collected(learner=folder.parent.name, path_id=path_id, folder=folder, submitted_at=when))
    return found


def collect(config: Config, path_id: str, *, update: bool = True) -> list[Collected]:
    """Run nbgrader's collect for *path_id* (newest submission per learner) and list the result."""
    ensure_scripts_on_path()
    parts = make_parts(config, assignment_id=path_id)
    run_app(parts.step("Collect", update=update), f"collect {path_id}")
    return collected(Path(get(config, "CourseDirectory", "root", ".")), path_id)
