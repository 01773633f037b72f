"""Every submission route delivers the answers, and the facilitator is told which are incomplete.

The learner answers in a real kernel, through the page's own widgets, as the browser would (a
widget's value changes; the widget saves it). Then the path is submitted with the real
``nbgrader submit`` command, run as the learner with their own nbgrader config: the route
JupyterLab's Assignments tab takes too (the same nbgrader exchange, the same config, the same
assignment folder). Collect and ingest find the answers, and mark the submission with blanks, and
the one made before answering anything, as what they are.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from peerkit.core.answers import FILENAME, parse_sheet
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.notebooks.test_execute import errors, execute

pytestmark = pytest.mark.kernel

PATH = "alpha"


def answer_in_a_kernel(course: CourseLayout, learner: str, texts: dict[str, str]) -> str:
    """Run the learner's path notebook in a real kernel, type *texts* into its widgets; return what
    the page's Submit would say about completeness."""
    folder = course.folder(learner, PATH)
    home = course.workspace.learner_home(learner)
    typing = "\n".join(f"boxes[{key!r}].text.value = {text!r}" for key, text in texts.items())
    nb = nbformat.read(str(folder / f"{PATH}.ipynb"), as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "boxes = {w.answer_id: w for w in page.widgets if hasattr(w, 'answer_id')}\n"
            f"{typing}\n"
            "print('mode', page.session.mode)\n"
            "print('state', page.session.completeness().summary())"
        )
    )
    scratch = folder.parent / f".{learner}-{PATH}-run.ipynb"  # the assignment's own notebook stays as released
    nbformat.write(nb, str(scratch))
    try:
        ran = execute(scratch, folder, env={"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")})
    finally:
        scratch.unlink()
    assert not errors(ran), errors(ran)
    printed = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    assert "mode learner" in printed, printed
    return printed.split("state ", 1)[1].strip()


def nbgrader_submit(course: CourseLayout, learner: str) -> subprocess.CompletedProcess[str]:
    """``nbgrader submit alpha`` as the learner would type it in a terminal, in their course folder."""
    home = course.workspace.learner_home(learner)
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter")}
    env.pop("JUPYTER_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "submit", PATH],
        cwd=course.folder(learner, PATH).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_nbgrader_submit_delivers_answers_typed_in_a_kernel(course: CourseLayout, store: SqlStore) -> None:
    for learner in ("ama", "ben", "cai"):
        course.enroll(learner)
    assert answer_in_a_kernel(course, "ama", {"first": "Typed in a kernel.", "second": "Both given."}) == (
        "2 of 2 answers complete"
    )
    assert answer_in_a_kernel(course, "ben", {"first": "Only the first one."}) == "1 of 2 answers complete"
    saved = parse_sheet((course.folder("ama", PATH) / FILENAME).read_bytes(), expected_path=PATH)
    assert saved.get("first").value == "Typed in a kernel."  # type: ignore[union-attr]

    for learner in ("ama", "ben", "cai"):  # cai submits before answering anything
        nbgrader_submit(course, learner)
    inbound = {p.name.split("+")[0]: p for p in course.inbound().iterdir()}
    assert sorted(inbound) == ["ama", "ben", "cai"]
    assert (inbound["ama"] / FILENAME).is_file() and not (inbound["cai"] / FILENAME).exists()

    report = collect_and_ingest(course.course_config(), store, PATH)
    assert report.counts == {"added": 3}
    ama = store.submission("ama", PATH)
    assert ama is not None and ama.status == "complete"
    typed = {"first": "Typed in a kernel.", "second": "Both given."}
    assert {k: a.value for k, a in ama.sheet.answers.items()} == typed
    states = {s.learner: (s.status, s.blank) for s in store.submissions(PATH)}
    assert states == {"ama": ("complete", 0), "ben": ("incomplete", 1), "cai": ("no-answers", 2)}
    assert {gap.learner for gap in report.not_complete} == {"ben", "cai"}
