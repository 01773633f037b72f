"""The Zero to JupyterHub values in docs/hub/: valid for the real chart, and wired the way peerkit
expects (the service, its token and URL, roles and scopes, the learners' environment and volumes).

The chart's JSON Schema and default values sit in tests/data/z2jh/ (copied unchanged from
jupyterhub/zero-to-jupyterhub-k8s, BSD-3-Clause). Like ``helm install``, the values are merged over
the defaults (maps merged key by key, everything else replaced) and validated, with no cluster.
"""

from __future__ import annotations

import copy
import json
import os
import re
import runpy
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from traitlets.config import Config

from peerkit.service.auth import FACILITATE_SCOPE

REPO = Path(__file__).resolve().parents[1]
CHART = REPO / "tests" / "data" / "z2jh"
VALUES = REPO / "docs" / "hub" / "z2jh-values.yaml"
HUB_CONFIG = REPO / "docs" / "hub" / "jupyterhub_config.py"
COURSE_FILE = REPO / "course" / "course.yml"
#: The peerkit service's own Deployment, Service and volumes (checked in tests/test_k8s_service.py).
SERVICE_MANIFEST = REPO / "docs" / "hub" / "peerkit-service.yaml"
#: The guide's my-site.yaml, given to helm after VALUES: the site's own image among others.
SITE_EXAMPLE = REPO / "docs" / "hub" / "my-site.example.yaml"


def merge(base: Any, override: Any) -> Any:
    """Helm's coalescing of a values file over the chart's defaults."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(override)


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    ours = yaml.safe_load(VALUES.read_text())
    merged: dict[str, Any] = merge(defaults, ours)
    return merged


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def local_hub_config(**environ: str) -> Any:
    """docs/hub/jupyterhub_config.py, loaded as the hub loads it, for the repository's course."""
    saved = dict(os.environ)
    os.environ.pop("PEERKIT_COURSE_ID", None)
    os.environ.update({"PEERKIT_COURSE_FILE": str(COURSE_FILE), **environ})
    try:
        return runpy.run_path(str(HUB_CONFIG), init_globals={"get_config": Config})["c"]
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_values_merged_over_the_defaults_validate_against_the_chart_schema(values: dict[str, Any]) -> None:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(values), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_guides_my_site_yaml_merged_over_the_values_validates_and_changes_every_image(
    values: dict[str, Any],
) -> None:
    """helm ... --values z2jh-values.yaml --values my-site.yaml: still valid for the chart; the site's
    image in the user pods and the sidecar alike; the sidecar, a list item repeated whole, the same
    as the values' but for its image."""
    site = yaml.safe_load(SITE_EXAMPLE.read_text())
    merged = merge(values, site)
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(merged), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
    image = f"{merged['singleuser']['image']['name']}:{merged['singleuser']['image']['tag']}"
    assert image == "ghcr.io/<you>/peerkit:0.1.0"  # the name the guide builds, pushes and overlays
    assert [c["image"] for c in merged["hub"]["extraContainers"]] == [image]
    ours = {c["name"]: c for c in values["hub"]["extraContainers"]}
    for container in merged["hub"]["extraContainers"]:
        assert {**container, "image": None} == {**ours[container["name"]], "image": None}, container["name"]
    assert merged["hub"]["db"]["password"] and course_ids_in_values(merged) == {course_id_of_course_yml()}
    assert "```{literalinclude} hub/my-site.example.yaml" in GUIDE.read_text()


def test_a_my_site_yaml_that_drifts_from_the_sidecar_is_caught(values: dict[str, Any]) -> None:
    site = yaml.safe_load(SITE_EXAMPLE.read_text())
    site["hub"]["extraContainers"][0]["workingDir"] = "/srv/elsewhere"
    container = merge(values, site)["hub"]["extraContainers"][0]
    assert {**container, "image": None} != {**values["hub"]["extraContainers"][0], "image": None}


def test_the_schema_would_catch_a_mistake(values: dict[str, Any]) -> None:
    """The check has teeth: a misspelt key is refused by the same validation."""
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    broken = merge(values, {"hub": {"extraContainer": []}})
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_learners_servers_reach_the_service_as_themselves(values: dict[str, Any]) -> None:
    """The service's address, its pods and its volumes: tests/test_k8s_service.py, with its manifest."""
    single = values["singleuser"]
    assert single["extraEnv"]["PEERKIT_SERVICE_URL"].endswith("/services/peerkit/")
    scopes = values["hub"]["config"]["Spawner"]["server_token_scopes"]
    assert {"access:services!service=peerkit", "read:users:groups!user", "users:activity!user"} <= set(scopes)
    assert single["cmd"] == "peerkit-singleuser"
    # nbgrader's exchange: the same volume at the same path in the user pods, the sidecar and the service.
    mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert mounts["nbgrader-exchange"] == single["extraEnv"]["PEERKIT_EXCHANGE"]
    nbgrader_config = single["extraFiles"]["nbgrader-config"]["stringData"]
    assert f'c.Exchange.root = "{mounts["nbgrader-exchange"]}"' in nbgrader_config
    assert "c.Exchange.path_includes_course = True" in nbgrader_config
    assert f'c.CourseDirectory.course_id = "{single["extraEnv"]["PEERKIT_COURSE_ID"]}"' in nbgrader_config


def test_roles_and_scopes_match_the_single_host_config_the_hub_tests_run(values: dict[str, Any]) -> None:
    """docs/hub/jupyterhub_config.py (run by tests/hub) and these values grant the same things."""
    config = local_hub_config()
    hub_config = values["hub"]["config"]
    assert set(hub_config["Spawner"]["server_token_scopes"]) == set(config.Spawner.server_token_scopes)
    assert set(hub_config["JupyterHub"]["custom_scopes"]) == set(config.JupyterHub.custom_scopes) == {FACILITATE_SCOPE}
    local_roles = {r["name"]: r for r in config.JupyterHub.load_roles}
    assert set(values["hub"]["loadRoles"]["user"]["scopes"]) == set(local_roles["user"]["scopes"])
    course = values["singleuser"]["extraEnv"]["PEERKIT_COURSE_ID"]
    facilitators = values["hub"]["loadRoles"][f"facilitator-{course}"]
    assert facilitators["groups"] == [f"formgrade-{course}"] and FACILITATE_SCOPE in facilitators["scopes"]
    assert {f"formgrade-{course}", f"nbgrader-{course}"} == set(hub_config["JupyterHub"]["load_groups"])


def test_the_course_service_sidecar_serves_formgrader_and_dashboard_to_facilitators(values: dict[str, Any]) -> None:
    """The hub pod's sidecar (tests/hub/ also runs it beside a real hub): registered, reachable only
    through the proxy, given its own token, the store and the exchange, and open to facilitators."""
    course_sidecar = next(c for c in values["hub"]["extraContainers"] if c["name"] == "course-service")
    env = env_of(course_sidecar)
    name = env["JUPYTERHUB_SERVICE_NAME"]
    course = values["singleuser"]["extraEnv"]["PEERKIT_COURSE_ID"]
    assert name == course  # nbgrader's course service is named after the course
    assert course_sidecar["command"] == ["peerkit-course-service"]
    assert values["hub"]["services"][name]["url"] == "http://hub:10102"
    assert env["JUPYTERHUB_SERVICE_URL"] == "http://0.0.0.0:10102"
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == f"/services/{name}/"
    assert env["JUPYTERHUB_CLIENT_ID"] == f"service-{name}"
    assert env["JUPYTERHUB_OAUTH_CALLBACK_URL"] == f"/services/{name}/oauth_callback"
    assert env["JUPYTERHUB_API_TOKEN"]["secretKeyRef"] == {"name": "hub", "key": f"hub.services.{name}.apiToken"}
    assert env["PEERKIT_DB"] == {"secretKeyRef": {"name": "peerkit-db", "key": "url"}}
    assert env["PEERKIT_EXCHANGE"] == values["singleuser"]["extraEnv"]["PEERKIT_EXCHANGE"]
    assert course_sidecar["workingDir"].startswith("/srv/peerkit/")  # the course root, on peerkit-course
    assert {m["name"] for m in course_sidecar["volumeMounts"]} == {"nbgrader-exchange", "peerkit-course"}
    assert 10102 in {p["port"] for p in values["hub"]["service"]["extraPorts"]}
    rules = [r for r in values["hub"]["networkPolicy"]["ingress"] if {"port": 10102} in r["ports"]]
    assert len(rules) == 1
    assert [p["podSelector"]["matchLabels"]["component"] for p in rules[0]["from"]] == ["proxy"]
    access = f"access:services!service={name}"
    roles = values["hub"]["loadRoles"]
    assert access in roles[f"facilitator-{course}"]["scopes"]
    assert access not in roles["user"]["scopes"]
    config = local_hub_config()
    local = {r["name"]: r for r in config.JupyterHub.load_roles}
    assert set(roles[f"course-service-{course}"]["scopes"]) == set(local[f"course-service-{course}"]["scopes"])
    assert roles[f"course-service-{course}"]["services"] == [name]


# -- one course id: course.yml's, in every configuration we ship ------------------------------------

COURSE_PREFIXES = ("formgrade-", "nbgrader-", "facilitator-", "course-service-")
SERVICE_SCOPE = re.compile(r"access:services!service=([\w.-]+)")


def course_id_of_course_yml() -> str:
    course_id: str = yaml.safe_load(COURSE_FILE.read_text())["id"]
    return course_id


def course_ids_in_values(values: dict[str, Any]) -> set[str]:
    """Every course id the values name: groups, roles, services and their scopes, the course sidecar,
    the learners' environment, default URL and nbgrader configuration."""
    hub = values["hub"]
    names = [*hub["config"]["JupyterHub"]["load_groups"], *hub["loadRoles"]]
    ids = {name.removeprefix(prefix) for name in names for prefix in COURSE_PREFIXES if name.startswith(prefix)}
    ids |= {name for name in hub["services"] if name != "peerkit"}
    for role in hub["loadRoles"].values():
        ids |= set(role.get("services", []))
        ids |= {m for scope in role.get("scopes", []) for m in SERVICE_SCOPE.findall(scope) if m != "peerkit"}
    course_sidecar = next(c for c in hub["extraContainers"] if c["name"] == "course-service")
    env = env_of(course_sidecar)
    ids.add(env["JUPYTERHUB_SERVICE_NAME"])
    ids.add(env["JUPYTERHUB_SERVICE_PREFIX"].strip("/").removeprefix("services/"))
    ids.add(env["JUPYTERHUB_CLIENT_ID"].removeprefix("service-"))
    ids |= set(SERVICE_SCOPE.findall(env["JUPYTERHUB_OAUTH_SCOPES"] + env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"]))
    single = values["singleuser"]
    ids.add(single["extraEnv"]["PEERKIT_COURSE_ID"])
    ids.add(single["defaultUrl"].split("/")[3])  # /voila/render/<course>/home.ipynb
    ids |= set(re.findall(r'course_id = "([^"]+)"', single["extraFiles"]["nbgrader-config"]["stringData"]))
    return ids


def test_every_place_of_the_values_names_the_course_of_course_yml(values: dict[str, Any]) -> None:
    assert course_ids_in_values(values) == {course_id_of_course_yml()}


def test_a_values_file_that_names_another_course_anywhere_is_caught(values: dict[str, Any]) -> None:
    for key in ("PEERKIT_COURSE_ID", "defaultUrl"):
        broken = copy.deepcopy(values)
        if key == "defaultUrl":
            broken["singleuser"]["defaultUrl"] = "/voila/render/peer-learning-paths/home.ipynb"
        else:
            broken["singleuser"]["extraEnv"][key] = "peer-learning-paths"
        assert course_ids_in_values(broken) == {course_id_of_course_yml(), "peer-learning-paths"}


def test_the_hub_config_reads_the_course_id_from_course_yml() -> None:
    course = course_id_of_course_yml()
    config = local_hub_config()
    assert config.Spawner.environment["PEERKIT_COURSE_ID"] == course
    assert {s["name"] for s in config.JupyterHub.services} == {"peerkit", course}
    assert set(config.JupyterHub.load_groups) == {f"formgrade-{course}", f"nbgrader-{course}"}
    assert config.Spawner.default_url == f"/voila/render/{course}/home.ipynb"


def test_learners_servers_call_the_service_on_this_host_not_through_the_public_url() -> None:
    """The servers are local processes: they call the service where the hub reaches it, so a public
    https:// address (TLS ended in front of the hub, or not at all) is never in their way."""
    config = local_hub_config(PEERKIT_PUBLIC_URL="https://hub.example.org", PEERKIT_SERVICE_PORT="10555")
    service = next(s for s in config.JupyterHub.services if s["name"] == "peerkit")
    assert service["url"] == "http://127.0.0.1:10555"
    assert config.Spawner.environment["PEERKIT_SERVICE_URL"] == f"{service['url']}/services/peerkit/"


def test_the_services_settings_set_for_the_hub_reach_the_service() -> None:
    """JupyterHub starts a service with its `environment` only (plus Spawner.env_keep), so what the
    service reads must be handed on: the store, the read cache, the steward's pace, its group."""
    from peerkit.service.app import steward_interval

    settings = {
        "PEERKIT_STEWARD_INTERVAL": "2",
        "PEERKIT_AUTH_CACHE": "12",
        "PEERKIT_FACILITATOR_GROUP": "tutors",
        "PEERKIT_UNIX_USERS": "ada=alovelace",
    }
    config = local_hub_config(**settings)
    environment = next(s for s in config.JupyterHub.services if s["name"] == "peerkit")["environment"]
    assert {k: environment.get(k) for k in settings} == settings
    assert steward_interval(environment) == 2.0
    assert environment["PEERKIT_DB"]
    bare = next(s for s in local_hub_config().JupyterHub.services if s["name"] == "peerkit")["environment"]
    assert "PEERKIT_STEWARD_INTERVAL" not in bare  # unset: the service's own default (5 s)


def test_the_hub_config_refuses_a_course_id_that_disagrees_with_course_yml(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="PEERKIT_COURSE_ID says 'peer-learning-paths'"):
        local_hub_config(PEERKIT_COURSE_ID="peer-learning-paths")
    with pytest.raises(SystemExit, match="cannot read the course"):
        local_hub_config(PEERKIT_COURSE_FILE=str(tmp_path / "missing.yml"))


def test_the_learners_nbgrader_config_takes_the_id_the_hub_hands_out() -> None:
    text = (REPO / "docs" / "hub" / "nbgrader_config.py").read_text()
    assert "peer-learning" not in text.replace("# ", "")  # no guessed default
    for environ, expected in (({"PEERKIT_COURSE_ID": "some-course"}, "some-course"), ({}, None)):
        saved = dict(os.environ)
        os.environ.pop("PEERKIT_COURSE_ID", None)
        os.environ.update(environ)
        try:
            config = runpy.run_path(
                str(REPO / "docs" / "hub" / "nbgrader_config.py"), init_globals={"get_config": Config}
            )["c"]
        finally:
            os.environ.clear()
            os.environ.update(saved)
        assert config.CourseDirectory.get("course_id") == expected


# -- Kubernetes: one JupyterHub release line, pinned images ------------------------------------------

CHART_INFO = json.loads((CHART / "chart.json").read_text())
DOCKERFILE = REPO / "docs" / "hub" / "Dockerfile"
GUIDE = REPO / "docs" / "deploy-jupyterhub.md"


def test_the_image_runs_the_jupyterhub_of_the_chart_it_is_deployed_with() -> None:
    """jupyterhub-singleuser and HubAuth in our image talk to the chart's hub: same JupyterHub."""
    hub_version = CHART_INFO["appVersion"]
    dockerfile = DOCKERFILE.read_text()
    pins = set(re.findall(r"ARG JUPYTERHUB_VERSION=(\S+)", dockerfile))
    assert pins == {hub_version}
    assert dockerfile.count('"jupyterhub==${JUPYTERHUB_VERSION}"') == dockerfile.count("pip install")
    # The chart named wherever helm is run is the chart whose schema the values are validated against.
    for text in (VALUES.read_text(), GUIDE.read_text(), SITE_EXAMPLE.read_text()):
        assert set(re.findall(r"helm upgrade --install peerkit jupyterhub/jupyterhub --version (\S+)", text)) == {
            CHART_INFO["version"]
        }
    # The [hub] extra admits that JupyterHub.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    hub_extra = pyproject["project"]["optional-dependencies"]["hub"]
    jupyterhub = next(Requirement(r) for r in hub_extra if Requirement(r).name == "jupyterhub")
    assert jupyterhub.specifier.contains(hub_version)


def test_no_image_moves_under_a_deployment(values: dict[str, Any]) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    texts = (DOCKERFILE, VALUES, GUIDE, SERVICE_MANIFEST, SITE_EXAMPLE)
    for text in (path.read_text() for path in texts):
        assert not re.search(r":latest\b|tag: *latest", text)
    bases = re.findall(r"^FROM (\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    external = [b for b in bases if "/" in b]
    assert external and all(re.search(r":\d{4}-\d{2}-\d{2}$|@sha256:[0-9a-f]{64}$", b) for b in external), bases
    images = [c["image"] for c in values["hub"]["extraContainers"]]
    images.append(f"{values['singleuser']['image']['name']}:{values['singleuser']['image']['tag']}")
    assert all(image.endswith(f":{version}") for image in images), images


def test_the_image_build_leaves_out_what_it_does_not_need() -> None:
    ignored = {
        line.strip() for line in (REPO / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")
    }
    assert {".git", ".venv", ".peerkit", "tests"} <= ignored
    # ... but keeps what pip install /opt/peerkit builds from.
    for needed in ("peerkit", "course", "notebooks", "setup.py", "pyproject.toml", "README.md", "LICENSE"):
        assert needed not in ignored


def test_the_guide_creates_what_the_files_expect(values: dict[str, Any]) -> None:
    """The hub's database role and database (hub.db.url), the dashboard's exports folder
    (PEERKIT_WORKDIR), and latency figures kept in one place (docs/scale.md)."""
    guide = GUIDE.read_text()
    url = re.fullmatch(r"postgresql\+psycopg2://(\w+)@[^/]+/(\w+)", values["hub"]["db"]["url"])
    assert url, values["hub"]["db"]["url"]
    user, database = url.groups()
    assert f"CREATE ROLE {user} LOGIN" in guide and f"CREATE DATABASE {database} OWNER {user};" in guide
    course = course_id_of_course_yml()
    service = next(s for s in local_hub_config().JupyterHub.services if s["name"] == course)
    workdir = Path(service["environment"]["PEERKIT_WORKDIR"])
    assert workdir.parent == Path(service["cwd"])  # the course root
    assert f"`<course root>/{workdir.name}/exports/`" in guide
    measured = guide.split("\n## Measured\n", 1)[1].split("\n## ", 1)[0]
    assert "scale.md#" in measured and not re.search(r"\d ms", measured)


def test_the_guide_quotes_the_one_host_script_rather_than_a_copy_of_it() -> None:
    """docs/deploy-jupyterhub.md includes docs/hub/one-host.sh (which tests/hub/test_one_host.py runs)."""
    guide = GUIDE.read_text()
    assert "```{literalinclude} hub/one-host.sh" in guide
    assert (GUIDE.parent / "hub" / "one-host.sh").is_file()
    assert "useradd" not in guide  # the steps live in the script only
