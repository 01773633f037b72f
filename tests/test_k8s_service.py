"""docs/hub/peerkit-service.yaml: the peerkit service's own Deployment beside the Zero to JupyterHub
release, checked with no cluster and no helm.

Every object is validated against the Kubernetes API's JSON Schema for its kind (strict: an unknown
field is an error), bundled in tests/data/k8s/ from kubernetes-validate's schemas for Kubernetes 1.33.
Then the wiring: the probes call the service's real routes, the selectors find the pods, the
secrets are read from Secrets, the volumes are ReadWriteMany and the same ones the chart's pods mount,
the hub registers the Service's address, the network policies let the right pods in, the image is
pinned.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
import yaml

from peerkit.service.app import Listen
from peerkit.service.probes import HealthHandler, ReadyHandler
from peerkit.service.routes import routes
from tests.test_z2jh_values import CHART, GUIDE, REPO, VALUES, env_of, merge

MANIFEST = REPO / "docs" / "hub" / "peerkit-service.yaml"
SCHEMAS = REPO / "tests" / "data" / "k8s"
KINDS = {
    ("v1", "PersistentVolumeClaim"): "persistentvolumeclaim-v1",
    ("apps/v1", "Deployment"): "deployment-apps-v1",
    ("v1", "Service"): "service-v1",
    ("policy/v1", "PodDisruptionBudget"): "poddisruptionbudget-policy-v1",
    ("networking.k8s.io/v1", "NetworkPolicy"): "networkpolicy-networking-v1",
}
#: The namespace of the release: the guide's `helm ... --namespace` and `kubectl --namespace`.
NAMESPACE = "peerkit"


def documents() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc is not None]


def one(kind: str) -> dict[str, Any]:
    found = [doc for doc in documents() if doc["kind"] == kind]
    assert len(found) == 1, f"{MANIFEST.name} has {len(found)} {kind} objects, expected one"
    return found[0]


def container() -> dict[str, Any]:
    containers = one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    merged: dict[str, Any] = merge(
        yaml.safe_load((CHART / "values.yaml").read_text()), yaml.safe_load(VALUES.read_text())
    )
    return merged


@cache
def validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{KINDS[api_version, kind]}.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(doc: dict[str, Any]) -> list[str]:
    errors = validator(doc["apiVersion"], doc["kind"]).iter_errors(doc)
    return [f"{doc['kind']} {'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


# -- the Kubernetes API's schema -------------------------------------------------------------------


def test_every_object_is_valid_for_the_kubernetes_api() -> None:
    docs = documents()
    assert sorted(doc["kind"] for doc in docs) == sorted(
        [
            "PersistentVolumeClaim",
            "PersistentVolumeClaim",
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "NetworkPolicy",
        ]
    )
    for doc in docs:
        assert (doc["apiVersion"], doc["kind"]) in KINDS
        assert "namespace" not in doc["metadata"]  # kubectl --namespace puts them beside the hub
        assert schema_errors(doc) == []


def test_the_schema_check_has_teeth() -> None:
    deployment = one("Deployment")
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["replica"] = misspelt["spec"].pop("replicas")
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["periodSeconds"] = "5s"
    nested = copy.deepcopy(deployment)
    nested["spec"]["template"]["spec"]["containers"][0]["env"][0]["valuefrom"] = {}
    for broken in (misspelt, wrong_type, nested):
        assert schema_errors(broken)


# -- the Deployment, its Service, its disruption budget ----------------------------------------------


def test_two_replicas_and_a_budget_that_keeps_one_serving() -> None:
    deployment = one("Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    budget = one("PodDisruptionBudget")["spec"]
    assert budget["minAvailable"] == 1 and "maxUnavailable" not in budget


def test_the_selectors_find_the_deployments_pods_and_only_them() -> None:
    deployment = one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert matches(selector, labels)
    assert one("Service")["spec"]["selector"] == selector
    assert one("PodDisruptionBudget")["spec"]["selector"] == {"matchLabels": selector}
    assert one("NetworkPolicy")["spec"]["podSelector"] == {"matchLabels": selector}
    # The chart's own pods carry none of these labels.
    assert not matches(selector, {"app": "jupyterhub", "component": "hub"})


def test_the_probes_call_the_services_own_routes() -> None:
    """Readiness asks whether the store answers, liveness only whether the process does: a PostgreSQL
    restart takes the replicas out of the Service but does not get them killed."""
    spec = container()
    listen = Listen.from_env({e["name"]: e["value"] for e in spec["env"] if "value" in e})
    table = routes(listen.prefix, cast(Any, None))

    def handler_of(path: str) -> type:
        found = [handler for pattern, handler, _ in table if re.fullmatch(pattern, path)]
        assert found, f"no route of peerkit service answers {path}"
        return cast(type, found[0])

    ports = {p["name"]: p["containerPort"] for p in spec["ports"]}
    assert ports == {"http": listen.port}
    for probe, handler in (
        ("readinessProbe", ReadyHandler),
        ("livenessProbe", HealthHandler),
        ("startupProbe", HealthHandler),
    ):
        get = spec[probe]["httpGet"]
        assert handler_of(get["path"]) is handler, probe
        assert ports.get(get["port"], get["port"]) == listen.port, probe
    assert handler_of(f"{listen.prefix}api/whoami") is not ReadyHandler  # the lookup tells routes apart
    # The service answers readiness within ReadyHandler.TIMEOUT; the probe waits longer than that.
    assert spec["readinessProbe"]["timeoutSeconds"] > ReadyHandler.TIMEOUT
    service_port = one("Service")["spec"]["ports"]
    assert len(service_port) == 1 and ports[service_port[0]["targetPort"]] == listen.port


def test_the_container_runs_peerkit_service_as_a_hub_service() -> None:
    spec = container()
    env = env_of(spec)
    listen = Listen.from_env({k: v for k, v in env.items() if isinstance(v, str)})
    assert listen.prefix == "/services/peerkit/" and env["JUPYTERHUB_SERVICE_NAME"] == "peerkit"
    assert env["JUPYTERHUB_API_URL"] == "http://hub:8081/hub/api"  # the chart's hub Service
    command = spec["command"]
    assert command[:2] == ["peerkit", "service"]
    options = dict(zip(command[2::2], command[3::2], strict=True))
    mounts = {m["name"]: m["mountPath"] for m in spec["volumeMounts"]}
    assert options["--exchange"] == mounts["nbgrader-exchange"]
    assert options["--course-root"].startswith(mounts["peerkit-course"] + "/")
    assert options["--course"] == "/opt/peerkit/course/course.yml"  # where docs/hub/Dockerfile puts it
    from click.testing import CliRunner

    from peerkit.cli import cli

    help_text = CliRunner().invoke(cli, ["service", "--help"]).output
    assert all(option in help_text for option in options)


def test_secrets_come_from_secrets(values: dict[str, Any]) -> None:
    """The hub's token for the service is the one the chart generates (its hub Secret); the store's
    connection string, password included, is in a Secret for every pod that opens the store."""
    env = env_of(container())
    assert env["JUPYTERHUB_API_TOKEN"] == {"secretKeyRef": {"name": "hub", "key": "hub.services.peerkit.apiToken"}}
    assert "peerkit" in values["hub"]["services"]  # the key the chart names the Secret's entry after
    database = {"secretKeyRef": {"name": "peerkit-db", "key": "url"}}
    assert env["PEERKIT_DB"] == database
    course_service = next(c for c in values["hub"]["extraContainers"] if c["name"] == "course-service")
    assert env_of(course_service)["PEERKIT_DB"] == database
    literal = [e["value"] for e in container()["env"] if "value" in e]
    assert not any("postgres" in value or "@" in value for value in literal)
    # The hub's own database: a user in the URL, the password from my-site.yaml into the chart's Secret.
    assert values["hub"]["db"]["password"] is None and "@" in values["hub"]["db"]["url"]
    assert ":" not in values["hub"]["db"]["url"].split("//", 1)[1].split("@", 1)[0]


def test_the_pods_run_as_the_learners_user_never_root_with_bounded_resources(values: dict[str, Any]) -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == values["singleuser"]["uid"] and security["fsGroup"] == values["singleuser"]["fsGid"]
    spec = container()
    assert spec["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["securityContext"]["capabilities"]["drop"] == ["ALL"]
    resources = spec["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and "memory" in resources["limits"]
    assert pod["automountServiceAccountToken"] is False


def test_the_image_is_the_pinned_release_the_user_pods_run(values: dict[str, Any]) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    image = container()["image"]
    assert image == f"{values['singleuser']['image']['name']}:{values['singleuser']['image']['tag']}"
    assert image.endswith(f":{version}") and not re.search(r":latest\b", MANIFEST.read_text())


# -- volumes -----------------------------------------------------------------------------------------


def test_the_shared_volumes_are_readwritemany_and_the_same_everywhere(values: dict[str, Any]) -> None:
    claims = {doc["metadata"]["name"]: doc["spec"] for doc in documents() if doc["kind"] == "PersistentVolumeClaim"}
    assert set(claims) == {"nbgrader-exchange", "peerkit-course"}
    for spec in claims.values():
        assert spec["accessModes"] == ["ReadWriteMany"] and spec["storageClassName"]
    pod = one("Deployment")["spec"]["template"]["spec"]
    used = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]}
    hub = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in values["hub"]["extraVolumes"]}
    single = values["singleuser"]["storage"]
    learners = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in single["extraVolumes"]}
    assert set(used.values()) == set(hub.values()) == set(claims)
    assert set(learners.values()) == {"nbgrader-exchange"}  # learners never mount the course root
    # nbgrader's exchange sits at one path in the service, the course service and the learners' pods.
    path = {m["name"]: m["mountPath"] for m in container()["volumeMounts"]}["nbgrader-exchange"]
    course_service = next(c for c in values["hub"]["extraContainers"] if c["name"] == "course-service")
    assert {m["name"]: m["mountPath"] for m in course_service["volumeMounts"]}["nbgrader-exchange"] == path
    assert {m["name"]: m["mountPath"] for m in single["extraVolumeMounts"]}["nbgrader-exchange"] == path
    assert values["singleuser"]["extraEnv"]["PEERKIT_EXCHANGE"] == path


# -- the hub finds it, the network lets the right pods in ---------------------------------------------


def service_url() -> str:
    service = one("Service")
    return f"http://{service['metadata']['name']}.{NAMESPACE}.svc:{service['spec']['ports'][0]['port']}"


def test_the_hub_registers_the_service_by_its_address(values: dict[str, Any]) -> None:
    hub = values["hub"]
    assert hub["services"]["peerkit"]["url"] == service_url()
    prefix = env_of(container())["JUPYTERHUB_SERVICE_PREFIX"]
    assert values["singleuser"]["extraEnv"]["PEERKIT_SERVICE_URL"] == service_url() + prefix
    # Not a sidecar of the hub any more: no container, port or ingress rule for it in the hub pod.
    assert all(c["command"][:2] != ["peerkit", "service"] for c in hub["extraContainers"])
    port = one("Service")["spec"]["ports"][0]["port"]
    assert port not in {p["port"] for p in hub["service"]["extraPorts"]}
    assert all({"port": port} not in rule["ports"] for rule in hub["networkPolicy"]["ingress"])
    for text in (GUIDE.read_text(), VALUES.read_text(), MANIFEST.read_text()):
        assert set(re.findall(r"--namespace (\S+)", text)) == {NAMESPACE}


def test_the_network_policies_let_in_the_proxy_the_hub_and_the_learners(values: dict[str, Any]) -> None:
    labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    # The chart's hub lets in pods that carry this label: the service checks tokens with the hub.
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    (rule,) = one("NetworkPolicy")["spec"]["ingress"]
    assert rule["ports"] == [{"port": "http"}]
    assert {peer["podSelector"]["matchLabels"]["component"] for peer in rule["from"]} == {
        "proxy",
        "hub",
        "singleuser-server",
    }
    # The learners' pods may not reach private addresses by default: their egress names these pods.
    port = container()["ports"][0]["containerPort"]
    egress = values["singleuser"]["networkPolicy"]["egress"]
    assert any(
        {"port": port} in r["ports"] and matches(r["to"][0]["podSelector"]["matchLabels"], labels) for r in egress
    )
    assert values["singleuser"]["networkPolicy"]["egressAllowRules"]["privateIPs"] is False


def environment_peerkit_reads() -> set[str]:
    sources = (REPO / "peerkit").rglob("*.py")
    return {name for path in sources for name in re.findall(r"\b(PEERKIT_[A-Z_]+[A-Z])\b", path.read_text())}


def service_link_variables(name: str, port: int) -> set[str]:
    """What Kubernetes puts in every pod's environment for a Service (unless enableServiceLinks is off)."""
    n = name.upper().replace("-", "_")
    return {f"{n}_SERVICE_HOST", f"{n}_SERVICE_PORT", f"{n}_PORT", f"{n}_PORT_{port}_TCP"}


def test_no_service_address_lands_in_a_setting_peerkit_reads() -> None:
    """Kubernetes tells every pod of the namespace (the learners' too) where each Service is, in
    variables named after it: a Service named "peerkit" would set PEERKIT_PORT to tcp://..."""
    read = environment_peerkit_reads()
    assert "PEERKIT_PORT" in read and "PEERKIT_DB" in read
    assert service_link_variables("peerkit", 10101) & read  # the name we must not use
    service = one("Service")
    assert not service_link_variables(service["metadata"]["name"], service["spec"]["ports"][0]["port"]) & read
    assert one("Deployment")["spec"]["template"]["spec"]["enableServiceLinks"] is False


# -- the guide --------------------------------------------------------------------------------------


def test_the_guide_applies_this_file_and_names_the_storage_choices() -> None:
    guide = GUIDE.read_text()
    assert f"kubectl --namespace {NAMESPACE} apply -f docs/hub/peerkit-service.yaml" in guide
    for choice in ("NFS", "CephFS", "Azure Files", "EFS", "Filestore", "ReadWriteMany"):
        assert choice in guide, choice
    assert "secretKeyRef" in guide and "managed" in guide
    classes = {doc["spec"]["storageClassName"] for doc in documents() if doc["kind"] == "PersistentVolumeClaim"}
    assert len(classes) == 1 and f"`{classes.pop()}`" in guide  # the placeholder the guide says to replace


def test_the_chart_has_no_place_for_another_deployment(values: dict[str, Any]) -> None:
    """Why the service has a manifest of its own: the chart's schema refuses extra objects."""
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    for key in ("extraObjects", "extraManifests"):
        with_objects = merge(values, {key: [one("Deployment")]})
        assert list(jsonschema.Draft7Validator(schema).iter_errors(with_objects)), key


def test_the_guides_kustomize_overlay_sets_the_sites_storage_class_and_image(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (kustomize is part of it)")
    block = re.search(r"```yaml\n# my-site/kustomization.yaml\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
    assert block, "the guide shows no my-site/kustomization.yaml"
    (tmp_path / "peerkit").symlink_to(REPO)
    (tmp_path / "my-site").mkdir()
    (tmp_path / "my-site" / "kustomization.yaml").write_text(block.group(1))
    rendered = subprocess.run(
        [kubectl, "kustomize", "my-site"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(rendered) if doc]
    assert sorted(doc["kind"] for doc in docs) == sorted(doc["kind"] for doc in documents())
    for doc in docs:
        assert doc["metadata"]["namespace"] == NAMESPACE and not schema_errors(doc)
        if doc["kind"] == "PersistentVolumeClaim":
            assert doc["spec"]["storageClassName"] == "efs-sc"
    (deployment,) = (doc for doc in docs if doc["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/<you>/peerkit:0.1.0"
