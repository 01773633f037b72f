"""Build a course with nbgrader: notebooks/ → source/ → generate_assignment → release_assignment.

``notebooks/`` is the single source of the course's notebooks. The build copies each path's notebook
into the course root's ``source/<path>/<path>.ipynb``, stamping ``metadata.peerkit`` (course, path,
title, position...) so that the learner's course home can describe a path from its notebook alone,
then runs nbgrader's ``GenerateAssignment`` and the exchange's ``ReleaseAssignment`` in-process.
A path whose stamped notebook and course config are unchanged since its last release is skipped,
so running the build twice costs almost nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.config.notebooks import check_notebooks
from peerkit.core import documents
from peerkit.core.errors import ConfigError, shown
from peerkit.core.models import Course, LearningPath
from peerkit.core.packets import rubric_document
from peerkit.core.practice import METADATA_FIELD as METADATA_PRACTICE
from peerkit.core.practice import practice_document
from peerkit.core.progress import Progress, stage
from peerkit.nbgrader.checks import check_nbgrader_config, check_points, read_notebook
from peerkit.nbgrader.config import course_config, ensure_scripts_on_path, render_config_file
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app
from peerkit.storage.atomic import write_atomic

log = logging.getLogger(__name__)

METADATA_KEY = "peerkit"
STAMP_FILE = ".peerkit-build.json"


@dataclass(frozen=True, slots=True)
class CourseBuild:
    """Where a course is built: its nbgrader root and exchange, and the committed nbgrader config."""

    course: Course
    course_root: Path
    exchange_root: Path
    committed_config: Path | None = None
    #: Also write review packets and feedback as files in each learner's review channel beside the
    #: exchange (a local course). Off under JupyterHub, where learners share one Unix user and the
    #: hub service delivers them instead.
    channel_files: bool = True

    @property
    def channel_root(self) -> Path | None:
        """The exchange root for review channel files, or None when they are not written."""
        return self.exchange_root if self.channel_files else None

    def config(self) -> Config:
        return course_config(
            course_id=self.course.id,
            course_root=self.course_root,
            exchange_root=self.exchange_root,
            committed=self.committed_config,
        )

    def outbound(self, path_id: str) -> Path:
        return self.exchange_root / self.course.id / "outbound" / path_id


@dataclass(frozen=True, slots=True)
class BuildResult:
    path_id: str
    released: bool  # False when skipped because nothing changed


def path_metadata(course: Course, path: LearningPath) -> dict[str, Any]:
    """What the build stamps into ``metadata.peerkit`` of a path's notebook (readers parse it back
    with :data:`peerkit.core.documents.NOTEBOOK`, which checks its ``schema_version``)."""
    return documents.dump(
        documents.NOTEBOOK,
        {
            "course": course.id,
            "course_title": course.title,
            "path": path.id,
            "title": path.title,
            "position": course.position(path.id),
            # What learners see: "Path 3 of 6" (number None: the course's "Start here" path).
            "number": course.number(path.id),
            "numbered_paths": course.numbered_paths,
            "reviews_to_write": path.review.per_submission if path.review else None,
            "due": path.due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if path.due else None,
            "summary": path.summary,
            "minutes": path.minutes,
            "points": path.points,
            "peer_review": path.peer_review,
            # The topic vocabulary, for the profile's chips: a learner's page has no course.yml.
            "topics": [{"id": t.id, "label": t.label, "words": list(t.words)} for t in course.topics],
            # The course project's parts: a path page shows a learner's earlier parts and the capstone
            # assembles them, from the learner's own answers in the folders of these paths.
            "project": [
                {"id": p.id, "title": p.title, "path": p.path, "position": course.position(p.path), "prompt": p.prompt}
                for p in course.project
            ],
        },
    )


def stamped_notebook(course: Course, path: LearningPath) -> bytes:
    """The path's source notebook with ``metadata.peerkit`` set, as nbformat JSON bytes."""
    import nbformat

    source, graded = read_notebook(path.notebook, path_id=path.id)
    check_points(course, path, graded)
    try:
        nb = nbformat.reads(source, as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise ConfigError(
            f"notebook of path {path.id!r} cannot be read: {shown(str(exc), 200)}; fix: open it in Jupyter and save it",
            source=str(path.notebook),
        ) from exc
    nb.metadata[METADATA_KEY] = path_metadata(course, path)
    text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    return text.encode("utf-8")


def write_course_root_config(build: CourseBuild) -> Path:
    """Write ``<course_root>/nbgrader_config.py`` so nbgrader's own CLI and formgrader work there too."""
    file = build.course_root / "nbgrader_config.py"
    values = {
        "CourseDirectory": {"course_id": build.course.id, "root": str(build.course_root)},
        "Exchange": {"root": str(build.exchange_root)},
    }
    header = "Generated by `peerkit build`; edit the course's own nbgrader_config.py instead."
    text = render_config_file(values, include=build.committed_config, header=header)
    write_atomic(file, text.encode("utf-8"))
    return file


def _read_stamps(build: CourseBuild) -> dict[str, str]:
    try:
        data = json.loads((build.course_root / STAMP_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_stamps(build: CourseBuild, stamps: dict[str, str]) -> None:
    write_atomic(build.course_root / STAMP_FILE, json.dumps(stamps, indent=1, sort_keys=True).encode())


def prepare_exchange(root: Path) -> None:
    """Create the exchange root, writable by every learner (nbgrader needs it to exist)."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o777)  # every learner writes submissions into it: nbgrader's exchange is shared by design


REVIEW_CELLS = (
    ("setup", "from peerkit.apps.review import ReviewPage\n\npage = ReviewPage({path!r})\npage.banner()"),
    ("packets", "page.view"),
    ("progress", "page.progress()"),
    ("submit", 'page.submit(label="Submit my reviews")'),
)


def review_summary(path_title: str, rubric_title: str, count: int) -> str:
    """The review assignment's line on the course home. The rubric's title is quoted as it is written:
    it may be a name ("Capstone review") or a phrase ("A group that can run") that takes no article."""
    work = "one classmate's submission" if count == 1 else f"{count} classmates' submissions"
    return f"Review {work} of “{path_title}” with the rubric “{rubric_title}”, then assess your own."


def review_notebook(course: Course, path: LearningPath) -> bytes:
    """The notebook of ``<path>-review``: the review app for *path*, as an nbgrader assignment."""
    import nbformat

    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    locked = {"schema_version": 3, "grade": False, "solution": False, "locked": True, "task": False}
    # Cell ids are fixed (nbformat would draw random ones): the build skips an assignment whose bytes
    # are unchanged, so random ids would re-release every review assignment on every build.
    nb.cells = [
        nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
            code.format(path=path.id), id=grade_id, metadata={"nbgrader": {**locked, "grade_id": grade_id}}
        )
        for grade_id, code in REVIEW_CELLS
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    # The page's <title> (Voilà's template reads metadata.title, else shows the file name).
    nb.metadata["title"] = f"Review: {path.title}"
    rubric = course.rubric_for(path.id)
    nb.metadata[METADATA_KEY] = {
        **path_metadata(course, path),
        "path": path.review_id,
        "title": f"Review: {path.title}",
        "summary": review_summary(path.title, rubric.title, path.review.per_submission if path.review else 3),
        "minutes": 30,
        "points": 0,
        "peer_review": False,
        "review_of": path.id,
        "review_mode": path.review.mode if path.review else "round",
        # The path's practice examples and their rubric: the review page offers them before a learner's
        # first review, even before any peer's work or round manifest has reached them (course material,
        # the same for every learner, so they travel with the assignment every learner fetches).
        METADATA_PRACTICE: practice_document(rubric_document(rubric), course.examples.get(path.id, ())),
    }
    text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    return text.encode("utf-8")


def assignments(course: Course, paths: list[str] | None = None) -> list[tuple[str, str, bytes]]:
    """(assignment id, notebook name, notebook bytes) of every path and every path's review assignment."""
    wanted = [course.path(p) for p in paths] if paths else list(course.paths)
    result = []
    for path in wanted:
        result.append((path.id, path.notebook_name, stamped_notebook(course, path)))
        if path.review is not None:
            result.append((path.review_id, f"{path.review_id}.ipynb", review_notebook(course, path)))
    return result


def build_course(
    build: CourseBuild, *, paths: list[str] | None = None, force: bool = False, progress: Progress | None = None
) -> list[BuildResult]:
    """Generate and release every path of the course (or only *paths*), and the review assignment
    of each peer-reviewed one; return what was done. *progress* hears each assignment done."""
    todo = assignments(build.course, paths)  # every notebook read and checked before anything is written
    check_notebooks(build.course, paths or ())  # and its code as the author wrote it, whoever builds
    check_nbgrader_config(build.committed_config)
    ensure_scripts_on_path()
    build.course_root.mkdir(parents=True, exist_ok=True)
    prepare_exchange(build.exchange_root)
    write_course_root_config(build)
    config = build.config()
    committed = (
        build.committed_config.read_bytes() if build.committed_config and build.committed_config.is_file() else b""
    )
    stamps = _read_stamps(build)
    results: list[BuildResult] = []
    stage(progress, "releasing assignments", len(todo))
    for assignment_id, notebook_name, notebook in todo:
        if progress is not None and results:
            progress(len(results), len(todo))
        digest = hashlib.sha256(notebook + b"\0" + committed).hexdigest()
        if not force and stamps.get(assignment_id) == digest and build.outbound(assignment_id).is_dir():
            results.append(BuildResult(assignment_id, released=False))
            continue
        if stamps.pop(assignment_id, None) is not None:
            # Forgotten before nbgrader replaces the published copy: a build killed part-way leaves the
            # path to be rebuilt by the next run, not skipped as if released whole.
            _write_stamps(build, stamps)
        source_dir = build.course_root / "source" / assignment_id
        source_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(source_dir / notebook_name, notebook)
        parts = make_parts(config, assignment_id=assignment_id)
        from nbgrader.converters import GenerateAssignment

        generate = GenerateAssignment(coursedir=parts.coursedir, config=config)
        generate.force = True
        generate.create_assignment = True
        run_app(generate, f"generate_assignment {assignment_id}")
        run_app(parts.step("ReleaseAssignment", force=True), f"release_assignment {assignment_id}")
        stamps[assignment_id] = digest
        _write_stamps(build, stamps)
        log.info("released %s", assignment_id)
        results.append(BuildResult(assignment_id, released=True))
    if progress is not None:
        progress(len(results), len(todo))
    return results
