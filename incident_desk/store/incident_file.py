"""One incident in one TinyDB file: tables `incident` (the core document), `timeline`, `communications`
and `audit`. Converts between that file and the domain `Incident`, and seals every write with an audit
record, all in one atomic write."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import audit
from .errors import DamagedFile, TamperedFile
from .storage import atomic_write_bytes, dump_tinydb, parse_tinydb_bytes, read_with_stat

if TYPE_CHECKING:  # the models load when an incident is validated, not to read its file
    from ..domain import Incident, TimelineEvent

CORE, TIMELINE, COMMUNICATIONS, AUDIT = "incident", "timeline", "communications", "audit"
LIST_PARTS = {"timeline": TIMELINE, "communications": COMMUNICATIONS}


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
        from pydantic import ValidationError

        from ..domain import Incident

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
    raw, stamp = read_with_stat(path)
    return from_tables(path, parse_tinydb_bytes(raw, path), incident_id), stamp


def split(incident: Incident, doc: dict[str, Any] | None = None
          ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The core document, timeline and communications of an incident (from `doc`, its JSON-mode dump, when
    the caller has it already)."""
    data = incident.model_dump(mode="json") if doc is None else dict(doc)
    timeline = data.pop("timeline")
    communications = data.pop("communications")
    return data, timeline, communications


def now() -> datetime:
    return datetime.now(timezone.utc)


def _file_bytes(core: dict[str, Any], timeline: list[dict[str, Any]], communications: list[dict[str, Any]],
                audit_docs: dict[str, dict[str, Any]]) -> bytes:
    """The file's bytes: the four TinyDB tables, documents numbered from 1 (as TinyDB numbers them)."""
    return dump_tinydb({CORE: {"1": core},
                        TIMELINE: {str(n): doc for n, doc in enumerate(timeline, 1)},
                        COMMUNICATIONS: {str(n): doc for n, doc in enumerate(communications, 1)},
                        AUDIT: audit_docs})


def write_whole(path: Path, incident: Incident, *, previous: StoredIncident | None, actor: str, action: str,
                changed: list[str], keep_previous: Path | None, fsync: bool = True,
                at: datetime | None = None, detail: str = "", doc: dict[str, Any] | None = None
                ) -> tuple[StoredIncident, os.stat_result]:
    """Write the whole incident (its revision already set) plus one audit record, atomically.

    `previous` is the stored form the caller read under the incident's lock (None for a new file); `doc` the
    incident's JSON-mode dump when the caller made one. Returns the stored form and the stat of the file."""
    core, timeline, communications = split(incident, doc)
    audit_docs = dict(previous.audit_docs) if previous else {}
    seq = previous.next_seq if previous else 1
    prev_hash = previous.head_hash if previous else audit.genesis_hash(incident.id)
    record = audit.new_record_doc(seq=seq, at=at or now(), actor=actor, action=action,
                                  revision=incident.revision, changed=changed,
                                  state=audit.state_hash(core, timeline, communications), prev_hash=prev_hash,
                                  detail=detail)
    audit_docs[str(seq)] = record
    stat = atomic_write_bytes(path, _file_bytes(core, timeline, communications, audit_docs), fsync=fsync,
                              keep_previous=keep_previous if previous else None)
    stored = StoredIncident(path=path, core=core, timeline=timeline, communications=communications,
                            audit_docs=audit_docs)
    return stored, stat


def append_event(path: Path, incident_id: str, event: TimelineEvent, *, actor: str,
                 keep_previous: Path | None) -> tuple[StoredIncident, os.stat_result]:
    """Append one timeline event with its audit record in one atomic write; the fast path.

    Reads the file once (the caller holds the incident's lock), checks it is sealed and a valid incident,
    writes once. Returns the new stored form and the stat of the file written."""
    raw, _ = read_with_stat(path)
    stored = from_tables(path, parse_tinydb_bytes(raw, path), incident_id)
    stored.check_sealed()
    stored.to_incident()  # refuses (DamagedFile) to add to a file that is not a valid incident
    revision = stored.revision + 1
    stored.core["revision"] = revision
    stored.timeline.append(event.model_dump(mode="json"))
    seq = stored.next_seq
    stored.audit_docs[str(seq)] = audit.new_record_doc(
        seq=seq, at=now(), actor=actor, action="timeline.add", revision=revision, changed=["timeline"],
        state=stored.state_hash(), prev_hash=stored.head_hash)
    stat = atomic_write_bytes(path, _file_bytes(stored.core, stored.timeline, stored.communications,
                                                stored.audit_docs), keep_previous=keep_previous)
    return stored, stat
