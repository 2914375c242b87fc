"""A durable TinyDB storage: orjson serialisation and atomic, fsync'd file replacement.

Stock `tinydb.JSONStorage` rewrites its file in place and truncates afterwards, so a crash mid-write
leaves a torn file; `CachingMiddleware` holds acknowledged writes in memory. `AtomicJSONStorage` keeps
TinyDB's API but writes every change as: a temp file in the same folder, flush + fsync, `os.replace`
over the old file, fsync of the folder. When `write` returns, the data is on disk; a crash at any moment
leaves either the old file or the new one, never a mix.

Other rules:
- A file that exists but is not a TinyDB document (zero bytes, truncated, garbage, NUL bytes, valid
  JSON of the wrong shape) raises `DamagedFile` and is never overwritten: a write refuses unless the
  current file was read successfully first.
- `transaction()` groups several TinyDB operations into one consistent read and one atomic write at the
  end; an exception inside the block writes nothing.
- `keep_previous` (a path) keeps the previous generation of the file as a hard link before replacing.

Usable on its own (the notification outbox uses it too)::

    db = TinyDB(path, storage=AtomicJSONStorage)
    with db.storage.transaction():
        db.table("outbox").insert({...})
        db.table("state").update({...}, doc_ids=[1])
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

from .errors import DamagedFile

_NO_DATA = object()


def fsync_dir(folder: Path | str) -> None:
    """Make a rename or file creation in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path | str, data: bytes, *, fsync: bool = True,
                       keep_previous: Path | str | None = None) -> os.stat_result:
    """Replace `path` with `data` atomically; return the stat of the written file (taken before the rename,
    so it describes exactly the bytes written by this call even if another process replaces it later)."""
    path = Path(path)
    folder = path.parent
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if fsync:
                os.fsync(fd)
            stamp = os.fstat(fd)
        finally:
            os.close(fd)
        if keep_previous is not None:
            _link_previous(path, Path(keep_previous))
        os.replace(tmp, path)
    except BaseException as error:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError) and not error.filename:  # a failed write names no file: name it
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    if fsync:
        fsync_dir(folder)
    return stamp


def _link_previous(path: Path, previous: Path) -> None:
    """Keep the current generation of `path` as `previous` (a hard link: no copy, old bytes untouched)."""
    link_tmp = previous.parent / f".{previous.name}.{secrets.token_hex(4)}.lnk"
    try:
        os.link(path, link_tmp)
    except FileNotFoundError:  # no current generation yet, or no folder for the previous one (made once)
        if not path.exists():
            return
        previous.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, link_tmp)
    os.replace(link_tmp, previous)


def read_with_stat(path: Path | str) -> tuple[bytes, os.stat_result]:
    """The bytes of a file and the stat of exactly the file read (same open file); plain `os` calls, without
    the buffered reader's extra system calls (an update reads its incident this way)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), os.fstat(fd)
    finally:
        os.close(fd)


def parse_tinydb_bytes(raw: bytes, path: Path | str) -> dict[str, dict[str, Any]]:
    """Parse and shape-check the bytes of a TinyDB file; raise `DamagedFile` naming `path` otherwise."""
    if not raw:
        raise DamagedFile(path, "the file is empty (0 bytes)")
    if raw.strip(b"\x00") == b"":
        raise DamagedFile(path, f"the file holds only NUL bytes ({len(raw)} bytes)")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        hint = "truncated or not JSON" if b"\x00" not in raw else "contains NUL bytes"
        raise DamagedFile(path, f"not valid JSON ({hint}: {error})") from None
    if not isinstance(data, dict):
        raise DamagedFile(path, f"expected a JSON object of tables, found {type(data).__name__}")
    for table_name, table in data.items():
        if not isinstance(table, dict):
            raise DamagedFile(path, f"table '{table_name}' is a {type(table).__name__}, not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise DamagedFile(path, f"table '{table_name}' has a malformed document '{doc_id}'")
    return data


def read_tinydb_file(path: Path | str) -> dict[str, dict[str, Any]] | None:
    """The parsed tables of a TinyDB file, or None when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    return parse_tinydb_bytes(raw, path)


def dump_tinydb(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data)


class AtomicJSONStorage(Storage):
    """TinyDB storage writing atomically and durably. See the module docstring.

    :param path: the JSON file; its folder is created when `create_dirs` is true.
    :param fsync: set False only for throwaway data (bulk building of test fixtures).
    :param keep_previous: where to keep the previous generation (hard link) on each write.
    """

    def __init__(self, path: str | Path, *, create_dirs: bool = False, fsync: bool = True,
                 keep_previous: str | Path | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.fsync = fsync
        self.keep_previous = Path(keep_previous) if keep_previous is not None else None
        if create_dirs:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._in_transaction = False
        self._snapshot: Any = _NO_DATA
        self._pending: Any = _NO_DATA
        self.last_stamp: os.stat_result | None = None

    # -- TinyDB's Storage interface

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._in_transaction:
            if self._pending is not _NO_DATA:
                return self._pending
            if self._snapshot is _NO_DATA:
                self._snapshot = read_tinydb_file(self.path)
            return self._snapshot
        return read_tinydb_file(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._in_transaction:
            if self._snapshot is _NO_DATA:
                self._snapshot = read_tinydb_file(self.path)  # refuse to replace a damaged file
            self._pending = data
            return
        with self.transaction():
            self.write(data)

    def close(self) -> None:
        pass

    # -- grouping

    @contextmanager
    def transaction(self) -> Iterator["AtomicJSONStorage"]:
        """One consistent read, then one atomic write of the final state when the block ends.

        Not re-entrant. Concurrency between processes is the caller's job (a file lock around the block)."""
        if self._in_transaction:
            raise RuntimeError(f"{self.path}: transaction already open")
        self._in_transaction = True
        self._snapshot = _NO_DATA
        self._pending = _NO_DATA
        try:
            yield self
            if self._pending is not _NO_DATA:
                self.last_stamp = atomic_write_bytes(self.path, dump_tinydb(self._pending), fsync=self.fsync,
                                                     keep_previous=self.keep_previous)
        finally:
            self._in_transaction = False
            self._snapshot = _NO_DATA
            self._pending = _NO_DATA


def atomic_storage(db: TinyDB) -> AtomicJSONStorage:
    """The storage of a TinyDB opened on `AtomicJSONStorage`, typed as such (TinyDB types it as `Storage`)."""
    storage = db.storage
    if not isinstance(storage, AtomicJSONStorage):
        raise TypeError(f"{db} is not opened on AtomicJSONStorage")
    return storage
