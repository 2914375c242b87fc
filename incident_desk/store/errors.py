"""Errors the store raises. Each message is one line written for the person who has to act on it."""

from __future__ import annotations

import errno
import functools
from pathlib import Path


class StoreError(Exception):
    """Base of every storage error; the message names the file or incident concerned."""


class NotFound(StoreError, LookupError):
    """No incident with that id in the workspace."""


class DuplicateId(StoreError):
    """An incident with that id already exists."""


class StaleRevision(StoreError):
    """An edit was based on a revision that is no longer the latest; the message says what changed since."""

    def __init__(self, message: str, *, incident_id: str, expected: int, actual: int) -> None:
        super().__init__(message)
        self.incident_id = incident_id
        self.expected = expected
        self.actual = actual


class SchemaTooNew(StoreError):
    """The workspace was written by a newer Incident Desk than this one."""


class WorkspaceLocked(StoreError):
    """A lock could not be had within the timeout; the message says who holds it when known."""


class DamagedFile(StoreError):
    """A data file that cannot be read as what it should be. It is never overwritten or modified.

    `backup` is the newest intact copy to restore from (previous generation or a snapshot), if any.
    """

    def __init__(self, path: Path | str, reason: str, backup: Path | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.backup = backup
        restore = f"restore from {backup}" if backup else "no backup of it was found"
        super().__init__(f"damaged file {self.path}: {reason}; it was left untouched; {restore}")

    def with_backup(self, backup: Path | None) -> "DamagedFile":
        return DamagedFile(self.path, self.reason, backup)


class TamperedFile(DamagedFile):
    """An incident file that reads correctly but does not match the head of its own audit chain (edited
    outside the desk, or records deleted). Writes refuse it, so the edit is never sealed by a new record."""

    def __init__(self, path: Path | str, reason: str, backup: Path | None = None, *, incident_id: str = "") -> None:
        StoreError.__init__(self)
        self.path = Path(path)
        self.reason = reason
        self.backup = backup
        self.incident_id = incident_id or self.path.stem
        restore = (f"restore the last sealed copy with `incident-desk restore {self.incident_id}` (from {backup})"
                   if backup else "no sealed backup of it was found")
        self.args = (f"refused to write to {self.path}: it does not match its audit trail: {reason}; nothing was "
                     f"written; see `incident-desk audit verify {self.incident_id}`; {restore}",)

    def __str__(self) -> str:
        return self.args[0]

    def with_backup(self, backup: Path | None) -> "TamperedFile":
        return TamperedFile(self.path, self.reason, backup, incident_id=self.incident_id)


class StorageUnavailable(StoreError):
    """The operating system refused to read or write a workspace file (read-only file system, permission
    denied, disk full, file too large...). The message names the file and says whether the change was saved."""


class LockUnavailable(StorageUnavailable):  # noqa: N818 - reads like the others
    """A lock file that cannot be opened (read-only workspace, permission denied, a link planted in its place)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot take the lock {self.path}: {reason}")


_REASONS = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is too large (file system or process limit)",
    errno.ELOOP: "it is a symbolic link, which the desk does not follow",
    errno.EIO: "input/output error (failing disk?)",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder, not a file",
}


def os_error_reason(error: OSError) -> str:
    """A short human reason for an OSError, e.g. 'permission denied'."""
    return _REASONS.get(error.errno or -1) or (error.strerror or type(error).__name__).lower()


def describe_os_error(error: OSError, doing: str = "", saved: bool | None = None) -> str:
    """One line: which file, why, and whether the change was saved (when known)."""
    where = f" {error.filename}" if error.filename else ""
    if error.filename2:
        where += f" -> {error.filename2}"
    verb = f"could not {doing}" if doing else "could not access"
    tail = {True: "; the change was saved", False: "; nothing was saved", None: ""}[saved]
    return f"{verb}{where}: {os_error_reason(error)}{tail}"


def os_errors(doing: str, *, saved: bool | None = None):
    """Decorator: an OSError escaping the function becomes StorageUnavailable (see `describe_os_error`)."""
    def wrap(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except OSError as error:
                raise StorageUnavailable(describe_os_error(error, doing, saved)) from error
            except LockUnavailable as error:
                tail = {True: "; the change was saved", False: "; nothing was saved", None: ""}[saved]
                raise StorageUnavailable(f"{error}{tail}") from None
        return run
    return wrap
