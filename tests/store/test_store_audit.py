"""The hash-chained audit trail: every write is recorded, and tampering with stored records is detected."""

from __future__ import annotations

from datetime import datetime, timezone

import orjson
import pytest

from incident_desk.domain import Status, TimelineEvent
from incident_desk.store import Workspace

from store_helpers import make_incident


@pytest.fixture
def audited(ws: Workspace) -> Workspace:
    ws.create(make_incident(), actor="alice")
    ws.update("INC-2025-001", lambda i: setattr(i, "status", Status.INVESTIGATING), actor="alice", action="status")
    for n in range(3):
        ws.append_event("INC-2025-001", TimelineEvent(at=datetime(2025, 1, 15, 3, n, tzinfo=timezone.utc),
                                                      text=f"step {n}"), actor="bob")
    ws.update("INC-2025-001", lambda i: setattr(i, "title", "Renamed"), actor="carol", action="edit")
    return ws


def tamper(ws: Workspace, edit) -> None:
    path = ws.incident_path("INC-2025-001")
    data = orjson.loads(path.read_bytes())
    edit(data)
    path.write_bytes(orjson.dumps(data))


def problems(ws: Workspace) -> list[str]:
    [report] = ws.verify_audit("INC-2025-001")
    assert report.ok is (not report.problems)
    return report.problems


def test_every_write_is_recorded_in_a_valid_chain(audited: Workspace) -> None:
    trail = audited.audit_trail("INC-2025-001")
    assert [(r.seq, r.actor, r.action, r.revision) for r in trail] == [
        (1, "alice", "declare", 1), (2, "alice", "status", 2), (3, "bob", "timeline.add", 3),
        (4, "bob", "timeline.add", 4), (5, "bob", "timeline.add", 5), (6, "carol", "edit", 6)]
    assert trail[1].changed == ["status"] and trail[5].changed == ["title"]
    assert all(b.prev_hash == a.hash for a, b in zip(trail, trail[1:], strict=False))
    [report] = audited.verify_audit()
    assert report.ok and report.records == 6 and report.head_hash == trail[-1].hash
    assert audited.audit_head("INC-2025-001") == trail[-1].hash


def test_changing_one_field_of_a_stored_record_is_detected(audited: Workspace) -> None:
    tamper(audited, lambda data: data["audit"]["2"].__setitem__("actor", "mallory"))
    assert problems(audited) == ["record 2: hash mismatch (content changed)"]


def test_rewriting_a_record_and_its_hash_breaks_the_chain(audited: Workspace) -> None:
    from incident_desk.store.audit import record_hash

    def forge(data: dict) -> None:
        data["audit"]["3"]["actor"] = "mallory"
        data["audit"]["3"]["hash"] = record_hash(data["audit"]["3"])
    tamper(audited, forge)
    assert problems(audited) == ["record 4: chain broken (prev_hash does not match the record before it)"]


def test_deleting_a_record_is_detected(audited: Workspace) -> None:
    tamper(audited, lambda data: data["audit"].pop("4"))
    found = problems(audited)
    assert "record 5: out of sequence" in found[0] and "chain broken" in found[1]


def test_deleting_the_newest_record_is_detected(audited: Workspace) -> None:
    tamper(audited, lambda data: data["audit"].pop("6"))
    assert problems(audited) == ["the trail ends at revision 5 but the incident is at revision 6: records were "
                                 "removed or the incident was edited outside the store"]


def test_reordering_records_is_detected(audited: Workspace) -> None:
    def swap(data: dict) -> None:
        data["audit"]["3"], data["audit"]["4"] = data["audit"]["4"], data["audit"]["3"]
    tamper(audited, swap)
    assert any("record 3: out of sequence" in p for p in problems(audited))


def test_editing_incident_data_outside_the_store_is_detected(audited: Workspace) -> None:
    tamper(audited, lambda data: data["timeline"]["1"].__setitem__("text", "rewritten history"))
    assert problems(audited) == ["the incident data differs from what the last audit record sealed: "
                                 "it was edited outside the store"]


def test_a_chain_cannot_be_moved_to_another_incident(audited: Workspace) -> None:
    audited.create(make_incident("INC-2025-002"), actor="alice")
    first = orjson.loads(audited.incident_path("INC-2025-001").read_bytes())
    path = audited.incident_path("INC-2025-002")
    second = orjson.loads(path.read_bytes())
    second["audit"] = first["audit"]
    path.write_bytes(orjson.dumps(second))
    [report] = audited.verify_audit("INC-2025-002")
    assert "record 1: the chain does not start at the genesis of INC-2025-002" in report.problems
