"""The import rule of DESIGN.md section 1, checked on the source so it cannot rot.

- domain/ imports nothing of the project outside itself and no I/O, plugin, storage or Qt library;
- engine/, store/, plugin/ import only domain/ (and themselves) of the project;
- render/ and demo/ (the demo data, not a use case) import only domain/ (and themselves);
- the faces, cli/ and gui/, import only app/ and the package root (whose public API is the domain models);
- only gui/ imports Qt, and inside gui/ only the shim gui/qt.py imports PySide6 directly;
- the notification service never touches the store: it changes incidents through the desk.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "incident_desk"
QT_MODULES = {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
IO_MODULES = {"tinydb", "reportlab", "pluggy", "httpx", "requests", "smtplib", "socket", "sqlite3",
              "filelock", "keyring", "platformdirs", "subprocess", "urllib", "jinja2", "ruamel", "pyhanko"}
ALLOWED_PROJECT_LAYERS = {
    "domain": {"domain"},
    "engine": {"domain", "engine"},
    "store": {"domain", "store"},
    "plugin": {"domain", "plugin"},
    "render": {"domain", "render"},
    "demo": {"domain", "demo"},
    "cli": {"app", "cli", "(package root)"},
    "gui": {"app", "gui", "(package root)"},
}
#: the one face module allowed to start the other face: `incident-desk open` launches the window (lazily)
FACE_LAUNCHERS = {"cli/open_cmd.py": {"gui"}}
#: modules of app/ that must change incidents only through the desk, never through the store
THROUGH_THE_DESK = ("app/notify_service.py",)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Absolute module names imported by a file (relative imports resolved), with line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(module_parts[: len(module_parts) - node.level])
                if path.name == "__init__.py":
                    base = list(module_parts[: len(module_parts) - node.level + 1])
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
    return found


def python_files():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_package_has_modules():
    assert len(python_files()) > 10


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path: Path):
    relative = path.relative_to(PACKAGE)
    layer = relative.parts[0] if len(relative.parts) > 1 else None
    problems = []
    for name, line in imports_of(path):
        top = name.split(".")[0]
        if top in QT_MODULES and not (layer == "gui" and relative.name == "qt.py"):
            problems.append(f"{relative}:{line} imports {name}; Qt is reached only through gui/qt.py")
        if layer == "domain" and top in IO_MODULES:
            problems.append(f"{relative}:{line} imports {name}; domain/ does no I/O")
        if layer in ALLOWED_PROJECT_LAYERS and top == "incident_desk":
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else "(package root)"
            if target not in ALLOWED_PROJECT_LAYERS[layer] | FACE_LAUNCHERS.get(str(relative), set()):
                problems.append(f"{relative}:{line} imports {name}; {layer}/ may import only "
                                f"{', '.join(sorted(ALLOWED_PROJECT_LAYERS[layer]))}")
    if str(relative) in THROUGH_THE_DESK:
        problems += store_access(path, relative)
    assert not problems, "\n".join(problems)


def store_access(path: Path, relative: Path) -> list[str]:
    """Imports of the store, and uses of a `.workspace` attribute (the store behind a desk)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = [f"{relative}:{line} imports {name}; it changes incidents through the desk"
                for name, line in imports_of(path) if name.split(".")[:2] == ["incident_desk", "store"]]
    problems += [f"{relative}:{node.lineno} uses .workspace; it changes incidents through the desk"
                 for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "workspace"]
    return problems


def test_checker_catches_a_violation(tmp_path, monkeypatch):
    """The check itself must fail on a bad import, or it guards nothing."""
    fake_pkg = tmp_path / "incident_desk"
    (fake_pkg / "domain").mkdir(parents=True)
    bad = fake_pkg / "domain" / "bad.py"
    bad.write_text("from ..store import x\nimport tinydb\nfrom PySide6 import QtCore\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake_pkg)
    with pytest.raises(AssertionError) as failure:
        test_layering(bad)
    message = str(failure.value)
    assert "incident_desk.store" in message and "tinydb" in message and "PySide6" in message


def test_checker_catches_a_face_reaching_below_the_app(tmp_path, monkeypatch):
    fake_pkg = tmp_path / "incident_desk"
    (fake_pkg / "cli").mkdir(parents=True)
    (fake_pkg / "app").mkdir(parents=True)
    bad = fake_pkg / "cli" / "bad.py"
    bad.write_text("from .. import Incident\nfrom ..app.desk import Desk\nfrom ..store.errors import StoreError\n")
    service = fake_pkg / "app" / "notify_service.py"
    service.write_text("from ..store import Workspace\n\ndef save(desk):\n    desk.workspace.update()\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake_pkg)
    with pytest.raises(AssertionError) as face:
        test_layering(bad)
    assert "cli/bad.py:3 imports incident_desk.store.errors" in str(face.value)
    assert "Incident" not in str(face.value) and "app.desk" not in str(face.value)
    with pytest.raises(AssertionError) as writer:
        test_layering(service)
    assert "app/notify_service.py:1 imports incident_desk.store" in str(writer.value)
    assert "app/notify_service.py:4 uses .workspace" in str(writer.value)
