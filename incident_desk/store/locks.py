"""Inter-process locks on a workspace, with a note of who holds each one.

Lock order, always: `ids` -> one incident -> `index`. Nothing takes an incident lock while holding the
index lock, and no code path holds two incident locks, so processes cannot deadlock.

Lock files are opened without following symbolic links (O_NOFOLLOW) and only inside the workspace's
`locks/` folder, never truncated: a link planted in `locks/` cannot make the desk write anywhere else; it is
replaced by a regular lock file (the link itself is removed, its target is never touched). On POSIX the
lock is `flock` on that file, the same lock `filelock.FileLock` takes, so the two interoperate. A lock file
that cannot be created (read-only workspace, no permission) is opened read-only when it exists (`flock`
works on it); otherwise `LockUnavailable` says why, and the caller decides (a read goes on unlocked).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from .errors import LockUnavailable, WorkspaceLocked, os_error_reason

DEFAULT_TIMEOUT = 15.0
POLL_INTERVAL = 0.02
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

try:
    import fcntl
except ImportError:  # Windows: no symlinks to fear in practice; filelock's msvcrt locking
    fcntl = None  # type: ignore[assignment]


def _holder_note() -> str:
    return f"{_holder(os.getpid())} since {time.strftime('%H:%M:%SZ', time.gmtime())}"


@cache
def _holder(pid: int) -> str:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return f"pid {pid} on {socket.gethostname()} ({program})"


def open_no_follow(path: Path, flags: int, mode: int = 0o644) -> int:
    """`os.open` that never follows a symbolic link at `path`: a link there is removed (not its target) and a
    regular file created in its place when `flags` may create; ELOOP otherwise."""
    try:
        return os.open(path, flags | NOFOLLOW, mode)
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.EMLINK) or not (flags & os.O_CREAT) or not path.is_symlink():
            raise
    try:
        path.unlink()
    except FileNotFoundError:
        pass  # another process replaced it first
    try:
        return os.open(path, flags | NOFOLLOW | os.O_EXCL, mode)
    except FileExistsError:
        return os.open(path, flags & ~os.O_CREAT | NOFOLLOW, mode)


def _check_inside(lock_path: Path) -> None:
    folder = lock_path.parent
    try:
        plain_folder = stat.S_ISDIR(os.lstat(folder).st_mode)  # lstat: a symbolic link is not a folder here
    except OSError:
        plain_folder = False
    if not plain_folder:
        raise LockUnavailable(lock_path, f"its folder {folder} is not a plain folder of the workspace "
                                         "(a symbolic link or missing); locks are only taken inside the workspace")


class FolderLock:
    """One lock file held with flock (POSIX). `acquire(timeout)` -> bool; `release()`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def _open(self) -> int:
        _check_inside(self.path)
        try:
            return open_no_follow(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise LockUnavailable(self.path, os_error_reason(error)) from None
            try:
                return os.open(self.path, os.O_RDONLY | NOFOLLOW)
            except OSError:
                raise LockUnavailable(self.path, os_error_reason(error)) from None

    def acquire(self, timeout: float) -> bool:
        fd = self._open()
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL_INTERVAL)
                continue
            except OSError as error:
                os.close(fd)
                raise LockUnavailable(self.path, os_error_reason(error)) from None
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def write_note(self, note: bytes) -> None:
        """Say who holds the lock in the lock file itself (flock ignores its content): no second file to open
        on every acquisition. A lock file opened read-only (a read-only workspace) keeps its old note."""
        if self._fd is not None:
            try:
                os.pwrite(self._fd, note, 0)
            except OSError:
                pass

    def read_note(self) -> str:
        return _read_note(self.path)


class _WindowsLock:
    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self._lock = FileLock(path)
        self._owner = Path(path).with_suffix(".owner")

    def acquire(self, timeout: float) -> bool:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=timeout)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self._lock.release()

    def write_note(self, note: bytes) -> None:  # Windows locks byte ranges of the lock file: a note beside it
        _write_owner_note(self._owner, note)

    def read_note(self) -> str:
        return _read_note(self._owner)


def _new_lock(path: Path) -> FolderLock | _WindowsLock:
    return FolderLock(path) if fcntl is not None else _WindowsLock(path)


#: the holder's note is written over the old one at a fixed width, never truncated first: truncating a file
#: to zero makes ext4 flush it on close (its replace-by-truncate safeguard), which cost as much as an fsync
#: on every write of an incident
NOTE_WIDTH = 240


def _note_bytes() -> bytes:
    return _holder_note().encode("utf-8")[:NOTE_WIDTH].ljust(NOTE_WIDTH)


def _write_owner_note(owner: Path, note: bytes) -> None:
    try:
        fd = open_no_follow(owner, os.O_WRONLY | os.O_CREAT)
    except OSError:
        return
    try:
        os.pwrite(fd, note, 0)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_note(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError:
        return ""
    try:
        return os.read(fd, NOTE_WIDTH).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    finally:
        os.close(fd)


@contextmanager
def hold(lock_path: Path, what: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold the lock at `lock_path`; raise `WorkspaceLocked` naming `what` and the holder after `timeout`,
    `LockUnavailable` when the lock file cannot be opened at all."""
    lock = _new_lock(lock_path)
    if not lock.acquire(timeout):
        holder = lock.read_note()
        who = f"held by {holder}" if holder else "holder unknown"
        raise WorkspaceLocked(f"{what} is locked ({who}); waited {timeout:g} s; try again when it is free")
    try:
        lock.write_note(_note_bytes())
        yield
    finally:
        lock.release()


def try_hold(lock_path: Path) -> FolderLock | _WindowsLock | None:
    """The lock if it is free right now, else None (also None when it cannot be opened: a read-only
    workspace). The caller must release it."""
    lock = _new_lock(lock_path)
    try:
        return lock if lock.acquire(0) else None
    except LockUnavailable:
        return None


def plain_lock_file(path: Path) -> Path:
    """`path`, made a regular file if a symbolic link was planted there (for code that locks with
    `filelock.FileLock`, which follows links); left as it is when it cannot be created (read-only)."""
    try:
        os.close(open_no_follow(Path(path), os.O_RDWR | os.O_CREAT))
    except OSError:
        pass
    return Path(path)
