"""Size of a learner's install: peerkit's wheel, no extras, in a fresh virtual environment.

    .venv/bin/python -m bench.learner_env [--keep]

Builds the wheel from this checkout, installs it into a new virtual environment in a temporary folder
and prints the environment's size and its largest packages. A learner's server (the learner stage of
docs/hub/Dockerfile) installs exactly this. Target: ≤ 450 MB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 450


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the environment and print where it is")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="peerkit-learner-env-"))
    try:
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", work, REPO], check=True, capture_output=True
        )
        wheel = next(work.glob("peerkit-*.whl"))
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        started = time.monotonic()
        pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel]
        installed = subprocess.run(pip, capture_output=True, text=True, check=False)
        if installed.returncode:
            raise SystemExit(f"pip install failed:\n{installed.stdout}\n{installed.stderr}")
        took = time.monotonic() - started
        total = size(venv)
        site = next((venv / "lib").glob("python*/site-packages"))
        largest = sorted(((size(p), p.name) for p in site.iterdir()), reverse=True)[:12]
        print(f"learner environment (peerkit, no extras): {total / 1e6:.0f} MB, installed in {took:.0f} s")
        print(f"target: ≤ {TARGET_MB} MB -> {'met' if total / 1e6 <= TARGET_MB else 'NOT met'}")
        for bytes_, name in largest:
            print(f"  {bytes_ / 1e6:7.1f} MB  {name}")
        if args.keep:
            print(f"kept: {venv}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
