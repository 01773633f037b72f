"""The course catalog reads each path notebook's metadata.peerkit and checks its schema version."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from peerkit.apps.catalog import list_paths, read_path_metadata
from peerkit.core import documents
from peerkit.core.errors import DocumentVersionError


def notebook(folder: Path, path_id: str, meta: dict[str, Any]) -> Path:
    file = folder / path_id / f"{path_id}.ipynb"
    file.parent.mkdir(parents=True)
    doc = {"cells": [], "metadata": {"peerkit": meta}, "nbformat": 4, "nbformat_minor": 5}
    file.write_text(json.dumps(doc), encoding="utf-8")
    return file


def test_a_notebook_built_by_this_peerkit_is_listed(tmp_path: Path) -> None:
    meta = documents.dump(documents.NOTEBOOK, {"path": "alpha", "title": "Alpha", "position": 1})
    assert read_path_metadata(notebook(tmp_path, "alpha", meta)) == meta
    assert [e.title for e in list_paths(tmp_path, Config(), learner=None)] == ["Alpha"]


def test_a_notebook_built_by_a_newer_peerkit_is_refused_naming_file_and_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    newer = documents.NOTEBOOK.version + 1
    file = notebook(tmp_path, "alpha", {"schema_version": newer, "path": "alpha", "title": "Alpha"})
    with pytest.raises(DocumentVersionError) as caught:
        read_path_metadata(file)
    assert caught.value.source == str(file) and caught.value.found == newer
    assert caught.value.field == "schema_version"
    assert str(caught.value).startswith(f"{file}: ") and "upgrade peerkit" in str(caught.value)
    with caplog.at_level(logging.WARNING, logger="peerkit.apps.catalog"):
        assert list_paths(tmp_path, Config(), learner=None) == []  # the course home still opens
    assert f"{file}" in caplog.text and f"version {newer}" in caplog.text


def test_a_notebook_without_a_schema_version_is_not_a_path(tmp_path: Path) -> None:
    assert read_path_metadata(notebook(tmp_path, "alpha", {"path": "alpha"})) is None
