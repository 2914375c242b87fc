"""The per-year counter of incident ids (`ids.json`); a damaged counter is moved aside and rebuilt from the
incident files, and the counter never hands out a number an incident file already has. A counter value
outside 0..MAX_SEQUENCE (hand-edited, or left by an old version that accepted any id) is ignored with a
notice, so one bad value can never stop every later `declare`."""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from ..domain.validation import MAX_SEQUENCE
from . import layout, recovery
from .errors import DamagedFile, StoreError
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
        if type(last) is not int or not 0 <= last <= MAX_SEQUENCE:
            notices.append(f"{ids_path}: the counter of {year} held {str(last)[:40]!r}, not a number within "
                           f"0-{MAX_SEQUENCE}; it was ignored and rebuilt from the incident files")
            last = 0
        number = max(last, layout.highest_sequence(root, year)) + 1
        if number > MAX_SEQUENCE:
            raise StoreError(f"all {MAX_SEQUENCE:,} incident numbers of {year} are taken in {root}; "
                             "nothing was saved")
        if counters.contains(doc_id=year):
            counters.remove(doc_ids=[year])
        counters.insert(Document({"year": year, "last": number}, doc_id=year))
    return number
