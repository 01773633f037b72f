"""The course template and ``create_course`` (``peerkit init``): a course folder that runs on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from peerkit.config.course import default_course_file, load_course
from peerkit.config.settings import PeerkitConfig
from peerkit.config.template import (
    COURSE_FILE,
    DEMO_COHORT,
    SETTINGS_FILE,
    create_course,
    settings_template,
    template_files,
    template_root,
)
from peerkit.core.errors import ConfigError
from tests.conftest import REPO


def test_in_a_checkout_the_template_is_the_repository_course() -> None:
    """Nothing is maintained twice: an editable install reads course/ and notebooks/ where they are."""
    assert template_root() == REPO
    files = template_files()
    assert COURSE_FILE in files and DEMO_COHORT in files
    assert Path("course/rubrics.yml") in files and Path("course/nbgrader_config.py") in files
    assert Path("course/examples.yml") in files
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(f.name for f in files if f.parent == Path("notebooks")) == notebooks


def test_setup_py_copies_the_same_files_as_the_template_lists() -> None:
    """The build hook (setup.py) and this module name the same files: the wheel holds what init copies."""
    import runpy

    namespace = runpy.run_path(str(REPO / "setup.py"), run_name="not_main")  # defines, does not run setup()
    assert sorted(namespace["template_files"](REPO)) == template_files()


def test_create_course_makes_a_folder_that_loads(tmp_path: Path) -> None:
    made = create_course(tmp_path / "my-course")
    root = tmp_path / "my-course"
    assert made.course_file == root / "course" / "course.yml"
    assert not (root / DEMO_COHORT).exists() and not made.demo
    course = load_course(made.course_file)  # its ../notebooks paths resolve inside the new folder
    assert course.paths and all((root / "notebooks").joinpath(Path(p.notebook).name).is_file() for p in course.paths)
    assert (root / "course" / "nbgrader_config.py").is_file() and (root / "course" / "rubrics.yml").is_file()
    # the practice examples travel with the course: a new course's first review starts with them too
    assert course.examples and course.examples == load_course(REPO / COURSE_FILE).examples
    assert "peerkit init --demo" in made.summary()


def test_demo_adds_the_cohort(tmp_path: Path) -> None:
    made = create_course(tmp_path / "c", demo=True)
    assert (tmp_path / "c" / DEMO_COHORT).read_bytes() == (REPO / DEMO_COHORT).read_bytes()
    assert DEMO_COHORT in made.written


def test_an_existing_course_is_never_overwritten(tmp_path: Path) -> None:
    create_course(tmp_path / "c")
    course_file = tmp_path / "c" / COURSE_FILE
    course_file.write_text("id: mine\n")
    with pytest.raises(ConfigError, match=r"a course is already here \(course/course.yml exists\).*--force"):
        create_course(tmp_path / "c")
    assert course_file.read_text() == "id: mine\n"


def test_force_refreshes_the_course_and_keeps_its_settings(tmp_path: Path) -> None:
    create_course(tmp_path / "c")
    (tmp_path / "c" / COURSE_FILE).write_text("id: mine\n")
    settings = tmp_path / "c" / SETTINGS_FILE
    settings.write_text("c = get_config()  # noqa: F821\nc.PeerkitConfig.port = 9000\n")
    made = create_course(tmp_path / "c", force=True)
    assert made.refreshed and made.kept == (SETTINGS_FILE,) and "refreshed" in made.summary()
    assert (tmp_path / "c" / COURSE_FILE).read_bytes() == (REPO / COURSE_FILE).read_bytes()
    assert "port = 9000" in settings.read_text()


def test_a_file_in_the_way_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="not a folder"):
        create_course(tmp_path / "file")


def test_the_template_itself_is_refused() -> None:
    with pytest.raises(ConfigError, match="template itself"):
        create_course(REPO, force=True)


def test_the_settings_file_lists_every_setting_commented_and_loads_as_the_defaults(tmp_path: Path) -> None:
    text = settings_template()
    for name in PeerkitConfig.class_trait_names(config=True):
        if name != "course_file":
            assert f"# c.PeerkitConfig.{name} = " in text, name
    assert all(line.startswith(("#", "c = ")) or not line for line in text.splitlines())
    made = create_course(tmp_path / "c")
    defaults = PeerkitConfig.load(env={}, course_file=made.course_file)
    assert {n for n, _v, s in defaults.rows() if s.startswith("file")} == set()


def test_uncommenting_a_default_keeps_it(tmp_path: Path) -> None:
    """Each commented line is the real default: uncommented, it changes nothing."""
    made = create_course(tmp_path / "c")
    settings = made.root / SETTINGS_FILE
    lines = [
        line.removeprefix("# ") if line.startswith("# c.PeerkitConfig.") else line
        for line in settings_template().splitlines()
    ]
    settings.write_text("\n".join(lines) + "\n")
    baseline = PeerkitConfig.load(env={}, course_file=made.course_file, config_file=tmp_path / "none.py")
    uncommented = PeerkitConfig.load(env={}, course_file=made.course_file)
    assert uncommented.sources["port"] == f"file {settings}"
    for name in ("port", "auth_cache", "db_url", "exchange_backend", "learner", "exchange", "course_root"):
        assert getattr(uncommented, name) == getattr(baseline, name), name
    assert uncommented.workdir == made.root / ".peerkit" / "demo"


def test_commands_run_in_a_course_folder_find_its_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = create_course(tmp_path / "c")
    monkeypatch.chdir(made.root)
    assert default_course_file() == made.course_file
    monkeypatch.chdir(tmp_path)
    assert default_course_file() == REPO / COURSE_FILE  # no course here: the template's (the demo)
