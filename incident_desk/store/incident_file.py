"""One incident in one TinyDB file: tables `incident` (the core document), `timeline`, `communications`
and `audit`. Converts between that file and the domain `Incident`, and seals every write with an audit
record, all in one atomic write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from ..domain import Incident, TimelineEvent
from . import audit
from .errors import DamagedFile, TamperedFile
from .storage import AtomicJSONStorage, atomic_storage, parse_tinydb_bytes

CORE, TIMELINE, COMMUNICATIONS, AUDIT = "incident", "timeline", "communications", "audit"
LIST_PARTS = {"timeline": TIMELINE, "communications": COMMUNICATIONS}


def open_db(path: Path, *, fsync: bool = True, keep_previous: Path | None = None) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, fsync=fsync, keep_previous=keep_previous)


def ordered_docs(table: dict[str, Any]) -> list[dict[str, Any]]:
    return [doc for _, doc in sorted(table.items(), key=lambda item: int(item[0]))]


@dataclass
class StoredIncident:
    """The raw tables of an incident file as read, checked for shape."""

    path: Path
    core: dict[str, Any]
    timeline: list[dict[str, Any]]
    communications: list[dict[str, Any]]
    audit_docs: dict[str, dict[str, Any]]

    @property
    def revision(self) -> int:
        return int(self.core["revision"])

    @property
    def head_hash(self) -> str:
        if not self.audit_docs:
            return audit.genesis_hash(self.core["id"])
        return self.audit_docs[max(self.audit_docs, key=int)]["hash"]

    @property
    def next_seq(self) -> int:
        return max(map(int, self.audit_docs), default=0) + 1

    def state_hash(self) -> str:
        return audit.state_hash(self.core, self.timeline, self.communications)

    def check_sealed(self) -> None:
        """Refuse (TamperedFile) a file whose stored state is not what the head of its audit chain sealed."""
        problem = audit.check_head(self.core["id"], self.audit_docs, revision=self.revision,
                                   current_state=self.state_hash())
        if problem is not None:
            raise TamperedFile(self.path, problem, incident_id=self.core["id"])

    def to_incident(self) -> Incident:
        try:
            return Incident.model_validate({**self.core, "timeline": self.timeline,
                                            "communications": self.communications})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "incident"
            raise DamagedFile(self.path, f"valid JSON but not an incident ({where}: {first['msg']}; "
                                         f"{error.error_count()} problem(s))") from None


def from_tables(path: Path, tables: dict[str, Any] | None, incident_id: str) -> StoredIncident:
    if tables is None:
        raise FileNotFoundError(path)
    core_table = tables.get(CORE) or {}
    if len(core_table) != 1 or "1" not in core_table:
        raise DamagedFile(path, f"valid JSON but not an incident file (table '{CORE}' holds {len(core_table)} "
                                "documents, expected 1)")
    core = core_table["1"]
    if core.get("id") != incident_id:
        raise DamagedFile(path, f"valid JSON but holds incident {core.get('id')!r}, expected {incident_id}")
    if not isinstance(core.get("revision"), int):
        raise DamagedFile(path, "valid JSON but the incident has no revision number")
    return StoredIncident(path=path, core=core, timeline=ordered_docs(tables.get(TIMELINE, {})),
                          communications=ordered_docs(tables.get(COMMUNICATIONS, {})),
                          audit_docs=dict(tables.get(AUDIT, {})))


def read_stored(path: Path, incident_id: str) -> StoredIncident:
    """Read an incident file (FileNotFoundError when absent, DamagedFile when unreadable)."""
    return read_stored_with_stamp(path, incident_id)[0]


def read_stored_with_stamp(path: Path, incident_id: str) -> tuple[StoredIncident, os.stat_result]:
    """Read an incident file and the stat of exactly the bytes read (same open file)."""
    with open(path, "rb") as handle:
        raw = handle.read()
        stamp = os.fstat(handle.fileno())
    return from_tables(path, parse_tinydb_bytes(raw, path), incident_id), stamp


def split(incident: Incident) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    data = incident.model_dump(mode="json")
    timeline = data.pop("timeline")
    communications = data.pop("communications")
    return data, timeline, communications


def now() -> datetime:
    return datetime.now(timezone.utc)


def write_whole(path: Path, incident: Incident, *, previous: StoredIncident | None, actor: str, action: str,
                changed: list[str], keep_previous: Path | None, fsync: bool = True,
                at: datetime | None = None, detail: str = "") -> tuple[StoredIncident, Any]:
    """Write the whole incident (its revision already set) plus one audit record, atomically.

    Returns the stored form and the stat of the file written."""
    core, timeline, communications = split(incident)
    audit_docs = dict(previous.audit_docs) if previous else {}
    seq = previous.next_seq if previous else 1
    prev_hash = previous.head_hash if previous else audit.genesis_hash(incident.id)
    record = audit.new_record_doc(seq=seq, at=at or now(), actor=actor, action=action,
                                  revision=incident.revision, changed=changed,
                                  state=audit.state_hash(core, timeline, communications), prev_hash=prev_hash,
                                  detail=detail)
    audit_docs[str(seq)] = record
    db = open_db(path, fsync=fsync, keep_previous=keep_previous if previous else None)
    storage = atomic_storage(db)
    with storage.transaction():
        if previous is not None:
            storage.read()  # refuses (DamagedFile) to replace a file that cannot be read
        db.table(CORE).truncate()
        db.table(CORE).insert(Document(core, doc_id=1))
        for name, docs in ((TIMELINE, timeline), (COMMUNICATIONS, communications)):
            db.table(name).truncate()
            if docs:
                db.table(name).insert_multiple(docs)
        db.table(AUDIT).truncate()
        db.table(AUDIT).insert_multiple(Document(doc, doc_id=int(k)) for k, doc in audit_docs.items())
    stored = StoredIncident(path=path, core=core, timeline=timeline, communications=communications,
                            audit_docs=audit_docs)
    return stored, storage.last_stamp


def append_event(path: Path, incident_id: str, event: TimelineEvent, *, actor: str,
                 keep_previous: Path | None) -> tuple[StoredIncident, Any]:
    """Append one timeline event with its audit record in one atomic write; the fast path.

    Reads the file once, touches three tables in memory, writes once. Returns the new stored form and stat."""
    db = open_db(path, keep_previous=keep_previous)
    storage = atomic_storage(db)
    with storage.transaction():
        stored = from_tables(path, storage.read(), incident_id)
        stored.check_sealed()
        stored.to_incident()  # refuses (DamagedFile) to add to a file that is not a valid incident
        revision = stored.revision + 1
        event_doc = event.model_dump(mode="json")
        db.table(TIMELINE).insert(event_doc)
        db.table(CORE).update({"revision": revision}, doc_ids=[1])
        stored.core["revision"] = revision
        stored.timeline.append(event_doc)
        seq = stored.next_seq
        record = audit.new_record_doc(seq=seq, at=now(), actor=actor, action="timeline.add",
                                      revision=revision, changed=["timeline"], state=stored.state_hash(),
                                      prev_hash=stored.head_hash)
        db.table(AUDIT).insert(Document(record, doc_id=seq))
        stored.audit_docs[str(seq)] = record
    return stored, storage.last_stamp
