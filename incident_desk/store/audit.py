"""The per-incident audit trail: append-only records chained by SHA-256.

Each record says who did what and when, which dotted paths changed, the incident revision it produced,
and `state_hash`, a digest of the whole stored incident after the change. `hash` is SHA-256 over the
canonical JSON (sorted keys) of the record without `hash`, so it covers `prev_hash`; the first record's
`prev_hash` is derived from the incident id (the fixed genesis), which binds a chain to its incident.
Every write produces exactly one record and one revision, so record N seals revision N: a chain must start
at revision 1 and count up by one. Changing, deleting, inserting or reordering stored records, or editing
incident data outside the store, is detected by `verify_chain`; `check_head` is the cheap part of that
check every write runs first, so a hand edit is refused instead of being sealed by the next record.

A record may carry `detail` (e.g. the head hash of the export an import came from); it is absent from
records that have none, so their hashes are unchanged.

Anyone who can write the folder can recompute every hash: the chain alone proves consistency, not
authorship. Signed checkpoints (`store.checkpoints`) pin the heads at a moment; see docs/audit.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ..domain.timeutil import as_utc, isoformat_z, parse_instant


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    revision: int
    changed: list[str]
    state_hash: str
    prev_hash: str
    hash: str
    detail: str = ""

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["at"] = _instant(self.at)
        if not self.detail:
            del doc["detail"]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> "AuditRecord":
        return cls(seq=int(doc["seq"]), at=parse_instant(doc["at"]), actor=str(doc["actor"]),
                   action=str(doc["action"]), revision=int(doc["revision"]), changed=list(doc["changed"]),
                   state_hash=str(doc["state_hash"]), prev_hash=str(doc["prev_hash"]), hash=str(doc["hash"]),
                   detail=str(doc.get("detail", "")))


@dataclass
class AuditReport:
    incident_id: str
    ok: bool
    records: int
    head_hash: str
    problems: list[str] = field(default_factory=list)


def _instant(value: datetime) -> str:
    return as_utc(value).isoformat(timespec="microseconds").replace("+00:00", "Z")


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def genesis_hash(incident_id: str) -> str:
    return hashlib.sha256(f"incident-desk audit chain for {incident_id}".encode()).hexdigest()


def state_hash(core: dict[str, Any], timeline: list[dict[str, Any]], communications: list[dict[str, Any]]) -> str:
    """Digest of an incident as stored (core document plus its timeline and communication tables in order)."""
    return hashlib.sha256(canonical({"incident": core, "timeline": timeline,
                                     "communications": communications})).hexdigest()


def record_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in doc.items() if k != "hash"})).hexdigest()


def new_record_doc(*, seq: int, at: datetime, actor: str, action: str, revision: int, changed: list[str],
                   state: str, prev_hash: str, detail: str = "") -> dict[str, Any]:
    doc = {"seq": seq, "at": _instant(at), "actor": actor, "action": action, "revision": revision,
           "changed": changed, "state_hash": state, "prev_hash": prev_hash}
    if detail:
        doc["detail"] = detail
    doc["hash"] = record_hash(doc)
    return doc


def changed_paths(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths whose values differ; dicts are compared key by key, lists as a whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in list(before) + [k for k in after if k not in before]:
            if key == "revision" and not prefix:
                continue
            if before.get(key) != after.get(key):
                path = f"{prefix}{key}"
                paths += changed_paths(before.get(key), after.get(key), path + ".") or [path]
        return paths
    return [] if before == after else ([prefix.rstrip(".")] if prefix else [])


def verify_chain(incident_id: str, docs: list[tuple[str, dict[str, Any]]], *, revision: int,
                 current_state: str) -> AuditReport:
    """Check stored audit docs (doc_id, doc) in stored order against the chain rules and the incident."""
    problems: list[str] = []
    prev = genesis_hash(incident_id)
    head = prev
    last_revision = 0
    last_state = None
    for position, (doc_id, doc) in enumerate(sorted(docs, key=lambda item: int(item[0])), start=1):
        label = f"record {doc_id}"
        try:
            record = AuditRecord.from_doc(doc)
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"{label}: malformed ({error})")
            prev = str(doc.get("hash", "")) if isinstance(doc, dict) else ""
            continue
        if record.seq != position or int(doc_id) != position:
            problems.append(f"{label}: out of sequence (seq {record.seq} at position {position}): "
                            "a record was removed, inserted or reordered")
        if record_hash(doc) != record.hash:
            problems.append(f"{label}: hash mismatch (content changed)")
        if record.prev_hash != prev:
            problems.append(f"{label}: chain broken (prev_hash does not match the record before it)"
                            if position > 1 else f"{label}: the chain does not start at the genesis of {incident_id}")
        if record.revision != position:
            problems.append(f"{label}: seals revision {record.revision} but is record {position} of the trail: "
                            + ("the trail must start at revision 1 (earlier records were cut off)" if position == 1
                               else "each write seals exactly the next revision"))
        prev = record.hash
        head = record.hash
        last_revision = record.revision
        last_state = record.state_hash
    if not docs:
        problems.append("no audit records")
    elif last_revision != revision:
        problems.append(f"the trail ends at revision {last_revision} but the incident is at revision {revision}: "
                        "records were removed or the incident was edited outside the store")
    elif last_state != current_state:
        problems.append("the incident data differs from what the last audit record sealed: "
                        "it was edited outside the store")
    return AuditReport(incident_id=incident_id, ok=not problems, records=len(docs), head_hash=head,
                       problems=problems)


def check_head(incident_id: str, audit_docs: dict[str, dict[str, Any]], *, revision: int,
               current_state: str) -> str | None:
    """The cheap check every write runs first: the last record is intact, is the N-th of N records, links
    to the record before it (or the genesis), seals the stored revision and the stored content. Returns
    the problem, or None. Older records are not re-hashed here; `verify_chain` checks them all."""
    count = len(audit_docs)
    if count == 0:
        return "it has no audit records (they were deleted)"
    head = audit_docs.get(str(count))
    if not isinstance(head, dict):
        return f"its {count} audit records are not numbered 1 to {count} (records were removed or renumbered)"
    try:
        intact = record_hash(head) == head["hash"]
        sealed_revision, sealed_state, seq, prev = head["revision"], head["state_hash"], head["seq"], head["prev_hash"]
    except (KeyError, TypeError, ValueError):
        return f"its last audit record ({count}) is malformed"
    if not intact:
        return f"its last audit record ({count}) was changed"
    if seq != count:
        return f"its last audit record says seq {seq} but is record {count}"
    before = audit_docs.get(str(count - 1)) if count > 1 else None
    expected_prev = genesis_hash(incident_id) if count == 1 else (before or {}).get("hash")
    if prev != expected_prev:
        return f"its last audit record ({count}) does not link to the record before it"
    if sealed_revision != revision:
        return (f"the incident is at revision {revision} but its audit trail ends at revision {sealed_revision}")
    if sealed_state != current_state:
        return "the incident data differs from what the last audit record sealed (edited outside the desk)"
    return None


def describe_changes_since(incident_id: str, records: list[AuditRecord], since_revision: int, limit: int = 6) -> str:
    """`INC-2025-001 changed since revision 4: status by alice at 10:03Z, timeline by bob at 10:04Z`."""
    newer = [r for r in records if r.revision > since_revision]
    groups: list[tuple[str, str, datetime, int]] = []  # consecutive records with the same what and who
    for record in newer:
        what = " + ".join(_short_paths(record.changed)) or record.action
        who = record.actor or "unknown"
        if groups and groups[-1][:2] == (what, who):
            groups[-1] = (what, who, groups[-1][2], groups[-1][3] + 1)
        else:
            groups.append((what, who, record.at, 1))
    parts = [f"{what} by {who} at {isoformat_z(at)[11:16]}Z" + (f" (x{count})" if count > 1 else "")
             for what, who, at, count in groups[:limit]]
    if len(groups) > limit:
        parts.append(f"and {sum(g[3] for g in groups[limit:])} more change(s)")
    return f"{incident_id} changed since revision {since_revision}: {', '.join(parts) or 'unknown changes'}"


def _short_paths(paths: list[str], limit: int = 3) -> list[str]:
    shown = paths[:limit]
    return shown + ([f"+{len(paths) - limit} more"] if len(paths) > limit else [])
