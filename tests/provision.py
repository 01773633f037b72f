"""Install the system parts the test suite needs, when they are missing.

Run by the README test command (``python3 -m peerkit test``) before pytest. Standard library only.

* Debian's ``chromium`` for the browser tests (Playwright cannot download its own browser here);
* Debian's ``postgresql`` server binaries for the PostgreSQL store tests (each test run starts its
  own throwaway cluster; nothing is configured system-wide);
* Node.js and npm (Debian's ``nodejs`` and ``npm`` when missing), then ``configurable-http-proxy``
  from the npm registry into ``.peerkit/tools`` for the JupyterHub tests.

Installing needs root and apt-get. Under ``CI=true`` anything still missing afterwards is a failure
(exit 1): CI must never pass by skipping the real parts. On a developer machine without root the
script says what is missing and the affected tests skip with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"  # as in tests/browser.py: this file runs as a script, before the suite
CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(CHECKOUT, ".peerkit", "tools")
CHP = os.path.join(TOOLS, "node_modules", ".bin", "configurable-http-proxy")
CHP_PACKAGE = ["configurable-http-proxy@5"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def have_chromium() -> bool:
    return os.path.exists(CHROMIUM)


def have_postgres() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def have_node() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def have_chp() -> bool:
    return os.path.exists(CHP)


REQUIREMENTS = {
    "chromium": (have_chromium, ["chromium"]),
    "postgresql": (have_postgres, ["postgresql"]),
    "node": (have_node, ["nodejs", "npm"]),
}


def install_chp() -> bool:
    """configurable-http-proxy from the npm registry, into the checkout's .peerkit/tools."""
    if have_chp():
        return True
    if not have_node():
        return False
    os.makedirs(TOOLS, exist_ok=True)
    print("provision: npm install configurable-http-proxy ...", flush=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", TOOLS, "--no-audit", "--no-fund", "--loglevel=error", *CHP_PACKAGE],
        check=False,
    )
    return result.returncode == 0 and have_chp()


def apt_install(packages: list[str]) -> bool:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"provision: apt-get install {' '.join(packages)} ...", flush=True)
    update = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    if update.returncode != 0:
        print("provision: apt-get update failed", file=sys.stderr)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env, check=False)
    return result.returncode == 0


def main() -> int:
    missing = [name for name, (present, _) in REQUIREMENTS.items() if not present()]
    if missing:
        packages = [pkg for name in missing for pkg in REQUIREMENTS[name][1]]
        apt_install(packages)
    still = [name for name, (present, _) in REQUIREMENTS.items() if not present()]
    if not install_chp():
        still.append("configurable-http-proxy")
    for name in still:
        print(
            f"provision: {name} is not installed and could not be installed (needs root and apt-get)", file=sys.stderr
        )
    if still and in_ci():
        print("provision: CI=true and parts of the test suite's system are missing: failing.", file=sys.stderr)
        return 1
    if not still:
        print("provision: chromium, postgresql, node and configurable-http-proxy are present.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
