"""pyproject.toml and environment.yml list the same dependencies with the same version ranges."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO

#: conda-forge packages whose name differs from the PyPI distribution's.
CONDA_NAMES = {"python-build": "build"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    # "peerkit[dashboard,hub,postgres]" in the test extra names other extras, not another package
    return {
        normalise(Requirement(r).name): str(Requirement(r).specifier) for r in reqs if Requirement(r).name != "peerkit"
    }


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not dep.startswith(("python=", "pip")):
            match = re.match(r"^([A-Za-z0-9_.-]+)(.*)$", dep)
            assert match, dep
            found[CONDA_NAMES.get(match.group(1), normalise(match.group(1)))] = str(
                Requirement("x" + match.group(2)).specifier
            )
    return found


def test_environment_yml_matches_pyproject() -> None:
    assert conda_requirements() == pyproject_requirements()


def test_backbone_versions_are_the_agreed_ones() -> None:
    reqs = pyproject_requirements()
    assert reqs["jupyterlab"] == "<4.7,>=4.6"
    assert reqs["nbgrader"] == "<0.10,>=0.9.6"
    assert reqs["ipywidgets"] == "<8.2,>=8.1"
    assert reqs["voila"] == "<0.6,>=0.5.13"


def test_python_is_pinned_to_3_11_in_both() -> None:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"] == ">=3.11,<3.12"


def test_the_test_extra_installs_every_other_extra() -> None:
    """`pip install -e .[test]` (tests/bootstrap.py) must bring what the whole suite imports."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    self_reference = [Requirement(r) for r in extras["test"] if Requirement(r).name == "peerkit"]
    assert len(self_reference) == 1
    assert self_reference[0].extras >= {"dashboard", "hub", "postgres"}
    assert set(extras) >= {"dashboard", "hub", "postgres", "test"}


def test_a_learner_install_leaves_out_the_dashboard_and_the_hub() -> None:
    core = {
        normalise(Requirement(r).name)
        for r in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    assert not core & {"matplotlib", "scikit-learn", "jupyterhub", "psycopg"}
    # what deptry found imported but undeclared (issue 17)
    assert core >= {"traitlets", "tornado", "nbformat", "jupyter-core", "python-dateutil"}


def test_the_extras_module_names_each_extra_of_pyproject() -> None:
    from peerkit.config.extras import EXTRAS

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    imports = {"matplotlib": "matplotlib", "sklearn": "scikit-learn", "jupyterhub": "jupyterhub", "psycopg": "psycopg"}
    for extra, modules in EXTRAS.items():
        assert {imports[m] for m in modules} <= {normalise(Requirement(r).name) for r in extras[extra]}, extra


def test_the_sdist_and_the_licence_are_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    assert "BSD 3-Clause License" in (REPO / "LICENSE").read_text()
    manifest = (REPO / "MANIFEST.in").read_text()
    for needed in ("LICENSE", "CHANGELOG.md", "course/course.yml", "course/demo/cohort.yml", "notebooks"):
        assert needed in manifest
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert "## [0.1.0]" in changelog
