"""pyproject.toml and environment.yml list the same dependencies with the same version ranges."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return {normalise(Requirement(r).name): str(Requirement(r).specifier) for r in reqs}


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not dep.startswith(("python=", "pip")):
            match = re.match(r"^([A-Za-z0-9_.-]+)(.*)$", dep)
            assert match, dep
            found[normalise(match.group(1))] = str(Requirement("x" + match.group(2)).specifier)
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
