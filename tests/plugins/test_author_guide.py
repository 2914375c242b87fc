"""Follow docs/plugins.md: write its example plugin from the guide's code blocks, pip-install it, see it
discovered through its entry point and delivering to a real HTTP receiver; uninstall it at the end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
FENCE = re.compile(r"^```(\w+) file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
DISTRIBUTION = "incident-desk-ntfy"


def guide_files() -> dict[str, str]:
    return {path: body for _, path, body in FENCE.findall(GUIDE.read_text(encoding="utf-8"))}


def pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def installed_example(tmp_path):
    files = guide_files()
    assert set(files) == {"incident-desk-ntfy/pyproject.toml", "incident-desk-ntfy/incident_desk_ntfy/__init__.py"}
    for relative, body in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    project = str(tmp_path / "incident-desk-ntfy")
    # Offline first (needs setuptools with bdist_wheel in this environment); else pip's own build isolation.
    result = pip("install", "--no-deps", "--no-build-isolation", "--no-index", project)
    if result.returncode != 0:
        result = pip("install", "--no-deps", project)
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        yield
    finally:
        removed = pip("uninstall", "--yes", DISTRIBUTION)
        assert removed.returncode == 0, removed.stderr


PROBE = textwrap.dedent("""
    import json, sys
    from incident_desk.app.secrets import resolve_config
    from incident_desk.plugin import Message, Plugins

    plugins = Plugins.load(entry_points=True, plugins_dir=None)
    info = {p.name: p for p in plugins.plugins}["ntfy"]
    kind = plugins.notifier("ntfy")
    config = resolve_config(kind.config_model, {"server": sys.argv[1], "topic": "acme-incidents",
                                                "token": "env:NTFY_TOKEN"})
    message = Message(idempotency_key="INC-2025-001.c1.phones", incident_id="INC-2025-001",
                      subject="[SEV-1] Checkout down", text="Checkout returns 500.", fields={"Severity": "SEV-1"})
    result = plugins.send("ntfy", message, config)
    print(json.dumps({"source": info.source, "location": info.location, "hooks": list(info.hooks),
                      "result": result.model_dump(), "failures": [str(f) for f in plugins.failures]}))
""")


def test_the_guide_example_installs_is_discovered_and_delivers(installed_example, receiver):
    env = {**os.environ, "NTFY_TOKEN": "tk_guide_example_token",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    run = subprocess.run([sys.executable, "-c", PROBE, receiver.url("")], capture_output=True, text=True,
                         env=env, cwd=str(ROOT.parent), timeout=60)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["source"] == "entry_point"
    assert report["location"].startswith("incident-desk-ntfy 1.0.0")
    assert report["hooks"] == ["register_notifiers"]
    assert report["result"]["state"] == "sent", report
    assert report["failures"] == []
    (request,) = receiver.requests
    assert request.path == "/"
    assert request.headers["authorization"] == "Bearer tk_guide_example_token"
    assert request.json() == {"topic": "acme-incidents", "title": "[SEV-1] Checkout down",
                              "message": "Checkout returns 500.", "priority": 5,
                              "tags": ["rotating_light", "INC-2025-001"]}
