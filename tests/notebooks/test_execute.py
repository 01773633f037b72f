"""Every notebook runs headless in a real kernel without error: as a preview (the source), and as a
learner's fetched assignment (answers saved, submit ready)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from peerkit.apps import APP_NOTEBOOKS, app_notebook
from peerkit.core.answers import FILENAME
from tests.conftest import REPO, CourseLayout

pytestmark = pytest.mark.kernel

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def execute(notebook: Path, cwd: Path, env: dict[str, str] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.read(str(notebook), as_version=4)
    saved = dict(os.environ)
    try:
        if env:
            os.environ.update(env)
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def widget_text(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's widgets hold (nbclient stores their state in the metadata)."""
    return json.dumps(nb.metadata.get("widgets", {}))


def test_there_are_course_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_source_notebook_runs_as_a_preview(notebook: Path, tmp_path: Path) -> None:
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    nb = execute(copy, tmp_path)
    assert not errors(nb)
    assert not (tmp_path / FILENAME).exists()  # a preview never writes answers
    assert "Preview: this copy of the path is not one of your assignments" in widget_text(nb)


def test_every_path_runs_as_a_learners_assignment(real_course: CourseLayout) -> None:
    folder = real_course.enroll("quinn")
    home = real_course.workspace.learner_home("quinn")
    for path in real_course.course.paths:
        nb = execute(
            folder / path.id / path.notebook_name,
            folder / path.id,
            env={"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")},
        )
        assert not errors(nb), path.id
        state = widget_text(nb)
        assert "Preview" not in state and "Not submitted yet" in state


@pytest.mark.parametrize("name", APP_NOTEBOOKS)
def test_app_notebooks_run_in_a_learners_course_folder(name: str, real_course: CourseLayout) -> None:
    folder = real_course.enroll("rae")
    home = real_course.workspace.learner_home("rae")
    assert (folder / name).read_bytes() == app_notebook(name).read_bytes()
    nb = execute(folder / name, folder, env={"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")})
    assert not errors(nb)


def test_dashboard_notebook_runs_in_the_facilitators_folder(real_course: CourseLayout) -> None:
    from peerkit.apps import DASHBOARD_NOTEBOOK
    from peerkit.demo import setup_facilitator

    notebook = setup_facilitator(real_course.course, real_course.workspace)
    assert notebook == real_course.workspace.facilitator_dir / DASHBOARD_NOTEBOOK
    env = {"PEERKIT_COURSE": str(real_course.course.source), "PEERKIT_WORKDIR": str(real_course.workspace.root)}
    nb = execute(notebook, notebook.parent, env=env)
    assert not errors(nb)
    state = widget_text(nb)
    assert "Facilitator dashboard" in state and "Peer Learning Paths" in state
