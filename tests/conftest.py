"""Shared fixtures: one temporary course (built with the real nbgrader), isolated Jupyter paths.

``course`` builds a small purpose-made course (two paths, notebooks written with nbformat) into a
temporary workspace: nbgrader course root, filesystem exchange and SQLite gradebook, all real.
``real_course`` does the same with the repository's own ``course/course.yml``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from traitlets.config import Config

from peerkit.config.course import load_course
from peerkit.config.workspace import Workspace
from peerkit.core.models import Course
from peerkit.demo import course_build, fetch_all, setup_learner
from peerkit.nbgrader.build import CourseBuild, build_course, write_course_root_config
from peerkit.nbgrader.config import load_config
from peerkit.storage.sql import SqlStore
from tests.postgres_server import PostgresServer, server_bin, throwaway_postgres

REPO = Path(__file__).resolve().parent.parent
COURSE_FILE = REPO / "course" / "course.yml"
COMMITTED_CONFIG = REPO / "course" / "nbgrader_config.py"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when a real part is missing on a developer machine; fail under CI=true."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing real part is a failure, not a skip)")
    pytest.skip(reason)


#: Under CI, no test starts after this many seconds of the session (PEERKIT_SUITE_BUDGET): a part
#: that hangs then fails the rest of the run with this reason, and CI reports what happened, instead of
#: the run being cut off at CI's limit (90 minutes, setup included) with nothing said. The suite takes
#: under 20 minutes; each test is also bounded by pytest-timeout (pyproject.toml).
SUITE_BUDGET = float(os.environ.get("PEERKIT_SUITE_BUDGET", "3600"))
_SESSION_STARTED = time.monotonic()


def pytest_runtest_setup(item: pytest.Item) -> None:
    spent = time.monotonic() - _SESSION_STARTED
    if in_ci() and spent > SUITE_BUDGET:
        pytest.fail(
            f"the suite has run {spent / 60:.0f} min, past its budget of {SUITE_BUDGET / 60:.0f} min "
            "(PEERKIT_SUITE_BUDGET): an earlier test hung or ran far too long; see the durations below"
        )


@pytest.fixture(scope="session", autouse=True)
def isolated_jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test reads the developer's ~/.jupyter or writes into their Jupyter data folder."""
    home = tmp_path_factory.mktemp("home")
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(home))
    patch.setenv("JUPYTER_CONFIG_DIR", str(home / ".jupyter"))
    patch.setenv("JUPYTER_DATA_DIR", str(home / ".local" / "share" / "jupyter"))
    patch.setenv("JUPYTER_RUNTIME_DIR", str(home / ".local" / "share" / "jupyter" / "runtime"))
    patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    patch.setenv("PEERKIT_NO_BOOTSTRAP", "1")
    for key in [k for k in os.environ if k.startswith("JUPYTERHUB_")]:
        patch.delenv(key)
    yield home
    patch.undo()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from tests.browser import CHROMIUM, CHROMIUM_FLAGS

    require(os.path.exists(CHROMIUM), f"Debian's chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (Debian's binaries, a throwaway cluster)."""
    require(server_bin() is not None, "PostgreSQL server binaries are not installed (Debian package postgresql)")
    with throwaway_postgres() as server:
        yield server


_databases = itertools.count()

# A fixture that starts a real part -> the marker every test using it must carry.
MARKER_OF_FIXTURE = {
    "postgres": "postgres",
    "postgres_url": "postgres",
    "browser": "ui",
    "served": "ui",  # tests/ui: a real `peerkit serve` (Voilà)
    "hub": "hub",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts PostgreSQL, a browser, a Voilà server or a hub without its marker is a collection error.

    ``-m "not postgres"`` then runs no PostgreSQL at all, and ``-m postgres`` selects every such test.
    (``store_url`` reaches PostgreSQL through ``getfixturevalue``: its parameter carries the marker, and
    ``postgres_url`` checks it again at run time.)
    """
    unmarked = [
        f"{item.nodeid} (uses {fixture!r}, lacks @pytest.mark.{marker})"
        for item in items
        for fixture, marker in MARKER_OF_FIXTURE.items()
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None
    ]
    if unmarked:
        raise pytest.UsageError("tests that start a real part lack its marker:\n" + "\n".join(unmarked))


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, postgres: PostgresServer) -> str:
    """A fresh, empty database on the session's PostgreSQL server (only for tests marked ``postgres``)."""
    if request.node.get_closest_marker("postgres") is None:
        pytest.fail(f"{request.node.nodeid} uses PostgreSQL: mark it (or its parameter) with pytest.mark.postgres")
    return postgres.create_database(f"peerkit_test_{os.getpid()}_{next(_databases)}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store test runs against an SQLite file and a real PostgreSQL database (marked ``postgres``)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


@dataclass(frozen=True)
class CourseLayout:
    """A built course in a temporary workspace."""

    course: Course
    workspace: Workspace
    build: CourseBuild

    def enroll(self, learner: str) -> Path:
        """Give *learner* a home, nbgrader config and every released path; return their course folder."""
        setup_learner(self.course, self.workspace, learner)
        fetch_all(self.course, self.workspace, learner, self.build)
        return self.workspace.learner_course_dir(learner, self.course.id)

    def learner_config(self, learner: str) -> Config:
        return load_config([self.workspace.learner_home(learner) / ".jupyter"])

    def folder(self, learner: str, path_id: str) -> Path:
        return self.workspace.learner_course_dir(learner, self.course.id) / path_id

    def course_config(self) -> Config:
        return self.build.config()

    def inbound(self) -> Path:
        return self.workspace.exchange / self.course.id / "inbound"


def path_notebook(path_id: str, answers: list[tuple[str, int]]) -> nbformat.NotebookNode:
    """A minimal path notebook: setup cell, a task cell and a reflection per answer, submit."""
    nb = nbformat.v4.new_notebook()
    locked = {"schema_version": 3, "grade": False, "solution": False, "locked": True, "task": False}
    cells = [
        nbformat.v4.new_code_cell(
            f'from peerkit.widgets import PathPage\npage = PathPage("{path_id}")\npage.banner()',
            metadata={"nbgrader": {**locked, "grade_id": "setup"}},
        ),
        nbformat.v4.new_markdown_cell(f"# Test path {path_id}\n\nSome text to read."),
    ]
    for answer_id, points in answers:
        cells.append(
            nbformat.v4.new_markdown_cell(
                f"## Question {answer_id}",
                metadata={"nbgrader": {**locked, "task": True, "grade_id": answer_id, "points": points}},
            )
        )
        cells.append(
            nbformat.v4.new_code_cell(
                f'page.reflection("{answer_id}", "Question {answer_id}?")',
                metadata={"nbgrader": {**locked, "grade_id": f"{answer_id}-widget"}},
            )
        )
    cells.append(nbformat.v4.new_code_cell("page.submit()", metadata={"nbgrader": {**locked, "grade_id": "submit"}}))
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


EVERY_KIND = [
    ("story", 'page.reflection("story", label="Your story", min_words=5)'),
    ("often", 'page.scale("often", label="How often do you learn from peers?", low="never", high="every day")'),
    ("when", 'page.checklist("when", ["To solve a problem", "To build a skill", "To stay connected"], label="When?")'),
    ("me", 'page.profile("me")'),
    ("next", 'page.plan("next")'),
    ("share", 'page.example("share")'),
]


def every_kind_notebook(path_id: str) -> nbformat.NotebookNode:
    """A path notebook with one activity of every widget kind, a progress bar and Submit."""
    nb = path_notebook(path_id, [])
    locked = {"schema_version": 3, "grade": False, "solution": False, "locked": True, "task": False}
    cells = [nbformat.v4.new_code_cell("page.progress()", metadata={"nbgrader": {**locked, "grade_id": "progress"}})]
    for answer_id, code in EVERY_KIND:
        cells.append(
            nbformat.v4.new_markdown_cell(
                f"## Activity {answer_id}",
                metadata={"nbgrader": {**locked, "task": True, "grade_id": answer_id, "points": 1}},
            )
        )
        cells.append(
            nbformat.v4.new_code_cell(code, metadata={"nbgrader": {**locked, "grade_id": f"{answer_id}-widget"}})
        )
    nb.cells[2:2] = cells
    return nb


def write_kinds_course(root: Path) -> Path:
    """A one-path course whose path shows every widget kind; return its course.yml."""
    (root / "notebooks").mkdir(parents=True)
    (root / "course").mkdir()
    nbformat.write(every_kind_notebook("kinds"), str(root / "notebooks" / "kinds.ipynb"))
    (root / "course" / "course.yml").write_text(
        "id: kinds-course\ntitle: Every widget kind\ndemo: {learner: tester}\n"
        "paths:\n  - {id: kinds, title: Every kind, notebook: ../notebooks/kinds.ipynb, points: 6}\n"
    )
    (root / "course" / "nbgrader_config.py").write_text(COMMITTED_CONFIG.read_text())
    return root / "course" / "course.yml"


TEST_RUBRIC = """\
rubrics:
  - id: default
    title: Essay review
    comment_min_words: 4
    guidance: Be kind, specific and actionable.
    criteria:
      - id: clear
        title: Clear
        levels: [{points: 0, label: Not yet}, {points: 1, label: Partly}, {points: 2, label: Clearly}]
      - id: grounded
        title: Grounded
        levels: [{points: 0, label: Not yet}, {points: 2, label: Clearly}]
"""


TEST_COHORT = "peers:\n" + "".join(
    f"""  - name: {name}
    circle: {circle}
    role: tester
    answers:
      essay: {{story: "{name} learned filing from a colleague.", lesson: "Ask early and often."}}
    reviews:
      essay:
        scores: {{clear: 1, grounded: 2}}
        comments:
          strengths: "You open with “{{quote}}…”, which sets the scene."
          suggestion: "Add one date please now."
"""
    for name, circle in [("pia", "north"), ("quin", "north"), ("rosa", "south"), ("sam", "south")]
)


def write_review_course(root: Path, *, review: str = "{per_submission: 3, replace_after_hours: 48}") -> Path:
    """A one-path course whose path "essay" is peer reviewed as *review* (course.yml's ``review:``; by
    default in rounds, 3 per submission); return course.yml."""
    (root / "notebooks").mkdir(parents=True)
    (root / "course").mkdir()
    nbformat.write(path_notebook("essay", [("story", 3), ("lesson", 2)]), str(root / "notebooks" / "essay.ipynb"))
    (root / "course" / "course.yml").write_text(
        "id: review-course\ntitle: A reviewed course\ndemo: {learner: tester}\n"
        "paths:\n  - {id: essay, title: An essay, notebook: ../notebooks/essay.ipynb, points: 5, peer_review: true,\n"
        f"     review: {review}}}\n"
    )
    (root / "course" / "rubrics.yml").write_text(TEST_RUBRIC)
    (root / "course" / "nbgrader_config.py").write_text(COMMITTED_CONFIG.read_text())
    (root / "course" / "demo").mkdir()
    (root / "course" / "demo" / "cohort.yml").write_text(TEST_COHORT)
    return root / "course" / "course.yml"


def write_test_course(root: Path) -> Path:
    """Write a two-path course definition and its notebooks under *root*; return course.yml."""
    (root / "notebooks").mkdir(parents=True)
    (root / "course").mkdir()
    nbformat.write(path_notebook("alpha", [("first", 2), ("second", 3)]), str(root / "notebooks" / "alpha.ipynb"))
    nbformat.write(path_notebook("beta", [("only", 4)]), str(root / "notebooks" / "beta.ipynb"))
    (root / "course" / "course.yml").write_text(
        "id: test-course\n"
        "title: A test course\n"
        "demo: {learner: tester}\n"
        "paths:\n"
        "  - {id: alpha, title: Alpha path, notebook: ../notebooks/alpha.ipynb,\n"
        "     summary: First., minutes: 5, points: 5}\n"
        "  - {id: beta, title: Beta path, notebook: ../notebooks/beta.ipynb,\n"
        "     summary: Second., minutes: 3, points: 4}\n"
    )
    (root / "course" / "nbgrader_config.py").write_text(COMMITTED_CONFIG.read_text())
    return root / "course" / "course.yml"


def _built(course_file: Path, root: Path) -> CourseLayout:
    course = load_course(course_file)
    workspace = Workspace.at(root / "work")
    build = course_build(course, workspace, course_file.parent / "nbgrader_config.py")
    build_course(build)  # skips every path already released from identical sources
    return CourseLayout(course=course, workspace=workspace, build=build)


def _copy_built(template: Path, tmp_path: Path, course_file: Path) -> CourseLayout:
    """Copy a course built once per session, then point its config at the copy's folders."""
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    layout = _built(tmp_path / course_file.relative_to(template), tmp_path)
    write_course_root_config(layout.build)
    return layout


@pytest.fixture(scope="session")
def _test_course_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("test-course-template")
    course_file = write_test_course(root / "src")
    _built(course_file, root)
    return root, course_file


@pytest.fixture(scope="session")
def _real_course_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("real-course-template")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "course", root / "course")
    _built(root / "course" / "course.yml", root)
    return root, root / "course" / "course.yml"


@pytest.fixture
def course(tmp_path: Path, _test_course_template: tuple[Path, Path]) -> CourseLayout:
    """A small two-path course, generated and released with nbgrader into a temporary exchange."""
    template, course_file = _test_course_template
    return _copy_built(template, tmp_path, course_file)


@pytest.fixture(scope="session")
def _review_course_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("review-course-template")
    course_file = write_review_course(root / "src")
    _built(course_file, root)
    return root, course_file


@pytest.fixture
def review_course(tmp_path: Path, _review_course_template: tuple[Path, Path]) -> CourseLayout:
    """A course with one peer-reviewed path, "essay", and its review assignment "essay-review"."""
    template, course_file = _review_course_template
    return _copy_built(template, tmp_path, course_file)


@pytest.fixture
def real_course(tmp_path: Path, _real_course_template: tuple[Path, Path]) -> CourseLayout:
    """The repository's own course, generated and released into a temporary exchange."""
    template, course_file = _real_course_template
    return _copy_built(template, tmp_path, course_file)
