"""The summary index: a derived cache of one `IncidentSummary` per incident, sharded by year and id range.

Shard `index/summaries-2025-000.json` holds incidents INC-2025-000..499 in two TinyDB tables keyed by the
id's sequence number: `summaries` (the summary) and `stamps` (inode, size, mtime_ns of the incident file
the summary was made from). A reader compares stamps with the incident files and re-summarises any file
that changed since (a timeline append does not rewrite the index), so lists are never stale. The whole
index can be rebuilt from the incident files at any time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from ..domain import IncidentSummary, incident_number
from .storage import AtomicJSONStorage

SHARD_SIZE = 500
SUMMARIES, STAMPS = "summaries", "stamps"
Stamp = tuple[int, int, int]


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
    return summary.model_dump(mode="json")


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
