"""Rebuild the bundled schemas in this folder from a kubernetes-validate wheel (run by hand, not by pytest).

    pip download --no-deps kubernetes-validate==1.37.0 && unzip -q kubernetes_validate-*.whl
    python tests/data/k8s/bundle.py kubernetes_validate/kubernetes-json-schema/v1.33.0-local-strict

Each kind's schema is written whole (unchanged), with the definitions it reaches from
``_definitions.json`` copied unchanged into its own ``$defs`` and its references pointed there, so one
file validates one kind with no network and no 72 MB package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

KINDS = (
    "deployment-apps-v1",
    "service-v1",
    "poddisruptionbudget-policy-v1",
    "persistentvolumeclaim-v1",
    "networkpolicy-networking-v1",
)
#: How a kind's schema refers to a definition, and how one definition refers to another.
PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


def rewrite(node: Any, reached: set[str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(PREFIXES):
                name = value.split("#/$defs/", 1)[1]
                reached.add(name)
                out[key] = "#/$defs/" + name
            else:
                out[key] = rewrite(value, reached)
        return out
    if isinstance(node, list):
        return [rewrite(item, reached) for item in node]
    return node


def bundle(source: Path, kind: str) -> dict[str, Any]:
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    reached: set[str] = set()
    schema = rewrite(json.loads((source / f"{kind}.json").read_text()), reached)
    defs: dict[str, Any] = {}
    while pending := reached - set(defs):
        for name in sorted(pending):
            defs[name] = rewrite(definitions[name], reached)
    schema["$defs"] = dict(sorted(defs.items()))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def main(source: str) -> None:
    here = Path(__file__).resolve().parent
    for kind in KINDS:
        (here / f"{kind}.json").write_text(json.dumps(bundle(Path(source), kind), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
