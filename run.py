#!/usr/bin/env python3
"""Set up Incident Desk on a fresh machine and run it, or run its whole test suite.

    python3 run.py demo    # create .venv, install, build the demo workspace, start the app on it
    python3 run.py test    # create .venv, install with test extras, run ruff, mypy and the whole test suite (-n auto)

Only the Python standard library is used here, so this works with nothing but Python 3.11+.
The virtual environment is rebuilt when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".incident-desk-installed"
DEMO_WORKSPACE = ROOT / ".demo-workspace"
# Run before the whole test suite; configured in pyproject.toml ([tool.ruff], [tool.mypy]).
GUARD_RAILS = [["ruff", "check", "."], ["mypy"]]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):
        sys.exit(f"Incident Desk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and venv_python().exists():
        return venv_python()
    if not venv_python().exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = str(venv_python())
    print("Installing Incident Desk and its test tools (first run only) ...", flush=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)
    return venv_python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__.strip())
        return 2
    python = str(ensure_environment())
    env = dict(os.environ)
    if argv[0] == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        if len(argv) == 1:  # the whole suite starts with the guard rails (a subset of tests skips them)
            for guard in GUARD_RAILS:
                print(f"$ {' '.join(guard)}", flush=True)
                code = subprocess.call([python, "-m", *guard], cwd=ROOT, env=env)
                if code:
                    return code
        args = argv[1:]
        if not any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in args):
            args = ["-n", "auto", *args]  # one worker per core: the suite is xdist-safe (own ports, tmp paths)
        return subprocess.call([python, "-m", "pytest", *args], cwd=ROOT, env=env)
    env["INCIDENT_DESK_WORKSPACE"] = str(DEMO_WORKSPACE)
    if not (DEMO_WORKSPACE / "workspace.json").exists():
        code = subprocess.call([python, "-m", "incident_desk", "demo", "create"], cwd=ROOT, env=env)
        if code:
            return code
    return subprocess.call([python, "-m", "incident_desk", "open", *argv[1:]], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
