"""Where is this page running, and for whom? The Voilà context adapter.

A Voilà kernel starts in the notebook's own folder. When that folder is a fetched assignment (its
name is the path id and a course is configured for the learner), the page saves and submits; in any
other folder it is a preview. Identity comes from :func:`peerkit.config.identity.resolve_learner`, config
from the learner's ``nbgrader_config.py`` files. Tests pass every part explicitly instead.
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from peerkit.activity import ActivityLog, activity_log
from peerkit.config.identity import resolve_learner
from peerkit.core.errors import PeerkitError
from peerkit.nbgrader.config import get, learner_config
from peerkit.widgets.session import PathSession

PREVIEW_NOTICE = (
    "Preview: this copy of the path is not one of your assignments, so answers are not saved. "
    "Open the path from your course home to save and submit your work."
)


def open_path(
    path_id: str,
    *,
    folder: Path | str | None = None,
    learner: str | None = None,
    config: Config | None = None,
    max_answer_chars: int = 20_000,
    activity: ActivityLog | None = None,
) -> PathSession:
    """The :class:`PathSession` for *path_id* in *folder* (default: the kernel's working folder).

    A learner's session records its activity in *activity*, by default the course's activity folder
    found through the learner's nbgrader config (:func:`peerkit.activity.activity_log`).
    """
    where = Path(folder) if folder is not None else Path.cwd()
    cfg = config if config is not None else learner_config(where)
    course_id = get(cfg, "CourseDirectory", "course_id", "")
    if where.name != path_id or not course_id:
        return PathSession(path_id, mode="preview", notice=PREVIEW_NOTICE, max_answer_chars=max_answer_chars)
    try:
        who = learner or resolve_learner(configured=get(cfg, "CourseDirectory", "student_id"))
    except PeerkitError as exc:
        return PathSession(
            path_id,
            mode="preview",
            notice=f"Your answers cannot be saved: {exc}.",
            max_answer_chars=max_answer_chars,
        )
    return PathSession(
        path_id,
        mode="learner",
        folder=where,
        learner=who,
        config=cfg,
        max_answer_chars=max_answer_chars,
        activity=activity if activity is not None else activity_log(cfg, who),
    )
