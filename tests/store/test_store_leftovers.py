"""What a crashed writer leaves behind is cleaned up (issue 7, point 10): unfinished snapshot folders
(`backups/.partial-*`) and hard links never moved into `.prev/`, once they are old enough that no live writer
can still be using them; anything younger is left alone."""

from __future__ import annotations

import os
import time

from incident_desk.store import Workspace
from incident_desk.store.recovery import STALE_TEMP_AGE

from store_helpers import make_incident


def age(path, seconds: float) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when), follow_symlinks=False)


def test_stale_partial_snapshots_and_prev_links_are_removed_by_the_next_write(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root, create=True) as ws:
        ws.create(make_incident("INC-2025-001"), actor="setup")
        ws.backup()
    prev = root / "incidents" / "2025" / ".prev"
    prev.mkdir(exist_ok=True)
    old_partial = root / "backups" / ".partial-20250101T000000000000Z"
    (old_partial / "incidents" / "2025").mkdir(parents=True)
    (old_partial / "incidents" / "2025" / "INC-2025-001.json").write_text("{}")
    young_partial = root / "backups" / ".partial-29990101T000000000000Z"
    young_partial.mkdir()
    old_link = prev / ".INC-2025-001.json.0badc0de.lnk"
    young_link = prev / ".INC-2025-001.json.12345678.lnk"
    os.link(root / "incidents" / "2025" / "INC-2025-001.json", old_link)
    young_link.write_text("in use")
    age(old_partial, STALE_TEMP_AGE + 60)
    age(old_link, STALE_TEMP_AGE + 60)
    with Workspace.open(root, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-002"), actor="setup")
    # cleaned when the writing workspace closes (off the write path)
    assert not old_partial.exists() and not old_link.exists()
    assert young_partial.exists() and young_link.exists()
    with Workspace.open(root, auto_backup=False) as ws:
        assert ws.backups() and all(b.name.startswith("snapshot-") for b in ws.backups())
        assert [r.ok for r in ws.verify_audit()] == [True, True]
        assert ws.get("INC-2025-001").title == make_incident("INC-2025-001").title


def test_a_snapshot_is_complete_and_readable(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-001"), actor="setup")
        snapshot = ws.backup()
        assert (snapshot / "incidents" / "2025" / "INC-2025-001.json").read_bytes() == \
            ws.incident_path("INC-2025-001").read_bytes()
        assert (snapshot / "manifest.json").is_file()
        assert not list((root / "backups").glob(".partial-*"))
