"""The guide's "Test it" example (docs/plugins.md) runs as written: the harness test of the ntfy plugin,
against the plugin built from the guide's own code blocks."""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
BLOCK = re.compile(r"^```(\w+) (file|test)=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(kind: str) -> dict[str, str]:
    return {path: body for _, found, path, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")) if found == kind}


@pytest.fixture
def guide_example(tmp_path, monkeypatch) -> types.ModuleType:
    plugin = tmp_path / "incident_desk_ntfy" / "__init__.py"
    plugin.parent.mkdir()
    plugin.write_text(blocks("file")["incident-desk-ntfy/incident_desk_ntfy/__init__.py"], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "incident_desk_ntfy", raising=False)
    (test_path, source), = blocks("test").items()
    spec = importlib.util.spec_from_loader("guide_ntfy_tests", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, test_path, "exec"), module.__dict__)  # noqa: S102 - our own documentation
    return module


def test_the_guides_harness_example_passes(guide_example, tmp_path):
    tests = [name for name in vars(guide_example) if name.startswith("test_")]
    assert len(tests) == 2
    for index, name in enumerate(tests):
        getattr(guide_example, name)(tmp_path / f"run{index}")
