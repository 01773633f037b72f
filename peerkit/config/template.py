"""The course template that ships with peerkit, and ``peerkit init``: a new course folder made from it.

The repository's ``course/`` and ``notebooks/`` are the one source of the course. A wheel carries a
copy of them in ``peerkit/course_template/`` (setup.py's build hook puts it there); an editable
install or a checkout reads them where they are. :func:`template_root` finds whichever is there, so
``peerkit init`` works the same from PyPI and from a clone.

A course folder mirrors the repository's top level::

    <folder>/
      course/course.yml          the course definition (its notebook paths are ../notebooks/...)
      course/rubrics.yml         the review rubrics
      course/examples.yml        the practice examples offered before a learner's first review
      course/nbgrader_config.py  nbgrader settings that travel with the course
      course/peerkit_config.py   peerkit's settings, every default written out as a comment
      course/demo/cohort.yml     the demo's synthetic peers (only with ``--demo``)
      notebooks/*.ipynb          one notebook per path

``peerkit serve``, ``peerkit build`` and every facilitator command then run from ``<folder>`` (or a
folder inside it): they look for ``course/course.yml`` in the current folder, then in the folders
above it (:func:`peerkit.config.course.find_course_file`).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from peerkit.core.errors import ConfigError

#: Where a wheel holds the template, inside the package.
PACKAGED = "course_template"
COURSE_FILE = Path("course") / "course.yml"
DEMO_COHORT = Path("course") / "demo" / "cohort.yml"
#: The template's files, relative to its root, as (folder, glob patterns). setup.py copies the same.
FILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("course", ("course.yml", "rubrics.yml", "examples.yml", "nbgrader_config.py", "demo/cohort.yml")),
    ("notebooks", ("*.ipynb",)),
)
SETTINGS_FILE = Path("course") / "peerkit_config.py"


def _is_template(root: Path) -> bool:
    return (root / COURSE_FILE).is_file() and (root / "notebooks").is_dir()


def template_root() -> Path:
    """The folder holding the template's ``course/`` and ``notebooks/``: the wheel's copy, else the
    source checkout this module runs from (an editable install). Raises :class:`ConfigError` when
    neither is there (a broken install)."""
    packaged = Path(str(resources.files("peerkit").joinpath(PACKAGED)))
    if _is_template(packaged):
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if _is_template(checkout):
        return checkout
    raise ConfigError(
        "peerkit's course template is missing from this installation; reinstall peerkit "
        "(pip install --force-reinstall peerkit)",
        source=str(packaged),
    )


def template_files(root: Path | None = None) -> list[Path]:
    """The template's files, relative to *root* (default :func:`template_root`), sorted."""
    base = template_root() if root is None else root
    found = {
        path.relative_to(base)
        for folder, patterns in FILES
        for pattern in patterns
        for path in (base / folder).glob(pattern)
        if path.is_file()
    }
    return sorted(found)


@dataclass(frozen=True, slots=True)
class CourseFolder:
    """What :func:`create_course` made: the folder, its course definition and the files written."""

    root: Path
    course_file: Path
    written: tuple[Path, ...]
    #: Files left as they were (``--force`` keeps a course's own ``peerkit_config.py``).
    kept: tuple[Path, ...]
    demo: bool
    #: Whether a course was there already (``--force``).
    refreshed: bool = False

    def summary(self) -> str:
        done = "refreshed" if self.refreshed else "created"
        lines = [f"{done} the course in {self.root} ({len(self.written)} files written)"]
        if self.kept:
            lines.append("  kept: " + ", ".join(str(p) for p in self.kept))
        if not self.demo:
            lines.append("  no demo cohort (peerkit init --demo adds course/demo/cohort.yml)")
        lines.append(f"next: cd {self.root} && peerkit serve")
        return "\n".join(lines)


def create_course(folder: Path | str, *, demo: bool = False, force: bool = False) -> CourseFolder:
    """Copy the template into *folder* (created if missing) and write ``course/peerkit_config.py``.

    The demo cohort is copied only with *demo*. An existing course is never overwritten unless
    *force*: then the template's files are written again and the course's ``peerkit_config.py`` is
    kept. Raises :class:`ConfigError` naming the first file that is in the way."""
    root = Path(folder).expanduser().resolve()
    source = template_root()
    if root == source or (root / COURSE_FILE).resolve() == (source / COURSE_FILE).resolve():
        raise ConfigError("this is the template itself; choose another folder", source=str(root))
    wanted = [f for f in template_files(source) if demo or f != DEMO_COHORT]
    if root.exists() and not root.is_dir():
        raise ConfigError("not a folder; choose another name", source=str(root))
    if not force:
        in_way = [f for f in (*wanted, SETTINGS_FILE) if (root / f).exists()]
        if in_way:
            raise ConfigError(
                f"a course is already here ({in_way[0]} exists); use another folder, or --force to refresh "
                "its course files from the template (its peerkit_config.py is kept)",
                source=str(root),
            )
    refreshed = (root / COURSE_FILE).exists()
    written: list[Path] = []
    for relative in wanted:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((source / relative).read_bytes())
        written.append(relative)
    kept: list[Path] = []
    settings = root / SETTINGS_FILE
    if settings.exists():
        kept.append(SETTINGS_FILE)
    else:
        settings.write_text(settings_template(), encoding="utf-8")
        written.append(SETTINGS_FILE)
    return CourseFolder(
        root=root,
        course_file=root / COURSE_FILE,
        written=tuple(written),
        kept=tuple(kept),
        demo=demo,
        refreshed=refreshed,
    )


def settings_template() -> str:
    """``peerkit_config.py`` for a new course: every setting of
    :class:`~peerkit.config.settings.PeerkitConfig` with its help and its default, commented out."""
    from peerkit.config.settings import ENVIRONMENT, PeerkitConfig

    lines = [
        "# peerkit's settings for this course, read by every peerkit command run from the course folder.",
        "# Each line below is a default: uncomment it to change it. Relative paths are relative to this",
        "# file's folder. A PEERKIT_* variable overrides this file, a command's option overrides both;",
        "# `peerkit config show` prints each effective value and where it came from.",
        "c = get_config()  # noqa: F821 - provided by traitlets when it runs this file",
        "",
    ]
    # Defaults computed at run time, as this file would write them: the workdir relative to this file.
    defaults: dict[str, object] = {"workdir": "../.peerkit/demo", "exchange_backend": "files"}
    fresh = PeerkitConfig()  # its defaults, dynamic ones included
    for name, trait in sorted(PeerkitConfig.class_traits(config=True).items()):
        if name == "course_file":
            continue  # this file is found beside the course definition: it cannot move it
        help_text = " ".join(str(trait.help).split()) + f" (${ENVIRONMENT[name]})"
        lines.extend(textwrap.wrap(help_text, width=100, initial_indent="# ", subsequent_indent="# "))
        value = defaults[name] if name in defaults else getattr(fresh, name)
        shown = json.dumps("" if value is None else value if isinstance(value, int | dict) else str(value))
        lines.append(f"# c.PeerkitConfig.{name} = {shown}")
        lines.append("")
    return "\n".join(lines)
