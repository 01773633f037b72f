"""Put the course template into the package when a wheel is built.

The repository's ``course/`` and ``notebooks/`` are the one source of the course: this hook copies
them into ``peerkit/course_template/`` of the build, so a wheel (and a wheel built from the sdist, which
carries both folders through MANIFEST.in) holds what ``peerkit init`` copies into a new course
folder. An editable install copies nothing: :mod:`peerkit.config.template` reads the checkout.
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: What a course template holds, by folder of the checkout: (folder, file patterns).
TEMPLATE = (
    ("course", ("course.yml", "rubrics.yml", "examples.yml", "nbgrader_config.py", "demo/cohort.yml")),
    ("notebooks", ("*.ipynb",)),
)


def template_files(root: Path) -> list[Path]:
    """The template's files under *root* (a checkout or an unpacked sdist), relative to it."""
    found: list[Path] = []
    for folder, patterns in TEMPLATE:
        for pattern in patterns:
            matches = sorted((root / folder).glob(pattern))
            if not matches:
                raise SystemExit(f"peerkit's course template is incomplete: no {folder}/{pattern} in {root}")
            found.extend(path.relative_to(root) for path in matches)
    return found


class BuildWithTemplate(build_py):
    """``build_py`` that also copies the course template into ``<build>/peerkit/course_template``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the template is read from the checkout
        target = Path(self.build_lib) / "peerkit" / "course_template"
        if target.exists():
            shutil.rmtree(target)
        for relative in template_files(HERE):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / relative, destination)


if __name__ == "__main__":  # setuptools runs this file as __main__; tests import it for template_files
    setup(cmdclass={"build_py": BuildWithTemplate})
