"""Opening a workspace while another process finishes a write (issue 7, point 4): the intent marker the
opener listed may vanish before it gets the incident's lock; that is not an error.

The interleaving is forced, not hoped for: a second process holds the index lock, so the opener, repairing
the first of two interrupted writes, waits there (after it listed both markers); only then does the second
process finish "its" write of the other incident (removes that marker) and let go.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from incident_desk.store import Workspace
from incident_desk.store.index_maintenance import repair_interrupted_writes

from store_helpers import make_incident

HOLDER = """
import sys
from pathlib import Path
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
Path(sys.argv[2]).unlink()
lock.release()
print("released", flush=True)
"""


def waiting_for_a_lock(thread: threading.Thread) -> bool:
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "acquire" and "lock" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def test_a_marker_removed_by_a_finishing_writer_is_skipped_not_an_error(tmp_path):
    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        for number in (1, 2):
            ws.create(make_incident(f"INC-2025-00{number}"), actor="setup")
        index_lock = ws._index_lock
    markers = [root / "intents" / f"INC-2025-00{number}" for number in (1, 2)]
    for marker in markers:
        marker.touch()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(root / "locks" / "index.lock"), str(markers[1])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    errors: list[BaseException] = []
    notices: list[str] = []

    def repair() -> None:
        try:
            repair_interrupted_writes(root, index_lock=index_lock, notices=notices)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    opener = threading.Thread(target=repair)
    opener.start()
    while opener.is_alive() and not waiting_for_a_lock(opener):
        time.sleep(0.01)
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    holder.wait(timeout=30)
    opener.join(timeout=60)
    assert errors == []
    assert notices == []
    assert not any(marker.exists() for marker in markers)
    with Workspace.open(root) as ws:
        assert [s.id for s in ws.list_summaries()] == ["INC-2025-001", "INC-2025-002"]
        assert ws.notices == []
