"""The index journal: `index/journal.jsonl`, the newest summary entries, one JSON line per write.

Every write of an incident (declare, update, import, restore) appends one line `{"id", "stamp", "summary"}`
(or `{"id", "removed": true}`) instead of rewriting a 500-entry shard, so keeping the index current costs one
small unsynced append. A timeline append writes a delta `{"id", "base", "stamp", "set"}`: the fields it
changed (revision, timeline count), valid only on top of the entry whose stamp is `base`; on anything else
the entry is marked stale and the reader re-reads that incident's file. The journal is a derived cache like the shards: a reader
trusts a line only while its stamp matches the incident file, so a line lost in a crash only makes the
reader re-read that one incident. Lines are written under the index lock with one `write` each; a torn
last line (a crash mid-append) is ignored, any other unreadable line is reported once.

A write that changes the incident's summary (`Workspace._save`) first appends a durable intent line
`{"id", "intent": true}`, then writes the incident file, then its entry line (unsynced): until an entry line
from the writer follows, readers judge that incident on its file, never on an index row, so a crash between
the file and its entry line cannot make a filtered list miss it. Entries a reader re-read from a file carry
`"healed": true` and do not end an intent; the next process that opens the workspace for writing settles
intents whose writer is gone (`index_maintenance.repair_interrupted_writes`).

`fold` moves the journal into the shards (atomic shard writes) and empties it, carrying open intents over;
it runs when a process that wrote closes its workspace and the journal is due (`due_for_fold`), or on
`reindex`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..domain.validation import is_incident_id
from . import index

JOURNAL_NAME = "journal.jsonl"
#: a writer folds the journal when it closes if it has this many lines, or once reading it costs more than a
#: small share of reading the shards (its bytes times `FOLD_SHARE` reach theirs, from `FOLD_MIN_BYTES` on):
#: every reader lays the whole journal over the shards, so a list should not slow down as writes accumulate
FOLD_LINES = 2_000
FOLD_SHARE = 200
FOLD_MIN_BYTES = 8_192

Stamp = tuple[int, int, int]


def journal_path(root: Path) -> Path:
    return root / "index" / JOURNAL_NAME


def line_for(incident_id: str, doc: dict[str, Any] | None, stamp: Stamp | None, *, healed: bool = False) -> bytes:
    """An entry line (a summary and the stamp of the file it was made from), or a removal when `doc` is None;
    `healed` marks an entry a reader re-read from the file (it does not end an open intent)."""
    if doc is None:
        return orjson.dumps({"id": incident_id, "removed": True}) + b"\n"
    line: dict[str, Any] = {"id": incident_id, "stamp": list(stamp or (0, 0, 0)), "summary": doc}
    if healed:
        line["healed"] = True
    return orjson.dumps(line) + b"\n"


def intent_line(incident_id: str) -> bytes:
    """Announces a write of the incident's file: its index row is not to be trusted until the writer's entry."""
    return orjson.dumps({"id": incident_id, "intent": True}) + b"\n"


def delta_line(incident_id: str, base: Stamp, stamp: Stamp, changes: dict[str, Any]) -> bytes:
    return orjson.dumps({"id": incident_id, "base": list(base), "stamp": list(stamp), "set": changes}) + b"\n"


STALE: Stamp = index.STALE


Entry = tuple["index.Row | None", Stamp]


def apply_delta(entry: Entry, base: Stamp, stamp: Stamp, changes: dict[str, Any]) -> Entry:
    row, current = entry
    if row is not None and current == base:
        return index.with_changes(row, changes), stamp
    return row, STALE


def append(root: Path, lines: list[bytes], *, durable: bool = False) -> None:
    """Append lines to the journal (caller holds the index lock). `durable` fsyncs them: a writer does so
    before it removes its intent marker, so a power cut cannot lose both (a timeline append, which changes
    no field a query filters on, need not)."""
    path = journal_path(root)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, b"".join(lines))
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class JournalState:
    """What a reader has taken from the journal so far: it reads only the bytes appended since."""

    inode: int = -1
    offset: int = 0
    #: id -> (query row or None when removed, stamp): full lines, with later deltas applied
    entries: dict[str, Entry] = field(default_factory=dict)
    #: id -> deltas whose base entry is in the shards, in journal order
    deltas: dict[str, list[tuple[Stamp, Stamp, dict[str, Any]]]] = field(default_factory=dict)
    #: ids with an intent line not yet followed by an entry from a writer
    pending: set[str] = field(default_factory=set)
    bad_lines: int = 0

    def reset(self) -> None:
        self.inode, self.offset, self.bad_lines = -1, 0, 0
        self.entries.clear()
        self.deltas.clear()
        self.pending.clear()

    def apply_to(self, view: dict[str, Entry]) -> None:
        """Lay the journal over the entries read from the shards (`view`, changed in place)."""
        for incident_id, deltas in self.deltas.items():
            if incident_id in view:
                entry = view[incident_id]
                for base, stamp, changes in deltas:
                    entry = apply_delta(entry, base, stamp, changes)
                view[incident_id] = entry
        view.update(self.entries)


def refresh(root: Path, state: JournalState, notices: list[str]) -> JournalState:
    """Bring `state` up to date with the journal on disk: new bytes only, unless it was folded (new file)."""
    path = journal_path(root)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        state.reset()
        return state
    with handle:
        stat = os.fstat(handle.fileno())
        if stat.st_ino != state.inode or stat.st_size < state.offset:
            state.reset()
            state.inode = stat.st_ino
        handle.seek(state.offset)
        raw = handle.read()
    end = raw.rfind(b"\n") + 1  # a last line without its newline is still being written (or torn)
    bad = 0
    for line in raw[:end].splitlines():
        try:
            item = orjson.loads(line)
            incident_id = item["id"]
            if not is_incident_id(incident_id):
                raise ValueError("not an incident id")
            if item.get("intent"):
                state.pending.add(incident_id)
            elif item.get("removed"):
                state.entries[incident_id] = (None, STALE)
                state.deltas.pop(incident_id, None)
                state.pending.discard(incident_id)
            elif "base" in item:
                base, stamp, changes = _stamp(item["base"]), _stamp(item["stamp"]), dict(item["set"])
                if incident_id in state.entries:
                    state.entries[incident_id] = apply_delta(state.entries[incident_id], base, stamp, changes)
                else:
                    state.deltas.setdefault(incident_id, []).append((base, stamp, changes))
            else:
                if not isinstance(item["summary"], dict):
                    raise TypeError("summary is not an object")
                row = index.row_of(item["summary"])
                state.entries[incident_id] = (row, _stamp(item["stamp"]) if index.well_typed(row) else STALE)
                state.deltas.pop(incident_id, None)
                if not item.get("healed"):
                    state.pending.discard(incident_id)
        except (orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
            bad += 1
    state.offset += end
    if bad:
        state.bad_lines += bad
        notices.append(f"index journal {path}: {bad} unreadable line(s) ignored; the incidents they named are "
                       "read from their own files")
    return state


def _stamp(value: Any) -> Stamp:
    inode, size, mtime = value
    return int(inode), int(size), int(mtime)


def due_for_fold(root: Path) -> bool:
    """Whether the journal has grown enough to be folded into the shards (OSError if it cannot be read)."""
    try:
        size = os.stat(journal_path(root)).st_size
    except FileNotFoundError:
        return False
    if size >= FOLD_MIN_BYTES:
        shards = sum(os.stat(path).st_size for path in (root / "index").glob("summaries-*.json"))
        if size * FOLD_SHARE >= shards:
            return True
    return line_count(root) >= FOLD_LINES


def line_count(root: Path) -> int:
    try:
        with open(journal_path(root), "rb") as handle:
            return handle.read().count(b"\n")
    except FileNotFoundError:
        return 0


def clear(root: Path, keep: tuple[bytes, ...] = ()) -> None:
    """Empty the journal by replacing it with a new file holding only the lines `keep` (durably, when there
    are any: they are open intents), so readers notice the new inode."""
    path = journal_path(root)
    tmp = path.with_name(f".{JOURNAL_NAME}.new")
    with open(tmp, "wb") as handle:
        if keep:
            handle.write(b"".join(keep))
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, path)
