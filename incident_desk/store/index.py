"""The summary index: a derived cache of one `IncidentSummary` per incident, sharded by year and id range.

Shard `index/summaries-2025-000.json` holds incidents INC-2025-000..499 in two TinyDB tables keyed by the
id's sequence number: `summaries` (the summary) and `stamps` (inode, size, mtime_ns of the incident file
the summary was made from). A reader compares stamps with the incident files and re-summarises any file
that changed since (a timeline append does not rewrite the index), so lists are never stale. The whole
index can be rebuilt from the incident files at any time.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from tinydb import TinyDB
from tinydb.table import Document

from ..domain import ActionItem, Clock, Facts, IncidentSummary, Priority, Status, WorkStatus, incident_number
from .errors import DamagedFile
from .storage import AtomicJSONStorage, parse_tinydb_bytes

SHARD_SIZE = 500
SUMMARIES, STAMPS = "summaries", "stamps"
Stamp = tuple[int, int, int]
Entry = tuple[str, IncidentSummary, Stamp]
SUMMARY_LIST = TypeAdapter(list[IncidentSummary])


def stamp_of(stat: os.stat_result) -> Stamp:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def shard_name(incident_id: str) -> str:
    year, seq = incident_number(incident_id)
    return f"summaries-{year:04d}-{seq // SHARD_SIZE:03d}.json"


def shard_range(name: str) -> tuple[int, int, int]:
    """(year, first seq, last seq) covered by a shard file name."""
    _, year, bucket = Path(name).stem.split("-")
    start = int(bucket) * SHARD_SIZE
    return int(year), start, start + SHARD_SIZE - 1


def summary_doc(summary: IncidentSummary) -> dict[str, Any]:
    return summary.model_dump(mode="json", exclude_defaults=True)


_FIELD_DEFAULTS: dict[type, tuple[dict[str, Any], list[tuple[str, Any]]]] = {}
_set_attribute = object.__setattr__


def _construct(cls: type, values: dict[str, Any]) -> Any:
    """`cls.model_construct(**values)` without its per-call cost (pydantic 2.14 inspects each default
    factory's signature on every call): the same instance state, built directly."""
    spec = _FIELD_DEFAULTS.get(cls)
    if spec is None:
        static = {name: f.default for name, f in cls.model_fields.items() if f.default_factory is None}
        factories = [(name, f.default_factory) for name, f in cls.model_fields.items() if f.default_factory]
        spec = _FIELD_DEFAULTS[cls] = (static, factories)
    static, factories = spec
    data = static.copy()
    data.update(values)
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    instance = cls.__new__(cls)
    _set_attribute(instance, "__dict__", data)
    _set_attribute(instance, "__pydantic_fields_set__", set(values))
    _set_attribute(instance, "__pydantic_extra__", None)
    _set_attribute(instance, "__pydantic_private__", None)
    return instance


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _action_item(doc: dict[str, Any]) -> ActionItem:
    fields = dict(doc)
    for name in ("created_at", "completed_at"):
        if name in fields:
            fields[name] = _instant(fields[name])
    if "due" in fields and fields["due"] is not None:
        fields["due"] = date.fromisoformat(fields["due"])
    if "priority" in fields:
        fields["priority"] = Priority(fields["priority"])
    if "status" in fields:
        fields["status"] = WorkStatus(fields["status"])
    return _construct(ActionItem, fields)


def summary_from_doc(doc: dict[str, Any]) -> IncidentSummary:
    """Rebuild a summary this module wrote, without re-running validators (several times faster, which keeps
    a 10,000-incident list within budget). The docs were validated when they were made; anything that
    does not fit raises (KeyError, TypeError, ValueError) and the caller falls back to full validation."""
    fields = dict(doc)
    if not (isinstance(fields["id"], str) and type(fields["revision"]) is int and isinstance(fields["title"], str)):
        raise ValueError("id, revision or title of the wrong type")
    fields["status"] = Status(fields["status"])
    fields["clock"] = _construct(Clock, {k: _instant(v) for k, v in fields.get("clock", {}).items()})
    fields["facts"] = _construct(Facts, fields.get("facts", {}))
    fields["action_items"] = [_action_item(item) for item in fields.get("action_items", [])]
    unknown = set(fields) - set(IncidentSummary.model_fields)
    if unknown:
        raise ValueError(f"unknown summary fields {sorted(unknown)}")
    return _construct(IncidentSummary, fields)


def entries_from_bytes(raw: bytes, shard: Path) -> list[Entry]:
    """(id, summary, stamp) of each incident in a shard's bytes, in sequence order. DamagedFile if a summary
    sits where its id does not belong; ValidationError, AttributeError or TypeError if they are not summaries."""
    tables = parse_tinydb_bytes(raw, shard)
    summaries = tables.get(SUMMARIES, {})
    stamps = tables.get(STAMPS, {})
    keys = sorted(summaries, key=int)
    try:
        parsed = [summary_from_doc(summaries[k]) for k in keys]
    except (KeyError, TypeError, ValueError, AttributeError):
        parsed = SUMMARY_LIST.validate_python([summaries[k] for k in keys])
    entries = [(s.id, s, tuple(stamps.get(k, {}).get("stamp", (0, 0, 0)))) for k, s in zip(keys, parsed)]
    year = shard.name[10:14]
    for k, summary in zip(keys, parsed):
        if summary.id != f"INC-{year}-{int(k):03d}" or shard_name(summary.id) != shard.name:
            raise DamagedFile(shard, f"summary {k} holds {summary.id}, which does not belong there")
    return entries


def upsert(shard: Path, seq: int, summary: IncidentSummary, stamp: Stamp) -> None:
    """Store one summary in its shard (caller holds the index lock). DamagedFile if the shard is damaged."""
    db = TinyDB(shard, storage=AtomicJSONStorage, create_dirs=True)
    with db.storage.transaction():
        for name, doc in ((SUMMARIES, summary_doc(summary)), (STAMPS, {"stamp": list(stamp)})):
            table = db.table(name)
            if table.contains(doc_id=seq):
                table.remove(doc_ids=[seq])
            table.insert(Document(doc, doc_id=seq))


def remove(shard: Path, seq: int) -> None:
    db = TinyDB(shard, storage=AtomicJSONStorage, create_dirs=True)
    with db.storage.transaction():
        for name in (SUMMARIES, STAMPS):
            table = db.table(name)
            if table.contains(doc_id=seq):
                table.remove(doc_ids=[seq])


def write_shard(shard: Path, entries: dict[int, tuple[IncidentSummary, Stamp]], *, fsync: bool = True) -> None:
    """Write a whole shard at once (rebuilds, bulk loads)."""
    shard.parent.mkdir(parents=True, exist_ok=True)
    db = TinyDB(shard, storage=AtomicJSONStorage, fsync=fsync)
    with db.storage.transaction():
        db.storage.write({
            SUMMARIES: {str(seq): summary_doc(s) for seq, (s, _) in sorted(entries.items())},
            STAMPS: {str(seq): {"stamp": list(st)} for seq, (_, st) in sorted(entries.items())},
        })
