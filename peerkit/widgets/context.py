"""Where is this page running, and for whom? The Voilà context adapter.

A Voilà kernel starts in the notebook's own folder. When that folder is a fetched assignment (its
name is the path id and a course is configured for the learner), the page saves and submits; in any
other folder it is a preview. Who the learner is, which course, and which exchange their page talks
to are resolved once (:func:`peerkit.exchange.context.resolve_learner_context`) and handed to the
session. Tests pass every part explicitly instead.
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from peerkit.exchange.base import ActivityLog
from peerkit.exchange.context import LearnerContext, resolve_learner_context
from peerkit.widgets.session import PathSession
from peerkit.widgets.trouble import plain_problem

PREVIEW_NOTICE = (
    "Preview: this copy of the path is not one of your assignments, so answers are not saved. "
    "Open the path from your course home to save and submit your work."
)


def unknown_learner(what: str, problem: str, *, where: str = "") -> str:
    """The notice of a page that cannot tell who its learner is: *what* cannot be done, in plain words
    (*problem*, the reason as the course's setup names it, goes to the server's log)."""
    return plain_problem(
        f"{what}: this page does not know who you are.",
        problem or "no learner",
        then="Open it from your course home, or sign in again.",
        where=where,
    )


def open_path(
    path_id: str,
    *,
    folder: Path | str | None = None,
    learner: str | None = None,
    config: Config | None = None,
    max_answer_chars: int = 20_000,
    activity: ActivityLog | None = None,
    context: LearnerContext | None = None,
) -> PathSession:
    """The :class:`PathSession` for *path_id* in *folder* (default: the kernel's working folder).

    *context* is the page's learner context (resolved here from *folder*, *config* and *learner*
    when not given). A learner's session records its activity in *activity*, by default through the
    learner's side of the course's exchange.
    """
    ctx = context or resolve_learner_context(folder, config=config, learner=learner)
    where = ctx.folder
    if where.name != path_id or not ctx.course_id:
        return PathSession(path_id, mode="preview", notice=PREVIEW_NOTICE, max_answer_chars=max_answer_chars)
    if ctx.learner is None:
        return PathSession(
            path_id,
            mode="preview",
            notice=unknown_learner("Your answers cannot be saved", ctx.problem, where=f"path {path_id}"),
            max_answer_chars=max_answer_chars,
        )
    return PathSession(
        path_id,
        mode="learner",
        folder=where,
        learner=ctx.learner,
        config=ctx.config,
        max_answer_chars=max_answer_chars,
        activity=activity if activity is not None else ctx.activity,
        exchange=ctx.exchange,
    )
