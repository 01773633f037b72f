"""A learner's course folder on disk, as fetched paths leave it: a notebook per path stamped with its place
in the course (and the course project's parts), and the learner's own answers files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.core import documents
from peerkit.core.answers import Answer
from peerkit.exchange.base import LearnerExchange
from peerkit.storage.answerfile import AnswerFile
from peerkit.widgets import PathPage
from peerkit.widgets.session import PathSession

#: (path id, title, position, number); "intro" is the course's "Start here".
PATHS = [
    ("intro", "Start here", 1, None),
    ("setting-path", "What is peer learning?", 2, 1),
    ("need-path", "Why and when", 3, 2),
    ("loop-path", "Peer learning at work", 4, 3),
    ("capstone", "Capstone", 5, 4),
]
PROJECT = [
    {"id": "setting", "title": "The setting and the people", "path": "setting-path", "position": 2, "prompt": "Where?"},
    {"id": "need", "title": "Why peer learning, here and now", "path": "need-path", "position": 3, "prompt": "Why?"},
    {"id": "loop", "title": "One session through the loop", "path": "loop-path", "position": 4, "prompt": "How?"},
]


def make_course_folder(root: Path, *, paths: list[str] | None = None) -> Path:
    """The course folder of learner "ren" with the notebooks of *paths* (default: every path)."""
    folder = root / "ren" / "course101"
    for path_id, title, position, number in PATHS:
        if paths is not None and path_id not in paths:
            continue
        meta = documents.dump(
            documents.NOTEBOOK,
            {
                "course": "course101",
                "course_title": "Peer learning",
                "path": path_id,
                "title": title,
                "position": position,
                "number": number,
                "numbered_paths": 4,
                "project": PROJECT,
            },
        )
        notebook = {"cells": [], "metadata": {"peerkit": meta}, "nbformat": 4, "nbformat_minor": 5}
        (folder / path_id).mkdir(parents=True, exist_ok=True)
        (folder / path_id / f"{path_id}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder


def save_answer(folder: Path, path_id: str, answer_id: str, kind: str, value: Any) -> None:
    """Save an answer into the learner's answers file of *path_id*, as that path's page would."""
    file = AnswerFile(folder / path_id, path_id)
    file.load()
    file.save(answer_id, Answer.make(kind, value, answer_id=answer_id), seen=None)


def open_page(folder: Path, path_id: str, *, exchange: LearnerExchange | None = None) -> PathPage:
    """The page of *path_id* for learner "ren", saving into their folder."""
    session = PathSession(
        path_id, mode="learner", folder=folder / path_id, learner="ren", config=Config(), exchange=exchange
    )
    return PathPage(path_id, session=session)
