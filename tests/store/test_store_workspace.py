"""The workspace as the app uses it: create, read, update, append, revisions, notifications, backups."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from incident_desk.domain import DomainError, Status, TimelineEvent, operations, summarize
from incident_desk.store import (
    DuplicateId,
    MIGRATIONS,
    NotFound,
    SCHEMA_VERSION,
    SchemaTooNew,
    StaleRevision,
    StoreChange,
    StoreError,
    Workspace,
)

from store_helpers import make_incident, writer_env

NOW = datetime(2025, 1, 15, 3, 0, tzinfo=timezone.utc)


def event(text: str, minutes: int = 0) -> TimelineEvent:
    return TimelineEvent(at=NOW + timedelta(minutes=minutes), text=text, author="bob")


def test_open_without_workspace_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no workspace at .*nowhere; create one with `incident-desk init`"):
        Workspace.open(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_created_workspace_records_schema_and_reopens(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "ws", create=True).close()
    meta = orjson.loads((tmp_path / "ws" / "workspace.json").read_bytes())
    assert meta["schema_version"] == SCHEMA_VERSION and meta["app"] == "incident-desk" and meta["created_at"]
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.list_summaries() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "ws", create=True).close()
    meta_path = tmp_path / "ws" / "workspace.json"
    meta_path.write_bytes(orjson.dumps({"schema_version": 99, "app": "incident-desk"}))
    with pytest.raises(SchemaTooNew, match="schema version 99"):
        Workspace.open(tmp_path / "ws")


def test_older_schema_runs_registered_migrations_after_a_snapshot(tmp_path: Path, monkeypatch) -> None:
    Workspace.open(tmp_path / "ws", create=True).close()
    meta_path = tmp_path / "ws" / "workspace.json"
    meta_path.write_bytes(orjson.dumps({"schema_version": 0, "app": "incident-desk"}))
    ran = []
    monkeypatch.setitem(MIGRATIONS, 0, lambda root: ran.append(root))
    with Workspace.open(tmp_path / "ws") as ws:
        assert ran == [ws.path]
        assert len(ws.backups()) == 1
    assert orjson.loads(meta_path.read_bytes())["schema_version"] == SCHEMA_VERSION


def test_a_version_1_workspace_is_upgraded_and_its_per_incident_lock_files_go(tmp_path: Path) -> None:
    """Version 1 locked each incident on a file of its own; from version 2 incidents share striped locks, so
    an older desk must refuse the workspace (its schema is now newer) and its lock files are removed."""
    with Workspace.open(tmp_path / "ws", create=True, auto_backup=False) as ws:
        ws.create(make_incident(), actor="alice")
    meta_path = tmp_path / "ws" / "workspace.json"
    meta_path.write_bytes(orjson.dumps({**orjson.loads(meta_path.read_bytes()), "schema_version": 1}))
    locks = tmp_path / "ws" / "locks"
    for suffix in (".lock", ".owner"):
        (locks / f"INC-2025-001{suffix}").write_text("pid 1 on an old desk")
    with Workspace.open(tmp_path / "ws") as ws:
        assert not list(locks.glob("INC-*"))
        assert ws.backups() == []  # a migration that leaves the data alone takes no snapshot first
        ws.update("INC-2025-001", lambda i: setattr(i, "title", "Renamed"), actor="bob", action="edit")
    assert orjson.loads(meta_path.read_bytes())["schema_version"] == SCHEMA_VERSION == 2


def test_create_get_round_trip_and_duplicate_refused(ws: Workspace) -> None:
    incident = make_incident(tags=["db"], services=["api"])
    saved = ws.create(incident, actor="alice")
    assert saved.revision == 1
    loaded = ws.get("INC-2025-001")
    assert loaded == saved
    assert ws.exists("INC-2025-001") and not ws.exists("INC-2025-002") and not ws.exists("bogus")
    with pytest.raises(DuplicateId, match="INC-2025-001 already exists"):
        ws.create(make_incident(), actor="bob")
    with pytest.raises(NotFound, match="no incident INC-2025-009"):
        ws.get("INC-2025-009")


def test_update_applies_change_bumps_revision_and_audits_changed_paths(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    saved = ws.update("INC-2025-001", lambda i: operations.acknowledge(i, NOW, author="alice"),
                      actor="alice", action="acknowledge", expected_revision=1)
    assert saved.revision == 2 and saved.status is Status.INVESTIGATING
    assert ws.get("INC-2025-001").status is Status.INVESTIGATING
    last = ws.audit_trail("INC-2025-001")[-1]
    assert (last.actor, last.action, last.revision) == ("alice", "acknowledge", 2)
    assert "status" in last.changed and "clock.acknowledged_at" in last.changed


def test_stale_edit_is_refused_with_what_changed_since(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    ws.update("INC-2025-001", lambda i: setattr(i, "status", Status.INVESTIGATING), actor="alice", action="status")
    ws.append_event("INC-2025-001", event("paged db team"), actor="bob")
    before = ws.incident_path("INC-2025-001").read_bytes()
    with pytest.raises(StaleRevision) as caught:
        ws.update("INC-2025-001", lambda i: setattr(i, "title", "new"), actor="carol", action="edit",
                  expected_revision=1)
    message = str(caught.value)
    assert message.startswith("INC-2025-001 changed since revision 1: status by alice at ")
    assert ", timeline by bob at " in message and message.endswith("; reload and try again")
    assert (caught.value.expected, caught.value.actual) == (1, 3)
    assert ws.incident_path("INC-2025-001").read_bytes() == before


def test_a_refused_change_writes_nothing(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    path = ws.incident_path("INC-2025-001")
    before = path.read_bytes()

    def illegal(incident) -> None:
        operations.transition(incident, Status.CLOSED, NOW, author="x")

    with pytest.raises(DomainError):
        ws.update("INC-2025-001", illegal, actor="x", action="close")
    with pytest.raises(DomainError, match="title"):
        ws.update("INC-2025-001", lambda i: i.__dict__.__setitem__("title", "  "), actor="x", action="edit")
    assert path.read_bytes() == before
    assert len(ws.audit_trail("INC-2025-001")) == 1


def test_append_event_returns_revision_and_list_stays_exact(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    ws.create(make_incident("INC-2025-002", title="Second"), actor="alice")
    ws.compact_index()
    shards = {p: p.read_bytes() for p in (ws.path / "index").glob("summaries-*.json")}
    journal = ws.path / "index" / "journal.jsonl"
    revisions = [ws.append_event("INC-2025-001", event(f"note {n}", n), actor="bob") for n in range(3)]
    assert revisions == [2, 3, 4]
    assert [e.text for e in ws.get("INC-2025-001").timeline] == ["note 0", "note 1", "note 2"]
    assert shards and {p: p.read_bytes() for p in shards} == shards, "an append must not rewrite a shard"
    assert len(journal.read_bytes().splitlines()) == 3, "each append records one line in the index journal"
    summaries = ws.list_summaries()
    assert [s.id for s in summaries] == ["INC-2025-001", "INC-2025-002"]
    for summary in summaries:
        assert summary == summarize(ws.get(summary.id))
    assert summaries[0].timeline_count == 3 and summaries[0].revision == 4


def test_list_reflects_writes_from_another_process(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    assert ws.list_summaries()[0].timeline_count == 0
    version = ws.data_version()
    script = ("import sys; from datetime import datetime, timezone;"
              "from incident_desk.store import Workspace; from incident_desk.domain import TimelineEvent, Status;"
              "ws = Workspace.open(sys.argv[1]);"
              "ws.append_event('INC-2025-001', TimelineEvent(at=datetime.now(timezone.utc), text='x'), actor='cli');"
              "ws.update('INC-2025-001', lambda i: setattr(i, 'title', 'Renamed'), actor='cli', action='edit')")
    subprocess.run([sys.executable, "-c", script, str(ws.path)], check=True, env=writer_env(), timeout=60)
    summary = ws.list_summaries()[0]
    assert (summary.title, summary.timeline_count, summary.revision) == ("Renamed", 1, 3)
    assert ws.data_version() != version
    changes, _ = ws.changes_since(version)
    assert [(c.incident_id, c.revision, c.action, c.actor) for c in changes] == [
        ("INC-2025-001", 2, "timeline.add", "cli"), ("INC-2025-001", 3, "edit", "cli")]


def test_subscribers_hear_each_write_and_can_unsubscribe(ws: Workspace) -> None:
    heard: list[StoreChange] = []
    unsubscribe = ws.subscribe(heard.append)
    ws.create(make_incident(), actor="alice")
    ws.append_event("INC-2025-001", event("x"), actor="bob")
    unsubscribe()
    ws.append_event("INC-2025-001", event("y"), actor="bob")
    assert heard == [StoreChange("INC-2025-001", 1, "declare", "alice"),
                     StoreChange("INC-2025-001", 2, "timeline.add", "bob")]


def test_allocate_id_is_sequential_per_year_and_skips_taken_ids(ws: Workspace) -> None:
    assert ws.allocate_id(2025) == "INC-2025-001"
    ws.create(make_incident("INC-2025-007"), actor="import")
    assert ws.allocate_id(2025) == "INC-2025-008"
    assert ws.allocate_id(2026) == "INC-2026-001"


def test_import_refuses_existing_id_unless_replace(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    incoming = make_incident(title="From export", revision=17)
    with pytest.raises(DuplicateId, match="import with replace"):
        ws.import_incident(incoming, actor="bob")
    saved = ws.import_incident(incoming, actor="bob", replace=True)
    assert saved.revision == 2 and ws.get("INC-2025-001").title == "From export"
    assert ws.audit_trail("INC-2025-001")[-1].changed == ["title"]
    assert ws.import_incident(make_incident("INC-2024-010"), actor="bob").revision == 1


def test_iter_incidents_loads_every_incident_in_order(ws: Workspace) -> None:
    for number in (3, 1, 2):
        ws.create(make_incident(f"INC-2025-00{number}"), actor="a")
    assert [i.id for i in ws.iter_incidents()] == ["INC-2025-001", "INC-2025-002", "INC-2025-003"]


def test_index_lost_or_interrupted_write_is_repaired(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    ws.create(make_incident("INC-2025-002"), actor="alice")
    # simulate a crash after the incident file was written but before the index was: a stale summary
    # plus the intent marker the writer leaves until the index is updated
    ws.compact_index()
    shard = next((ws.path / "index").glob("summaries-*.json"))
    journal = ws.path / "index" / "journal.jsonl"
    stale = journal.read_bytes()
    ws.update("INC-2025-001", lambda i: setattr(i, "title", "After crash"), actor="a", action="edit")
    journal.write_bytes(stale)  # the index line of the update never made it
    (ws.path / "intents" / "INC-2025-001").touch()
    with Workspace.open(ws.path) as reopened:
        assert not (ws.path / "intents" / "INC-2025-001").exists()
        [line] = journal.read_bytes().splitlines()
        assert orjson.loads(line)["summary"]["title"] == "After crash"
        assert [s.title for s in reopened.list_summaries()][0] == "After crash"
    shard.unlink()
    with Workspace.open(ws.path) as reopened:
        assert [s.id for s in reopened.list_summaries()] == ["INC-2025-001", "INC-2025-002"]
        assert reopened.reindex() == 2
        assert shard.exists()


def test_backups_rotate_and_first_write_takes_an_automatic_snapshot(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws", create=True, keep_backups=3) as ws:
        assert ws.backups() == []
        ws.create(make_incident(), actor="alice")
        assert ws.backups() == [], "the snapshot is not taken on the write path"
    with Workspace.open(tmp_path / "ws", keep_backups=3) as ws:
        assert len(ws.backups()) == 1, "a workspace that wrote takes the day's snapshot when it closes"
        ws.append_event("INC-2025-001", event("x"), actor="bob")
    with Workspace.open(tmp_path / "ws", keep_backups=3) as ws:
        assert len(ws.backups()) == 1, "only one automatic snapshot per 24 h"
        assert ws.snapshot_if_due() is None
        snapshots = [ws.backup() for _ in range(4)]
        assert ws.backups() == snapshots[::-1][:3]
        newest = ws.backups()[0]
        copy = newest / "incidents" / "2025" / "INC-2025-001.json"
        assert copy.read_bytes() == ws.incident_path("INC-2025-001").read_bytes()
        assert copy.stat().st_ino != ws.incident_path("INC-2025-001").stat().st_ino, "a copy, not the live file"


def test_list_of_a_fully_populated_incident_equals_its_summary(ws: Workspace) -> None:
    from incident_desk.domain import ActionItem, CommunicationEntry, Facts, Role

    incident = make_incident(tags=["db", "eu"], services=["api"], affected_systems=["pg-main"])
    ws.create(incident, actor="alice")

    def fill(i) -> None:
        operations.acknowledge(i, NOW, author="alice")
        operations.set_facts(i, {"customer_impact_pct": 100, "customers_affected": 1200, "revenue_per_hour": 85000,
                                 "data_categories": ["personal"], "security_breach": False})
        operations.assign_role(i, Role.INCIDENT_COMMANDER, "dana", NOW)
        operations.override_severity(i, "sev1", "exec visibility", "dana", NOW)
        i.action_items.append(ActionItem(id="AI-1", title="Add failover test", owner="ops", priority="critical",
                                         due=NOW.date(), recurrence="monthly", created_at=NOW))
        i.communications.append(CommunicationEntry(at=NOW, message="We are investigating"))
    ws.update("INC-2025-001", fill, actor="alice", action="fill")
    with Workspace.open(ws.path) as fresh:  # a cold read parses the index itself
        [summary] = fresh.list_summaries()
        expected = summarize(fresh.get("INC-2025-001"))
        assert summary == expected
        assert summary.model_dump() == expected.model_dump()
        assert summary.commander == "dana" and summary.overridden and summary.facts == Facts(
            customer_impact_pct=100, customers_affected=1200, revenue_per_hour=85000,
            data_categories=["personal"], security_breach=False)


def test_a_version_1_workspace_that_cannot_be_upgraded_is_read_but_never_written(tmp_path: Path, monkeypatch) -> None:
    """Writing a version 1 workspace without upgrading it would let an older desk write beside this one with
    other locks: when the upgrade fails (here a full disk), it is read as it is and every change refused."""
    import errno

    from incident_desk.store import schema

    with Workspace.open(tmp_path / "ws", create=True, auto_backup=False) as ws:
        ws.create(make_incident(), actor="alice")
    meta_path = tmp_path / "ws" / "workspace.json"
    meta_path.write_bytes(orjson.dumps({**orjson.loads(meta_path.read_bytes()), "schema_version": 1}))

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "ws" / "workspace.json"))

    monkeypatch.setattr(schema, "write_meta", disk_full)
    with Workspace.open(tmp_path / "ws") as ws:
        assert [s.id for s in ws.list_summaries()] == ["INC-2025-001"]
        assert any("could not be upgraded to 2" in note and "reading only" in note for note in ws.notices)
        with pytest.raises(StoreError, match="could not be upgraded.*nothing was saved"):
            ws.update("INC-2025-001", lambda i: setattr(i, "title", "Renamed"), actor="bob", action="edit")
    assert orjson.loads(meta_path.read_bytes())["schema_version"] == 1
    with Workspace.open(tmp_path / "ws") as again:
        assert again.get("INC-2025-001").title == make_incident().title
