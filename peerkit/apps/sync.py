"""A learner's course folder under JupyterHub: every released path fetched, the apps in place.

On a laptop ``peerkit serve`` fetches every path for the demo learner. On a hub each learner's own
server does it when it starts (``peerkit sync``, run by ``peerkit-singleuser`` or a Kubernetes
``postStart`` hook): released paths the learner does not have yet are fetched through nbgrader's
exchange, the ones they have get updated course files (never their answers), and the course home
and the other app notebooks are copied in. A path nbgrader refuses (the learner is not in the
course's ``nbgrader-<course>`` group) is reported, not fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.config import get
from peerkit.nbgrader.learner import assignment_folder, course_id_of, fetch, refresh_released_files

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    course_dir: Path
    fetched: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{len(self.fetched)} fetched",
            f"{len(self.updated)} updated",
            f"{len(self.apps)} apps copied",
        ]
        if self.problems:
            parts.append(f"{len(self.problems)} refused: " + "; ".join(self.problems))
        return f"{self.course_dir}: " + ", ".join(parts)


def released(config: Config) -> list[str]:
    """The assignments released in the exchange for the configured course."""
    outbound = Path(str(get(config, "Exchange", "root", ""))) / course_id_of(config) / "outbound"
    try:
        return sorted(p.name for p in outbound.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def sync(config: Config, *, home: Path, learner: str) -> SyncReport:
    """Fetch or refresh every released assignment into *home*; copy the app notebooks beside them."""
    from peerkit.apps import APP_NOTEBOOKS, install_app

    course_id = course_id_of(config)
    outbound = Path(str(get(config, "Exchange", "root", ""))) / course_id / "outbound"
    report = SyncReport(course_dir=assignment_folder(config, home, "_").parent)
    for assignment_id in released(config):
        folder = assignment_folder(config, home, assignment_id)
        try:
            if folder.is_dir():
                if refresh_released_files(outbound / assignment_id, folder):
                    report.updated.append(assignment_id)
            else:
                fetch(config, assignment_id, assignment_dir=home, learner=learner)
                report.fetched.append(assignment_id)
        except PeerkitError as exc:
            report.problems.append(f"{assignment_id}: {exc}")
            log.warning("sync of %s for %s: %s", assignment_id, learner, exc)
    if report.fetched or report.updated or any(report.course_dir.glob("*/")):
        report.course_dir.mkdir(parents=True, exist_ok=True)
        report.apps += [name for name in APP_NOTEBOOKS if install_app(name, report.course_dir)]
    return report
