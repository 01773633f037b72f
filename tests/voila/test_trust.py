"""Signed notebooks: Voilà's contents manager finds them trusted and logs no "not trusted" warning."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from jupyter_server.services.contents.largefilemanager import LargeFileManager

from peerkit.voila.trust import trust_notebooks

NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["Hello"]}],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def served_as(root: Path, data_dir: Path, path: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings a Voilà server with Jupyter data folder *data_dir* logs when it reads *path*."""
    from nbformat.sign import NotebookNotary

    data_dir.mkdir(parents=True, exist_ok=True)
    manager = LargeFileManager(root_dir=str(root))
    manager.notary = NotebookNotary(data_dir=str(data_dir))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        manager.get(path)
    manager.notary.store.close()
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_signed_notebooks_are_trusted_by_the_server_that_reads_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    course, data = tmp_path / "course", tmp_path / "home" / "data"
    (course / "p").mkdir(parents=True)
    (course / "p" / "p.ipynb").write_text(json.dumps(NOTEBOOK))
    (course / "home.ipynb").write_text(json.dumps(NOTEBOOK | {"metadata": {"x": 1}}))
    (course / "p" / ".ipynb_checkpoints").mkdir()
    (course / "p" / ".ipynb_checkpoints" / "p-checkpoint.ipynb").write_text(json.dumps(NOTEBOOK))
    assert any("not trusted" in w for w in served_as(course, data, "p/p.ipynb", caplog))

    signed = trust_notebooks(course, data_dir=data)
    assert sorted(p.relative_to(course).as_posix() for p in signed) == ["home.ipynb", "p/p.ipynb"]
    assert served_as(course, data, "p/p.ipynb", caplog) == []
    assert served_as(course, data, "home.ipynb", caplog) == []
    assert trust_notebooks(course, data_dir=data) == []  # already signed: nothing to do

    # Another user's data folder does not know the signature; a changed file loses it.
    assert any("not trusted" in w for w in served_as(course, tmp_path / "other", "p/p.ipynb", caplog))
    (course / "p" / "p.ipynb").write_text(json.dumps(NOTEBOOK | {"metadata": {"changed": True}}))
    assert any("not trusted" in w for w in served_as(course, data, "p/p.ipynb", caplog))


def test_one_notebook_and_an_unreadable_one(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text(json.dumps(NOTEBOOK))
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert trust_notebooks(tmp_path / "a.ipynb", data_dir=tmp_path / "d") == [tmp_path / "a.ipynb"]
    assert trust_notebooks(tmp_path, data_dir=tmp_path / "d") == []  # broken skipped, a already signed
