"""Symbolic links planted in a workspace are never followed for writing (issue 7, point 6): lock files, their
owner notes and `changes.log` are opened with O_NOFOLLOW inside the workspace only, so a plain `list` (or
any write) never changes a file outside the workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from incident_desk.store import layout
from tests.cli_support import run_cli


def run(workspace: Path, *args: str, capsys) -> tuple[int, str, str]:
    return run_cli(capsys, "--workspace", workspace, "--user", "mallory", *args)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def planted(tmp_path, capsys):
    """A workspace with one incident whose lock files and change log are symlinks to files outside it."""
    workspace = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    assert run(workspace, "init", capsys=capsys)[0] == 0
    code, out, _ = run(workspace, "declare", "Payments down", capsys=capsys)
    assert code == 0
    incident_id = out.split()[1]
    locks = workspace / "locks"
    names = ["workspace", "index", "ids", "backup", "outbox", "outbox-drain", layout.incident_lock_name(incident_id),
             layout.incident_lock_name(f"INC-{incident_id[4:8]}-002")]
    for name in names:
        for suffix in (".lock", ".owner"):
            target = outside / f"{name}{suffix}"
            target.write_text(f"precious {name}{suffix}\n")
            link = locks / f"{name}{suffix}"
            link.unlink(missing_ok=True)
            link.symlink_to(target)
    (outside / "changes.log").write_text("precious log\n")
    (workspace / "changes.log").unlink(missing_ok=True)
    (workspace / "changes.log").symlink_to(outside / "changes.log")
    os.utime(outside, ns=(1, 1))
    for path in outside.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    return workspace, outside, incident_id


def test_a_plain_list_never_writes_through_planted_symlinks(planted, capsys):
    workspace, outside, incident_id = planted
    before = snapshot(outside)
    code, out, err = run(workspace, "list", capsys=capsys)
    assert code == 0, err
    assert incident_id in out
    assert snapshot(outside) == before


def test_writes_never_write_through_planted_symlinks_and_still_work(planted, capsys):
    workspace, outside, incident_id = planted
    before = snapshot(outside)
    for args in (("timeline", "add", incident_id, "Rolled back"), ("declare", "Second"),
                 ("notify", incident_id, "-t", "status_investigating", "--next-update", "30m"), ("outbox", "--all"),
                 ("set", incident_id, "--title", "Payments down hard"), ("list",), ("audit", "verify")):
        code, _, err = run(workspace, *args, capsys=capsys)
        assert code == 0, (args, err)
    assert snapshot(outside) == before
    assert not (workspace / "locks" / f"{layout.incident_lock_name(incident_id)}.lock").is_symlink()
    assert not (workspace / "changes.log").is_symlink()
    assert not (workspace / "locks" / "outbox.lock").is_symlink()
    code, out, _ = run(workspace, "show", incident_id, "--json", capsys=capsys)
    assert '"Payments down hard"' in out


def test_a_symlinked_locks_folder_is_refused_cleanly(tmp_path, capsys):
    workspace = tmp_path / "ws"
    assert run(workspace, "init", capsys=capsys)[0] == 0
    assert run(workspace, "declare", "Payments down", capsys=capsys)[0] == 0
    outside = tmp_path / "outside-locks"
    outside.mkdir()
    os.rename(workspace / "locks", tmp_path / "old-locks")
    (workspace / "locks").symlink_to(outside)
    code, _, err = run(workspace, "declare", "Second", capsys=capsys)
    assert code == 5 and "is not a plain folder of the workspace" in err and "Traceback" not in err
    assert list(outside.iterdir()) == []
    code, out, err = run(workspace, "list", capsys=capsys)
    assert code == 0 and "Payments down" in out, err
    assert list(outside.iterdir()) == []
