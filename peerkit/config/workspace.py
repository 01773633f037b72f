"""A local deployment of a course, all under one folder (the embedded default).

::

    <root>/
      course/        nbgrader course root: source/, release/, submitted/, gradebook.db, nbgrader_config.py
      exchange/      nbgrader's filesystem exchange (outbound/, inbound/, feedback/)
      learners/<id>/ each learner's home: .jupyter/nbgrader_config.py and <course-id>/<path>/ folders
      voila/         Voilà's configuration and runtime files for `peerkit serve`
      facilitator/   the facilitator's dashboard app (served by a second Voilà, voila-facilitator/)
      exports/       what the dashboard exports (grades, reviews, rounds)
      peerkit.db     the peerkit store (SQLite), unless a database URL is given

Under JupyterHub the same roles are played by the hub's shared exchange and each user's home; this
class only describes the single-folder layout that ``peerkit serve`` and the tests use.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from peerkit.config.identity import check_learner_id
from peerkit.core.answers import FILENAME, AnswerSheet, parse_sheet
from peerkit.core.errors import PeerkitError

log = logging.getLogger(__name__)

#: A path's folder name in a learner's course folder: one plain name, never a way out of it.
_PATH_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

#: Where the demo and the facilitator's commands keep a course unless told otherwise.
DEFAULT_WORKDIR = Path(".peerkit") / "demo"


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Workspace:
        return cls(Path(root).expanduser().resolve())

    @property
    def course_root(self) -> Path:
        return self.root / "course"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def learners(self) -> Path:
        return self.root / "learners"

    @property
    def voila_dir(self) -> Path:
        return self.root / "voila"

    @property
    def facilitator_dir(self) -> Path:
        """The facilitator's own folder: the dashboard app, served apart from every learner's folder."""
        return self.root / "facilitator"

    @property
    def facilitator_voila_dir(self) -> Path:
        """Voilà's configuration for the facilitator's dashboard server."""
        return self.root / "voila-facilitator"

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.course_root / 'gradebook.db'}"

    @property
    def store_url(self) -> str:
        """The embedded default: the peerkit store as an SQLite file beside the course."""
        return f"sqlite:///{self.root / 'peerkit.db'}"

    def learner_home(self, learner: str) -> Path:
        return self.learners / check_learner_id(learner)

    def learner_course_dir(self, learner: str, course_id: str) -> Path:
        """The learner's folder of assignments (nbgrader's ``Exchange.assignment_dir``), served by Voilà."""
        return self.learner_home(learner) / course_id


def own_answers_file(course_folder: Path, path_id: str) -> Path | None:
    """Where a learner keeps their answers of *path_id*: the answers file in that path's folder of their
    course folder (the same file :class:`~peerkit.storage.answerfile.AnswerFile` writes). None when
    *path_id* is not a plain folder name (it comes from notebooks and files a learner can edit)."""
    if not _PATH_FOLDER.fullmatch(path_id) or path_id.strip(".") == "":
        return None
    return Path(course_folder) / path_id / FILENAME


def read_own_answers(course_folder: Path, path_id: str) -> AnswerSheet | None:
    """The learner's own saved answers of *path_id*, read only (another path's page reads them: it must
    never move or rewrite that path's file, as its own page does with a file it cannot read); None when
    the path was never opened or its file cannot be read (the reason is logged)."""
    file = own_answers_file(course_folder, path_id)
    if file is None:
        return None
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("answers of %s cannot be read: %s", file, exc)
        return None
    try:
        return parse_sheet(data, expected_path=path_id, source=str(file))
    except PeerkitError as exc:
        log.warning("answers of %s cannot be read: %s", file, exc)
        return None
