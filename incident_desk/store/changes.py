"""Change notifications: in-process subscribers, and a shared append-only log for other processes.

Every write appends one JSON line to `changes.log` (O_APPEND, not fsync'd: it is a hint for pollers, the
data files are the truth). `data_version()` is the log's inode and size, a stamp that changes whenever any
process wrote; `read_since(version)` returns what changed since a stamp. The log is never opened through a
symbolic link: a link planted in its place is replaced by a regular file (its target is never touched).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from .locks import NOFOLLOW, open_no_follow

log = logging.getLogger(__name__)
ROTATE_AT = 4 * 1024 * 1024


@dataclass(frozen=True)
class StoreChange:
    incident_id: str
    revision: int
    action: str
    actor: str


class ChangeLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._subscribers: list[Callable[[StoreChange], None]] = []

    def subscribe(self, callback: Callable[[StoreChange], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
        return unsubscribe

    def publish(self, change: StoreChange) -> None:
        line = orjson.dumps({"id": change.incident_id, "rev": change.revision, "action": change.action,
                             "actor": change.actor}) + b"\n"
        try:
            fd = open_no_follow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, line)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > ROTATE_AT:
                os.replace(self.path, self.path.with_suffix(".log.1"))
        except OSError as error:
            log.warning("could not append to %s: %s", self.path, error)
        for callback in list(self._subscribers):
            try:
                callback(change)
            except Exception:  # a subscriber's bug must not undo or hide a durable save
                log.exception("change subscriber %r failed", callback)

    def version(self) -> str:
        try:
            stat = os.lstat(self.path)
        except FileNotFoundError:
            return "0.0"
        return f"{stat.st_ino}.{stat.st_size}"

    def read_since(self, version: str) -> tuple[list[StoreChange], str]:
        """Changes written after `version` (all of the current log if the log was rotated since)."""
        current = self.version()
        if current == version:
            return [], current
        old_inode, _, old_size = version.partition(".")
        try:
            with open(os.open(self.path, os.O_RDONLY | NOFOLLOW), "rb") as handle:
                inode = os.fstat(handle.fileno()).st_ino
                if str(inode) == old_inode:
                    handle.seek(int(old_size or 0))
                data = handle.read()
                current = f"{inode}.{handle.tell()}"
        except OSError:  # gone, or a symbolic link (not followed), or unreadable: nothing to read
            return [], current
        changes = []
        for line in data.splitlines():
            try:
                item = orjson.loads(line)
                changes.append(StoreChange(item["id"], int(item["rev"]), item["action"], item["actor"]))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
        return changes, current
