"""One incident file's audit chain, checked from its bytes alone (no pydantic): the per-file work of
`audit verify`.

`check_file` reads the file into a reusable buffer and parses it once. A file of the exact shape the desk
writes (the known tables only, each numbered 1..n in order, every document an object) takes the quick
path: every record's hash recomputed from its content (the canonical JSON of `audit.record_hash`), its
link to the record before it from the genesis, record N sealing revision N, and the last record sealing
the stored content (`audit.state_hash`). Anything else, and every file that fails the quick path, is
checked again by the general path (`check_tables`, on the shape-checked tables, then
`audit.verify_chain`), which gives the specific messages. The quick path accepts only what the general
path accepts: it computes the same hashes and comparisons, on documents it has proven to be in the order
the general path reads them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

from . import audit
from .audit import AuditReport
from .errors import DamagedFile
from .incident_file import AUDIT, COMMUNICATIONS, CORE, TIMELINE, ordered_docs
from .storage import parse_tinydb_bytes

#: (inode, size, modification time, change time): what changes whenever a file's bytes change
Stamp = tuple[int, int, int, int]
#: a reference checkpoint's pin of one incident: (checkpoint label, revision, record hash)
Pin = tuple[str, int, str]

_KNOWN_TABLES = frozenset((CORE, TIMELINE, COMMUNICATIONS, AUDIT))
_IDS = [str(n) for n in range(1, 10_001)]  # document ids in the order TinyDB writes them
_DICT_ONLY = {dict}


def stamp_of(stat: os.stat_result) -> Stamp:
    """What changes whenever a file's bytes change: inode (atomic replace), size, modification time and
    change time (which a user program cannot set back)."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class Reader:
    """Reads whole files into one buffer reused from file to file."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.buffer = bytearray(size)

    def read(self, path: Path | str) -> tuple[memoryview, Stamp]:
        fd = os.open(path, os.O_RDONLY)
        try:
            stat = os.fstat(fd)
            if stat.st_size >= len(self.buffer):
                self.buffer = bytearray(stat.st_size + (1 << 16))
            view = memoryview(self.buffer)
            length = 0
            while True:
                count = os.readv(fd, [view[length:]])
                if count == 0:
                    break
                length += count
                if length == len(self.buffer):  # the file grew while being read
                    bigger = bytearray(2 * length)
                    bigger[:length] = view
                    self.buffer, view = bigger, memoryview(bigger)
            return view[:length], stamp_of(stat)
        finally:
            os.close(fd)


def _ordered(table: Any) -> list[dict[str, Any]] | None:
    """The documents of a table numbered "1".."n" in that order, all objects; None for anything else."""
    if type(table) is not dict:
        return None
    count = len(table)
    if count > len(_IDS) or list(table) != _IDS[:count]:
        return None
    docs = list(table.values())
    return docs if not docs or set(map(type, docs)) == _DICT_ONLY else None


def quick_check(incident_id: str, data: Any) -> tuple[int, str, list[str]] | None:
    """(records, head hash, hashes in order) of an intact file of the regular shape; None when the file
    is not of that shape or anything does not verify (the general path then says what). Consumes `data`
    (the records lose their "hash")."""
    if type(data) is not dict or not _KNOWN_TABLES.issuperset(data):
        return None
    cores = _ordered(data.get(CORE))
    timeline = _ordered(data.get(TIMELINE, {}))
    communications = _ordered(data.get(COMMUNICATIONS, {}))
    records = _ordered(data.get(AUDIT, {}))
    if not cores or len(cores) != 1 or timeline is None or communications is None or not records:
        return None
    core = cores[0]
    if core.get("id") != incident_id or core.get("revision") != len(records) or type(core["revision"]) is not int:
        return None
    state = audit.state_hash(core, timeline, communications)
    if records[-1].get("state_hash") != state:
        return None
    sha256, dumps, sort = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS
    hashes: list[str] = []
    prev = audit.genesis_hash(incident_id)
    seq = 0
    for doc in records:
        seq += 1
        claimed = doc.pop("hash", None)
        if (type(claimed) is not str or doc.get("prev_hash") != prev or doc.get("seq") != seq
                or doc.get("revision") != seq or sha256(dumps(doc, option=sort)).hexdigest() != claimed):
            return None
        hashes.append(claimed)
        prev = claimed
    return seq, prev, hashes


def check_tables(incident_id: str, tables: dict[str, Any]) -> tuple[AuditReport, list[str]]:
    """The general path, on shape-checked tables: (report, hashes of the records in order: hashes[r - 1]
    sealed revision r). Its problems are those of `audit.verify_chain`."""
    core_table = tables.get(CORE)
    core = core_table.get("1") if isinstance(core_table, dict) else None
    if not isinstance(core, dict) or core.get("id") != incident_id or not isinstance(core.get("revision"), int):
        return AuditReport(incident_id, False, 0, "", ["not an incident file of this id"]), []
    docs = tables.get(AUDIT) or {}
    if not isinstance(docs, dict):
        return AuditReport(incident_id, False, 0, "", ["the audit table is not a table of records"]), []
    timeline = ordered_docs(tables.get(TIMELINE) or {})
    communications = ordered_docs(tables.get(COMMUNICATIONS) or {})
    state = audit.state_hash(core, timeline, communications)
    hashes: list[str] = []
    prev = audit.genesis_hash(incident_id)
    sha256, dumps, sort = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS
    intact = True
    for seq in range(1, len(docs) + 1):
        doc = docs.get(str(seq))
        if not isinstance(doc, dict) or "hash" not in doc:
            intact = False
            break
        claimed = doc.pop("hash")
        try:
            recomputed = sha256(dumps(doc, option=sort)).hexdigest()
        finally:
            doc["hash"] = claimed
        if (recomputed != claimed or doc.get("prev_hash") != prev or doc.get("seq") != seq
                or doc.get("revision") != seq):
            intact = False
            break
        hashes.append(claimed)
        prev = claimed
    if (intact and docs and core["revision"] == len(docs)
            and docs[str(len(docs))].get("state_hash") == state):
        return AuditReport(incident_id, True, len(docs), prev), hashes
    report = audit.verify_chain(incident_id, list(docs.items()), revision=core["revision"], current_state=state)
    report.ok = not report.problems
    if report.ok:  # the fast path is stricter than it should be somewhere: trust the reference check
        report.problems.append("the audit chain could not be checked (please report this)")
        report.ok = False
    ordered = [d for _, d in sorted(docs.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else 0)]
    return report, [str(d.get("hash")) if isinstance(d, dict) else "" for d in ordered]


def behind_checkpoint(hashes: list[str], pin: Pin) -> str | None:
    label, revision, head = pin
    if len(hashes) < revision:
        return (f"{label} pinned revision {revision}, but the trail now ends at revision {len(hashes)}: "
                "records were removed or the file was rolled back after the checkpoint")
    if hashes[revision - 1] != head:
        return (f"changed behind {label}: record {revision} is not the record the checkpoint pinned "
                "(its history was rewritten and the hashes recomputed)")
    return None


def check_file(path: Path | str, incident_id: str, pins: list[Pin],
               reader: Reader | None = None) -> tuple[AuditReport, Stamp | None]:
    """Check one incident file's chain, and that it has the record each reference checkpoint pinned."""
    try:
        raw, stamp = (reader or Reader()).read(path)
    except FileNotFoundError:
        return AuditReport(incident_id, False, 0, "", [f"{path} disappeared while it was being verified"]), None
    except OSError as error:
        return AuditReport(incident_id, False, 0, "", [f"cannot read {path}: {error.strerror}"]), None
    try:
        quick = quick_check(incident_id, orjson.loads(raw))
    except (orjson.JSONDecodeError, TypeError, ValueError):
        quick = None
    if quick is not None:
        records, head, hashes = quick
        report = AuditReport(incident_id, True, records, head)
    else:
        try:
            tables = parse_tinydb_bytes(bytes(raw), path)
        except DamagedFile as damage:
            return AuditReport(incident_id, False, 0, "", [str(damage)]), None
        try:
            report, hashes = check_tables(incident_id, tables or {})
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return AuditReport(incident_id, False, 0, "", [f"{path}: malformed audit records ({error})"]), None
    for pin in pins:
        problem = behind_checkpoint(hashes, pin)
        if problem:
            report.problems.append(problem)
            report.ok = False
    return report, stamp
