"""Inter-process locks on a workspace (filelock), with a note of who holds each one.

Lock order, always: `ids` -> one incident -> `index`. Nothing takes an incident lock while holding the
index lock, and no code path holds two incident locks, so processes cannot deadlock.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import WorkspaceLocked

DEFAULT_TIMEOUT = 15.0


def _holder_note() -> str:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return f"pid {os.getpid()} on {socket.gethostname()} ({program}) since {time.strftime('%H:%M:%SZ', time.gmtime())}"


@contextmanager
def hold(lock_path: Path, what: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the lock at `lock_path`; raise `WorkspaceLocked` naming `what` and the holder after `timeout`."""
    lock = FileLock(lock_path, timeout=timeout)
    owner = lock_path.with_suffix(".owner")
    try:
        lock.acquire()
    except Timeout:
        try:
            holder = owner.read_text(encoding="utf-8").strip()
        except OSError:
            holder = ""
        who = f"held by {holder}" if holder else "holder unknown"
        raise WorkspaceLocked(f"{what} is locked ({who}); waited {timeout:g} s; try again when it is free") from None
    try:
        try:
            owner.write_text(_holder_note(), encoding="utf-8")
        except OSError:
            pass
        yield
    finally:
        lock.release()


def try_hold(lock_path: Path) -> FileLock | None:
    """The lock if it is free right now, else None (the caller must release it)."""
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock
