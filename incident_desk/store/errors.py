"""Errors the store raises. Each message is one line written for the person who has to act on it."""

from __future__ import annotations

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
