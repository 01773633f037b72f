"""The one configuration object: defaults < the course's peerkit_config.py < PEERKIT_* < options,
each value's source reported, bad values refused with the file, variable or option named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from peerkit.cli import cli
from peerkit.config.settings import CONFIG_FILE, ENVIRONMENT, PeerkitConfig, settings_from_env
from peerkit.core.errors import ConfigError


@pytest.fixture
def course_file(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "course.yml").write_text("id: c\n")
    (folder / CONFIG_FILE).write_text(
        "c.PeerkitConfig.db_url = 'sqlite:///from-file.db'\n"
        "c.PeerkitConfig.workdir = 'work'\n"
        "c.PeerkitConfig.auth_cache = 60\n"
        "c.PeerkitConfig.facilitator_group = 'teachers'\n"
    )
    return folder / "course.yml"


def test_file_then_environment_then_options(course_file: Path) -> None:
    from_file = PeerkitConfig.load(env={}, course_file=course_file)
    assert from_file.db_url == "sqlite:///from-file.db" and from_file.auth_cache == 60
    assert from_file.workdir == course_file.parent / "work"  # relative to the file that says it
    assert from_file.source("db_url") == f"file {course_file.parent / CONFIG_FILE}"

    env = {"PEERKIT_DB": "postgresql://env/db", "PEERKIT_AUTH_CACHE": "30"}
    from_env = PeerkitConfig.load(env=env, course_file=course_file)
    assert (from_env.db_url, from_env.auth_cache) == ("postgresql://env/db", 30)
    assert from_env.source("db_url") == "environment PEERKIT_DB"
    assert from_env.facilitator_group == "teachers"  # what the environment does not say, the file does

    explicit = PeerkitConfig.load(env=env, course_file=course_file, db_url="sqlite:///given.db", workdir=None)
    assert explicit.db_url == "sqlite:///given.db" and explicit.source("db_url") == "option --db"
    assert explicit.source("workdir").startswith("file ")  # None means "not given"
    assert explicit.source("course_file") == "option --course"


def test_the_course_file_itself_may_come_from_the_environment(course_file: Path) -> None:
    settings = PeerkitConfig.load(env={"PEERKIT_COURSE": str(course_file)})
    assert settings.course_file == course_file and settings.db_url == "sqlite:///from-file.db"


def test_defaults_and_derived_values(tmp_path: Path) -> None:
    settings = PeerkitConfig.load(env={}, course_file=tmp_path / "none.yml")
    assert settings.workdir == Path(".peerkit") / "demo" and settings.source("workdir") == "default"
    assert settings.exchange is None and settings.exchange_path == settings.workspace.exchange
    assert settings.store_url == settings.workspace.store_url
    assert settings.exchange_backend == "files" and settings.source("exchange_backend").startswith("default")
    hub = PeerkitConfig.load(env={"PEERKIT_SERVICE_URL": "http://hub:9000/services/peerkit/"})
    assert hub.exchange_backend == "hub"
    assert settings_from_env({"PEERKIT_WORKDIR": str(tmp_path)}).workdir == tmp_path


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PEERKIT_AUTH_CACHE": "soon"}, "PEERKIT_AUTH_CACHE"),
        ({"PEERKIT_AUTH_CACHE": "99999"}, "PEERKIT_AUTH_CACHE"),
        ({"PEERKIT_DB": "mysql://x/y"}, "PEERKIT_DB"),
        ({"PEERKIT_EXCHANGE_BACKEND": "carrier-pigeon"}, "PEERKIT_EXCHANGE_BACKEND"),
        ({"PEERKIT_LEARNER": "../etc"}, "PEERKIT_LEARNER"),
        ({"PEERKIT_SERVICE_URL": "ftp://x"}, "PEERKIT_SERVICE_URL"),
    ],
)
def test_bad_values_name_their_source(env: dict[str, str], named: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        PeerkitConfig.load(env=env, course_file=tmp_path / "none.yml")
    assert caught.value.source == f"environment {named}"


def test_a_bad_file_is_named(course_file: Path) -> None:
    config = course_file.parent / CONFIG_FILE
    config.write_text("c.PeerkitConfig.colour = 'blue'\n")
    with pytest.raises(ConfigError, match="no setting 'colour'") as caught:
        PeerkitConfig.load(env={}, course_file=course_file)
    assert caught.value.source == str(config)
    config.write_text("c.PeerkitConfig.db_url = 'nonsense'\n")
    with pytest.raises(ConfigError, match="db_url") as caught:
        PeerkitConfig.load(env={}, course_file=course_file)
    assert caught.value.source == f"file {config}"
    config.write_text("this is not python\n")
    with pytest.raises(ConfigError, match="cannot read it"):
        PeerkitConfig.load(env={}, course_file=course_file)


def test_a_misspelt_setting_given_to_load_is_a_config_error_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no setting 'db_ulr'; fix: did you mean 'db_url'") as caught:
        PeerkitConfig.load(env={}, course_file=tmp_path / "c.yml", db_ulr="sqlite:///x.db")
    assert (caught.value.source, caught.value.where) == ("argument db_ulr", "db_ulr")
    with pytest.raises(ConfigError, match=r"fix: use one of: .*course_file") as caught:
        PeerkitConfig.load(env={}, options={"zzz": 1})
    assert caught.value.where == "zzz"


def test_child_env_hands_the_settings_on(tmp_path: Path) -> None:
    settings = PeerkitConfig.load(env={}, course_file=tmp_path / "c.yml", workdir=tmp_path, db_url="sqlite:///x.db")
    child = settings_from_env(settings.child_env())
    assert (child.course_file, child.workdir, child.db_url) == (tmp_path / "c.yml", tmp_path, "sqlite:///x.db")
    assert set(settings.child_env()) <= set(ENVIRONMENT.values())


def test_config_show_prints_every_value_and_its_source(course_file: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["config", "show", "--course", str(course_file), "--db", "sqlite:///cli.db"],
        env={"PEERKIT_AUTH_CACHE": "45"},
    )
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert set(lines) == set(ENVIRONMENT)
    assert "sqlite:///cli.db" in lines["db_url"] and lines["db_url"].endswith("[option --db]")
    assert " 45 " in lines["auth_cache"] and lines["auth_cache"].endswith("[environment PEERKIT_AUTH_CACHE]")
    assert lines["facilitator_group"].endswith(f"[file {course_file.parent / CONFIG_FILE}]")
    assert lines["port"].endswith("[default]")


def test_config_show_names_a_bad_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["config", "show", "--course", str(tmp_path / "c.yml"), "--db", "nope"])
    assert result.exit_code == 1 and "--db" in result.output and "db_url" in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "c.PeerKitConfig.port = 9000",
            "c.PeerKitConfig is not a class peerkit reads, c.PeerkitConfig is; fix: write c.PeerkitConfig.port",
        ),
        (
            "c.port = 9000",
            "c.port is not a setting (settings are written c.PeerkitConfig.<name>); fix: write c.PeerkitConfig.port",
        ),
        (
            "c.CourseDirectory.root = '/srv'",
            "c.CourseDirectory: this file holds peerkit's settings only (c.PeerkitConfig.<name>);"
            " fix: remove it (nbgrader's settings go in nbgrader_config.py beside it)",
        ),
    ],
)
def test_a_misspelt_or_foreign_class_is_refused_not_ignored(course_file: Path, line: str, message: str) -> None:
    config = course_file.parent / CONFIG_FILE
    config.write_text(line + "\n")
    with pytest.raises(ConfigError) as caught:
        PeerkitConfig.load(env={}, course_file=course_file)
    assert str(caught.value) == f"{config}: {message}"


def test_a_value_of_the_wrong_kind_says_which_kind_and_a_long_one_is_cut(course_file: Path) -> None:
    config = course_file.parent / CONFIG_FILE
    config.write_text("c.PeerkitConfig.port = 'ninety'\n")
    with pytest.raises(ConfigError) as caught:
        PeerkitConfig.load(env={}, course_file=course_file)
    assert str(caught.value) == (
        f"file {config}: bad value for port: The 'port' trait of a PeerkitConfig instance expected an int,"
        " not the str 'ninety'; fix: set it to an int"
    )
    config.write_text("c.PeerkitConfig.service_url = 'x' * 1_000_000\n")
    with pytest.raises(ConfigError) as caught:
        PeerkitConfig.load(env={}, course_file=course_file)
    assert len(str(caught.value)) < len(str(config)) + 250 and str(caught.value).endswith("' is not an http(s) URL")


def test_a_course_is_found_from_a_folder_inside_it_with_its_own_work_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course_file = tmp_path / "my-course" / "course" / "course.yml"
    course_file.parent.mkdir(parents=True)
    course_file.write_text("id: c\n")
    monkeypatch.chdir(course_file.parent)
    settings = PeerkitConfig.load(env={})
    assert settings.course_file == course_file and not settings.bundled_course
    assert settings.workdir == tmp_path / "my-course" / ".peerkit" / "demo"  # not my-course/course/.peerkit
    assert settings.source("course_file") == "found: the course folder is a folder above the current one"
    settings.require_course()  # a course of one's own: nothing to refuse
    monkeypatch.chdir(tmp_path / "my-course")
    here = PeerkitConfig.load(env={})
    assert here.workdir == Path(".peerkit") / "demo" and here.course_file == course_file


def test_outside_a_course_folder_only_the_bundled_course_is_there_and_it_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = PeerkitConfig.load(env={})
    assert settings.bundled_course and "no course/course.yml here or in a parent folder" in settings.source(
        "course_file"
    )
    with pytest.raises(ConfigError) as caught:
        settings.require_course()
    assert str(caught.value) == (
        f"no course/course.yml here or in a parent folder ({tmp_path}); fix: cd into your course folder, or "
        "make one with `peerkit init FOLDER`, or name it with --course (or $PEERKIT_COURSE)"
    )
    named = PeerkitConfig.load(env={"PEERKIT_COURSE": str(tmp_path / "c.yml")})
    assert not named.bundled_course
    named.require_course()
