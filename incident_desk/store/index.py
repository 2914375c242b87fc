"""The summary index: a derived cache of one `IncidentSummary` per incident, sharded by year and id range.

Shard `index/summaries-2025-000.json` holds incidents INC-2025-000..499: a one-line JSON header with a row
(an array) per incident, in sequence order, then the summaries, one JSON line each. A row holds the sequence
number, the stamp (inode, size, mtime_ns) of the incident file it was made from, where its summary sits,
and the fields queries filter on (status, severity, type, services, title, start, declaration, earliest
open due date); a summary is parsed only when its incident is returned, so a query over 50,000 incidents
parses small rows, not 50,000 summaries. (Shards of the earlier layouts, rows as objects or TinyDB tables,
are still read.) Beside each shard, a span file records its first and last start time and earliest open due
date, so windowed and overdue queries skip shards that cannot match. Writes do not rewrite shards: they
append to the journal (`index_journal`), which is folded into the shards now and then. A reader compares
stamps with the incident files and re-summarises any file that changed since, so lists are never stale.
The whole index can be rebuilt from the incident files at any time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..domain import Status, WorkStatus, incident_number
from ..domain.vocabulary import NEW_ITEM_STATUS
from .errors import DamagedFile
from .storage import atomic_write_bytes, parse_tinydb_bytes

SHARD_SIZE = 500
SUMMARIES, STAMPS = "summaries", "stamps"
Stamp = tuple[int, int, int]

if TYPE_CHECKING:  # the models load on first use: reading list rows builds none
    from pydantic import TypeAdapter

    from ..domain import IncidentSummary


@cache
def summary_list_adapter() -> TypeAdapter[list[IncidentSummary]]:
    """Full validation of a list of summaries (built on first use: most processes never need it)."""
    from pydantic import TypeAdapter

    from ..domain import IncidentSummary

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


_OPEN_WORK = frozenset(w.value for w in WorkStatus if w.is_open)
_DEFAULT_WORK_STATUS = NEW_ITEM_STATUS.value  # left out of dumped summaries, being the default
ROWS = "rows"
#: what a query reads without parsing the summary itself; `doc` is the summary (JSON text in a shard, a dict
#: once parsed), `due` the earliest due date of the open action items
ROW_FIELDS = ("status", "severity", "type", "services", "title", "started_at", "declared_at", "due", "resolved_at",
              "commander")
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
            "due": min(dues) if dues else None, "resolved_at": clock.get("resolved_at"),
            "commander": doc.get("commander", ""), "doc": doc}


TEXT = (str, bytes, memoryview)


def with_changes(row: Row, changes: dict[str, Any]) -> Row:
    """A new row whose summary has these fields changed (a timeline append's revision and count); the
    summary text is not parsed for it: the change is kept beside it and applied when it is parsed."""
    changed = dict(row)
    if isinstance(row["doc"], TEXT):
        changed["set"] = {**row.get("set", {}), **changes}
    else:
        changed["doc"] = {**row["doc"], **changes}
    return changed


def parsed_doc(row: Row) -> dict[str, Any]:
    """The summary document of a row, parsed (not kept in the row: callers may stream)."""
    doc = row["doc"]
    if isinstance(doc, TEXT):
        doc = orjson.loads(doc)
        if "set" in row:
            doc.update(row["set"])
    return doc


def _stamp(value: Any) -> Stamp:
    try:
        inode, size, mtime = value
        return int(inode), int(size), int(mtime)
    except (TypeError, ValueError):
        return (0, 0, 0)  # no usable stamp: the reader re-reads the incident file


FORMAT = b'{"format":"incident-desk/index-shard-4"'
FORMAT_3 = b'{"format":"incident-desk/index-shard-3"'
# The layout of the summaries a shard holds: bump it whenever `IncidentSummary` gains or changes a field.
# Entries written under another version (or in the earlier TinyDB layouts) are stale: each is re-read from
# its incident file once and recorded afresh, so an upgraded desk never answers from an older summary.
SUMMARY_VERSION = 2
#: a row of a shard's header, in this order: the sequence number, the stamp of the incident file, where its
#: summary sits in the lines below (offset, length), then the query fields (`ROW_FIELDS`)
ROW_LAYOUT = ("seq", "inode", "size", "mtime_ns", "offset", "length", *ROW_FIELDS)


#: (statuses, severities, types) a reader that keeps nothing wants; an empty set allows any
RowFilter = tuple[frozenset[str], frozenset[str], frozenset[str]]
#: the entry of an incident a `RowFilter` left out (as for one removed: nothing to build, but known)
LEFT_OUT: tuple[None, Stamp] = (None, (0, 0, 0))


def rows_from_bytes(raw: bytes, shard: Path, narrow: RowFilter | None = None) -> dict[str, tuple[Row, Stamp]]:
    """id -> (query row, stamp) of each incident in a shard's bytes, in sequence order; the summaries are
    neither parsed nor copied (a reader parses only what it returns). Reads the earlier layouts too.
    DamagedFile if the bytes are not a shard, or an entry does not hold the incident its number names.
    With `narrow`, a valid row whose status, severity or type it rules out comes back as `LEFT_OUT` (its row
    is not built: a filtered list of 50,000 incidents builds only the rows it may return)."""
    if not raw.startswith(FORMAT):
        return _rows_from_format_3(raw, shard) if raw.startswith(FORMAT_3) else _rows_from_tinydb(raw, shard)
    rows, current, (first, last, prefix), (view, base, size) = _opened(raw, shard, list)
    statuses = _STATUS_VALUES
    wanted_statuses, wanted_severities, wanted_types = narrow or (frozenset(), frozenset(), frozenset())
    entries: dict[str, tuple[Row, Stamp]] = {}
    previous = first - 1
    for number, entry in enumerate(rows):
        try:
            seq, inode, length_now, mtime, offset, length, status, severity, kind, services, title, started, \
                declared, due, resolved, commander = entry
            start = base + offset
            end = start + length
        except (TypeError, ValueError):
            raise DamagedFile(shard, f"row {number} is not a row of {len(ROW_LAYOUT)} values") from None
        if type(seq) is not int or not previous < seq <= last:
            raise DamagedFile(shard, f"row {number} has no sequence number of this shard, in order")
        previous = seq
        incident_id = f"{prefix}{seq:03d}"
        if type(start) is not int or end > size or not raw.startswith(f'{{"id":"{incident_id}"'.encode(), start):
            raise DamagedFile(shard, f"entry {seq} does not hold {incident_id}, which belongs there")
        if (current and status in statuses and type(title) is str and type(kind) is str and type(services) is list
                and (severity is None or type(severity) is str) and (started is None or type(started) is str)
                and (declared is None or type(declared) is str) and (due is None or type(due) is str)
                and (resolved is None or type(resolved) is str) and type(commander) is str):
            if ((wanted_statuses and status not in wanted_statuses) or (wanted_types and kind not in wanted_types)
                    or (wanted_severities and severity not in wanted_severities)):
                entries[incident_id] = LEFT_OUT  # type: ignore[assignment]
                continue
            entries[incident_id] = ({"status": status, "severity": severity, "type": kind, "services": services,
                                     "title": title, "started_at": started, "declared_at": declared, "due": due,
                                     "resolved_at": resolved, "commander": commander, "doc": view[start:end]},
                                    (inode, length_now, mtime))
        else:  # unusable: the reader reads the file
            entries[incident_id] = ({**dict.fromkeys(ROW_FIELDS), "doc": view[start:end]}, STALE)
    return entries


def _opened(raw: bytes, shard: Path, rows_type: type
            ) -> tuple[Any, bool, tuple[int, int, str], tuple[memoryview, int, int]]:
    """A shard's rows (of `rows_type`), whether its summaries are of the current version, its (first, last)
    sequence numbers and id prefix, and (a view of its bytes, where the summaries start, its size)."""
    header, header_end = _header(raw, shard, rows_type)
    year, first, last = shard_range(shard.name)
    return (header["rows"], header.get("summary") == SUMMARY_VERSION, (first, last, f"INC-{year:04d}-"),
            (memoryview(raw), header_end + 1, len(raw)))


def _header(raw: bytes, shard: Path, rows_type: type) -> tuple[dict[str, Any], int]:
    header_end = raw.find(b"\n")
    try:
        header = orjson.loads(raw[:header_end] if header_end >= 0 else raw)
        if type(header["rows"]) is not rows_type:
            raise TypeError
    except (orjson.JSONDecodeError, KeyError, TypeError):
        hint = "truncated or not JSON" if b"\x00" not in raw else "contains NUL bytes"
        raise DamagedFile(shard, f"its header is not a row table ({hint})") from None
    return header, header_end


def _rows_from_format_3(raw: bytes, shard: Path) -> dict[str, tuple[Row, Stamp]]:
    """Shards written before the rows became arrays: `rows` maps each sequence number to an object."""
    rows, current, (first, last, prefix), (view, base, size) = _opened(raw, shard, dict)
    entries: dict[str, tuple[Row, Stamp]] = {}
    for key in sorted(rows, key=int):  # written in order: this sort is cheap
        seq, row = int(key), rows[key]
        incident_id = f"{prefix}{seq:03d}"
        try:
            offset, length = row.pop("at")
            start = base + offset
            end = start + length
        except (AttributeError, KeyError, TypeError, ValueError):
            raise DamagedFile(shard, f"entry {key} has no place for its summary") from None
        if not first <= seq <= last or end > size or not raw.startswith(f'{{"id":"{incident_id}"'.encode(), start):
            raise DamagedFile(shard, f"entry {key} does not hold {incident_id}, which belongs there")
        stamp = _stamp(row.pop("stamp", None))
        if current and not row.keys() >= _ROW_KEYS:  # written before the row held every field: from the summary
            try:
                row = {**row, **{k: v for k, v in row_of(orjson.loads(view[start:end])).items() if k not in row}}
            except (orjson.JSONDecodeError, AttributeError, TypeError):
                pass
        if not (current and row.keys() >= _ROW_KEYS and well_typed(row)):
            row, stamp = {name: None for name in ROW_FIELDS}, STALE  # unusable: the reader reads the file
        row["doc"] = view[start:end]
        entries[incident_id] = (row, stamp)
    return entries


STALE: Stamp = (0, 0, 0)
_STATUS_VALUES = frozenset(s.value for s in Status)
_TEXT_OR_NONE = (str, type(None))


def well_typed(row: Row) -> bool:
    """Whether a row's query fields have the types queries compare (else its file is read instead)."""
    return (row["status"] in _STATUS_VALUES and type(row["title"]) is str and type(row["type"]) is str
            and type(row["services"]) is list and isinstance(row["severity"], _TEXT_OR_NONE)
            and isinstance(row["started_at"], _TEXT_OR_NONE) and isinstance(row["declared_at"], _TEXT_OR_NONE)
            and isinstance(row["due"], _TEXT_OR_NONE) and isinstance(row["resolved_at"], _TEXT_OR_NONE)
            and type(row["commander"]) is str)


def _rows_from_tinydb(raw: bytes, shard: Path) -> dict[str, tuple[Row, Stamp]]:
    """The earlier layouts, TinyDB tables: `rows` (summaries as JSON text), or `summaries` and `stamps`. Their
    summaries predate `SUMMARY_VERSION`, so every entry comes back stale (re-read once from its file)."""
    tables = parse_tinydb_bytes(raw, shard)
    year, first, last = shard_range(shard.name)
    entries: dict[str, tuple[Row, Stamp]] = {}
    if ROWS in tables or SUMMARIES not in tables:
        rows = tables.get(ROWS, {})
        for key in sorted(rows, key=int):
            seq, row = int(key), rows[key]
            incident_id = f"INC-{year:04d}-{seq:03d}"
            doc = row.get("doc")
            if not first <= seq <= last or type(doc) is not str or not doc.startswith(f'{{"id":"{incident_id}"'):
                raise DamagedFile(shard, f"entry {key} does not hold {incident_id}, which belongs there")
            entries[incident_id] = ({name: None for name in ROW_FIELDS} | {"doc": doc}, STALE)
        return entries
    summaries = tables[SUMMARIES]  # (their `stamps` table is not needed: these summaries are all stale)
    for key in sorted(summaries, key=int):
        seq = int(key)
        incident_id = f"INC-{year:04d}-{seq:03d}"
        doc = summaries[key]
        if doc.get("id") != incident_id or not first <= seq <= last:
            raise DamagedFile(shard, f"summary {key} holds {doc.get('id')}, which does not belong there")
        entries[incident_id] = ({name: None for name in ROW_FIELDS} | {"doc": doc}, STALE)
    return entries


def write_shard(shard: Path, entries: dict[int, tuple[IncidentSummary, Stamp]], *, fsync: bool = True) -> None:
    """Write a whole shard at once (rebuilds, bulk loads)."""
    write_shard_rows(shard, {seq: (row_of(summary_doc(s)), st) for seq, (s, st) in entries.items()}, fsync=fsync)


def write_shard_rows(shard: Path, entries: dict[int, tuple[Row, Stamp]], *, fsync: bool = True) -> None:
    """Write a whole shard from query rows, atomically: a one-line JSON header `{"format", "summary", "rows"}`
    whose rows are arrays laid out as `ROW_LAYOUT` (arrays parse faster than objects, and need no keys), then
    the summaries as JSON lines."""
    shard.parent.mkdir(parents=True, exist_ok=True)
    rows: list[list[Any]] = []
    docs: list[bytes] = []
    starts: list[float] = []
    dues: list[str] = []
    offset = 0
    for seq, (row, stamp) in sorted(entries.items()):
        doc = row["doc"] if "set" not in row else parsed_doc(row)
        text = bytes(doc) if isinstance(doc, memoryview) else doc.encode() if type(doc) is str else orjson.dumps(doc)
        rows.append([seq, *stamp, offset, len(text), *(row.get(name) for name in ROW_FIELDS)])
        if row.get("started_at"):
            starts.append(datetime.fromisoformat(row["started_at"]).timestamp())
        if row.get("due"):
            dues.append(row["due"])
        docs.append(text)
        offset += len(text) + 1
    header = FORMAT + b',"summary":' + str(SUMMARY_VERSION).encode() + b',"rows":' + orjson.dumps(rows) + b"}\n"
    stat = atomic_write_bytes(shard, header + b"".join(d + b"\n" for d in docs), fsync=fsync)
    span = {"shard": list(stamp_of(stat)), "started": [min(starts), max(starts)] if starts else None,
            "due": min(dues) if dues else None}
    atomic_write_bytes(span_path(shard), orjson.dumps(span), fsync=False)


def span_path(shard: Path) -> Path:
    """The shard's span file: the first and last start time and the earliest open due date it holds, tied
    to the shard's stamp."""
    return shard.with_suffix(".span")


@dataclass(frozen=True)
class ShardSpan:
    """What a shard holds, for skipping it: (first, last) start time in epoch seconds (None: no incident has
    one) and the earliest due date of an open action item (ISO text; None: no open item has one)."""

    started: tuple[float, float] | None
    due: str | None


def shard_span(shard: Path) -> ShardSpan | None:
    """The span of a shard, or None when unknown (no span file, one written for another version of the shard,
    or by a desk that did not record due dates): then read the shard."""
    try:
        with open(span_path(shard), "rb") as handle:
            span = orjson.loads(handle.read())
        if tuple(span["shard"]) != stamp_of(os.stat(shard)) or "due" not in span:
            return None
        started, due = span["started"], span["due"]
        if not (due is None or type(due) is str):
            return None
        return ShardSpan(None if started is None else (float(started[0]), float(started[1])), due)
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
        return None
