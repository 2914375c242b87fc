"""The per-year counter of incident ids (`ids.json`); a damaged counter is moved aside and rebuilt from the
incident files, and the counter never hands out a number an incident file already has."""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from . import layout, recovery
from .errors import DamagedFile
from .storage import AtomicJSONStorage, atomic_storage, read_tinydb_file


def take_next_number(root: Path, year: int, notices: list[str]) -> int:
    """Record and return the next sequence number of `year`. Caller holds the `ids` lock."""
    ids_path = root / "ids.json"
    try:
        read_tinydb_file(ids_path)
    except DamagedFile as damage:
        aside = recovery.move_aside(ids_path, root / "damaged")
        notices.append(f"{damage}; moved to {aside}; the id counter was rebuilt from the incident files")
    db = TinyDB(ids_path, storage=AtomicJSONStorage)
    with atomic_storage(db).transaction():
        counters = db.table("counters")
        found = counters.get(doc_id=year)
        last = found.get("last", 0) if isinstance(found, dict) else 0
        number = max(last, layout.highest_sequence(root, year)) + 1
        if counters.contains(doc_id=year):
            counters.remove(doc_ids=[year])
        counters.insert(Document({"year": year, "last": number}, doc_id=year))
    return number
