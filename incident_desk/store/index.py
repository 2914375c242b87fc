"""The summary index: a derived cache of one `IncidentSummary` per incident, sharded by year and id range.

Shard `index/summaries-2025-000.json` holds incidents INC-2025-000..499 in one TinyDB table `rows` keyed by
the id's sequence number. A row holds the fields queries filter on (status, severity, type, services, title,
start, declaration, earliest open due date), the stamp (inode, size, mtime_ns) of the incident file it was
made from, and the summary itself as JSON text, parsed only when the incident is returned: a query over
50,000 incidents reads small rows, not 50,000 summaries. (Shards of the first layout, tables `summaries`
and `stamps`, are still read.) Writes do not rewrite shards: they append to the journal (`index_journal`),
which is folded into the shards now and then. A reader compares stamps with the incident files and
re-summarises any file that changed since, so lists are never stale. The whole index can be rebuilt from
the incident files at any time.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter
from tinydb import TinyDB

from ..domain import ActionItem, Clock, Facts, IncidentSummary, Priority, Status, WorkStatus, incident_number
from .errors import DamagedFile
from .storage import AtomicJSONStorage, parse_tinydb_bytes

SHARD_SIZE = 500
SUMMARIES, STAMPS = "summaries", "stamps"
Stamp = tuple[int, int, int]


@cache
def summary_list_adapter() -> TypeAdapter[list[IncidentSummary]]:
    """Full validation of a list of summaries (built on first use: most processes never need it)."""
    return TypeAdapter(list[IncidentSummary])


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


_set_attribute = object.__setattr__


class _Builder:
    """`cls.model_construct(**values)` without its per-call cost (pydantic 2.14 inspects each default
    factory's signature on every call, and looks the fields up again): the same instance state, built
    directly from field values that are already of the right types."""

    def __init__(self, cls: type) -> None:
        fields = cls.model_fields
        self.cls = cls
        self.names = frozenset(fields)
        self.static = {name: f.default for name, f in fields.items() if f.default_factory is None}
        self.factories = [(name, f.default_factory) for name, f in fields.items() if f.default_factory]

    def __call__(self, values: dict[str, Any]) -> Any:
        data = self.static.copy()
        data.update(values)
        for name, factory in self.factories:
            if name not in values:
                data[name] = factory()
        instance = self.cls.__new__(self.cls)
        _set_attribute(instance, "__dict__", data)
        _set_attribute(instance, "__pydantic_fields_set__", set(values))
        _set_attribute(instance, "__pydantic_extra__", None)
        _set_attribute(instance, "__pydantic_private__", None)
        return instance


_BUILDERS: dict[type, _Builder] = {}


def _construct(cls: type, values: dict[str, Any]) -> Any:
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _Builder(cls)
    return builder(values)


_STATUS = {s.value: s for s in Status}
_PRIORITY = {p.value: p for p in Priority}
_WORK_STATUS = {w.value: w for w in WorkStatus}
_fromisoformat = datetime.fromisoformat


def _instant(value: str | None) -> datetime | None:
    return None if value is None else _fromisoformat(value)


def _action_item(doc: dict[str, Any]) -> ActionItem:
    fields = dict(doc)
    for name in ("created_at", "completed_at"):
        if name in fields:
            fields[name] = _instant(fields[name])
    if fields.get("due") is not None:
        fields["due"] = date.fromisoformat(fields["due"])
    if "priority" in fields:
        fields["priority"] = _PRIORITY[fields["priority"]]
    if "status" in fields:
        fields["status"] = _WORK_STATUS[fields["status"]]
    return _construct(ActionItem, fields)


_LIST_FIELDS = ("services", "affected_systems", "tags")


def summary_from_doc(doc: dict[str, Any]) -> IncidentSummary:
    """Rebuild a summary this module wrote, without re-running validators (several times faster, which keeps
    a 10,000-incident list within budget). The docs were validated when they were made; anything that
    does not fit raises (KeyError, TypeError, ValueError) and the caller falls back to full validation."""
    builder = _BUILDERS.get(IncidentSummary) or _BUILDERS.setdefault(IncidentSummary, _Builder(IncidentSummary))
    if not doc.keys() <= builder.names:
        raise ValueError(f"unknown summary fields {sorted(set(doc) - builder.names)}")
    fields = dict(doc)
    if not (type(fields["id"]) is str and type(fields["revision"]) is int and type(fields["title"]) is str):
        raise ValueError("id, revision or title of the wrong type")
    fields["status"] = _STATUS[fields["status"]]
    clock = fields.get("clock")
    fields["clock"] = _construct(Clock, {k: _instant(v) for k, v in clock.items()} if clock else {})
    fields["facts"] = _construct(Facts, dict(fields.get("facts") or {}))
    items = fields.get("action_items")
    fields["action_items"] = [_action_item(item) for item in items] if items else []
    for name in _LIST_FIELDS:  # own lists: the document may be cached and reused
        if name in fields:
            fields[name] = list(fields[name])
    return builder(fields)


_OPEN_WORK = frozenset(w.value for w in WorkStatus if w.is_open)
_DEFAULT_WORK_STATUS = ActionItem.model_fields["status"].default.value
ROWS = "rows"
#: what a query reads without parsing the summary itself; `doc` is the summary (JSON text in a shard, a dict
#: once parsed), `due` the earliest due date of the open action items
ROW_FIELDS = ("status", "severity", "type", "services", "title", "started_at", "declared_at", "due")
Row = dict[str, Any]
_ROW_KEYS = frozenset(ROW_FIELDS)


def row_of(doc: dict[str, Any]) -> Row:
    """The query row of a summary document (the document kept in it)."""
    clock = doc.get("clock") or {}
    dues = [item["due"] for item in doc.get("action_items", ())
            if item.get("due") is not None and item.get("status", _DEFAULT_WORK_STATUS) in _OPEN_WORK]
    return {"status": doc.get("status"), "severity": doc.get("severity"), "type": doc.get("type"),
            "services": doc.get("services", []), "title": doc.get("title", ""),
            "started_at": clock.get("started_at"), "declared_at": clock.get("declared_at"),
            "due": min(dues) if dues else None, "doc": doc}


def doc_of(row: Row) -> dict[str, Any]:
    """The summary document of a row, parsed on first use."""
    doc = row["doc"]
    if type(doc) is str:
        doc = row["doc"] = orjson.loads(doc)
    return doc


def parsed_doc(row: Row) -> dict[str, Any]:
    """The summary document of a row, parsed but not kept in the row (for callers that stream)."""
    doc = row["doc"]
    return orjson.loads(doc) if type(doc) is str else doc


def _stamp(value: Any) -> Stamp:
    try:
        inode, size, mtime = value
        return int(inode), int(size), int(mtime)
    except (TypeError, ValueError):
        return (0, 0, 0)  # no usable stamp: the reader re-reads the incident file


def rows_from_bytes(raw: bytes, shard: Path) -> dict[str, tuple[Row, Stamp]]:
    """id -> (query row, stamp) of each incident in a shard's bytes, in sequence order; the summaries are not
    parsed or validated (a reader does that only for what it returns). Reads the older shard layout (tables
    `summaries` and `stamps`) too. DamagedFile if the bytes are not a shard or an entry sits where its id
    does not belong."""
    tables = parse_tinydb_bytes(raw, shard)
    year, first, last = shard_range(shard.name)
    entries: dict[str, tuple[Row, Stamp]] = {}
    if ROWS in tables or SUMMARIES not in tables:
        rows = tables.get(ROWS, {})
        prefix = f"INC-{year:04d}-"
        for key in sorted(rows, key=int):  # written in order: this sort is cheap
            seq, row = int(key), rows[key]
            incident_id = f"{prefix}{seq:03d}"
            doc = row.get("doc")
            if not first <= seq <= last or type(doc) is not str or not doc.startswith(f'{{"id":"{incident_id}"'):
                raise DamagedFile(shard, f"entry {key} does not hold {incident_id}, which belongs there")
            if not row.keys() >= _ROW_KEYS:
                row = {name: row.get(name) for name in ROW_FIELDS} | {"doc": doc}
            entries[incident_id] = (row, _stamp(row.pop("stamp", None)))
        return entries
    summaries = tables[SUMMARIES]
    stamps = tables.get(STAMPS, {})
    for key in sorted(summaries, key=int):
        seq = int(key)
        incident_id = f"INC-{year:04d}-{seq:03d}"
        doc = summaries[key]
        if doc.get("id") != incident_id or not first <= seq <= last:
            raise DamagedFile(shard, f"summary {key} holds {doc.get('id')}, which does not belong there")
        entries[incident_id] = (row_of(doc), _stamp((stamps.get(key) or {}).get("stamp")))
    return entries


def write_shard(shard: Path, entries: dict[int, tuple[IncidentSummary, Stamp]], *, fsync: bool = True) -> None:
    """Write a whole shard at once (rebuilds, bulk loads)."""
    write_shard_rows(shard, {seq: (row_of(summary_doc(s)), st) for seq, (s, st) in entries.items()}, fsync=fsync)


def write_shard_rows(shard: Path, entries: dict[int, tuple[Row, Stamp]], *, fsync: bool = True) -> None:
    """Write a whole shard from query rows, atomically (folding the journal, rebuilds)."""
    shard.parent.mkdir(parents=True, exist_ok=True)
    rows = {}
    for seq, (row, stamp) in sorted(entries.items()):
        doc = row["doc"]
        rows[str(seq)] = {**{name: row.get(name) for name in ROW_FIELDS}, "stamp": list(stamp),
                          "doc": doc if type(doc) is str else orjson.dumps(doc).decode()}
    db = TinyDB(shard, storage=AtomicJSONStorage, fsync=fsync)
    with db.storage.transaction():
        db.storage.write({ROWS: rows})
