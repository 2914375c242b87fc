"""Damaged data files (issue 2, Reliability): a clear error naming the file and the backup to restore
from; the damaged file is never overwritten or modified; the rest of the workspace keeps working."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from incident_desk.domain import TimelineEvent, summarize
from incident_desk.store import index
from incident_desk.store import DamagedFile, Workspace

from store_helpers import make_incident


def truncated(raw: bytes) -> bytes:
    return raw[: len(raw) // 2]


def garbage(raw: bytes) -> bytes:
    return random.Random(7).randbytes(len(raw))


def nul_filled(raw: bytes) -> bytes:
    return b"\x00" * len(raw)


def wrong_shape(raw: bytes) -> bytes:
    return b'{"incident": [1, 2, 3]}'


def not_an_incident(raw: bytes) -> bytes:
    data = orjson.loads(raw)
    data["incident"]["1"]["clock"] = {"started_at": "yesterday"}
    return orjson.dumps(data)


DAMAGE = {"truncated": truncated, "zero-byte": lambda raw: b"", "garbage": garbage, "nul-filled": nul_filled,
          "wrong-shape": wrong_shape, "not-an-incident": not_an_incident}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def event(text: str) -> TimelineEvent:
    return TimelineEvent(at=datetime(2025, 1, 15, 3, tzinfo=timezone.utc), text=text)


@pytest.fixture
def two_incidents(ws: Workspace) -> Workspace:
    ws.create(make_incident("INC-2025-001"), actor="alice")
    ws.create(make_incident("INC-2025-002", title="Other"), actor="alice")
    ws.append_event("INC-2025-001", event("first"), actor="bob")  # leaves a previous generation
    return ws


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_incident_file_is_reported_never_touched_and_the_rest_works(two_incidents: Workspace,
                                                                            kind: str) -> None:
    ws = two_incidents
    path = ws.incident_path("INC-2025-001")
    path.write_bytes(DAMAGE[kind](path.read_bytes()))
    before = digest(path)
    previous = path.parent / ".prev" / path.name

    with pytest.raises(DamagedFile) as caught:
        ws.get("INC-2025-001")
    assert caught.value.path == path and caught.value.backup == previous
    assert str(caught.value).startswith(f"damaged file {path}: ")
    assert str(caught.value).endswith(f"restore from {previous}")
    with pytest.raises(DamagedFile):
        ws.append_event("INC-2025-001", event("refused"), actor="bob")
    with pytest.raises(DamagedFile):
        ws.update("INC-2025-001", lambda i: setattr(i, "title", "x"), actor="bob", action="edit")
    with pytest.raises(DamagedFile):
        ws.import_incident(make_incident("INC-2025-001"), actor="bob", replace=True)
    assert digest(path) == before

    with Workspace.open(ws.path) as reopened:  # the workspace still opens, lists and writes elsewhere
        assert [s.id for s in reopened.list_summaries()] == ["INC-2025-001", "INC-2025-002"]
        reopened.append_event("INC-2025-002", event("still fine"), actor="bob")
        reports = {r.incident_id: r for r in reopened.verify_audit()}
        assert reports["INC-2025-002"].ok and not reports["INC-2025-001"].ok
        assert str(path) in reports["INC-2025-001"].problems[0]
    assert digest(path) == before

    aside = ws.restore("INC-2025-001")
    assert digest(aside) == before, "the damaged bytes are kept aside, unchanged"
    restored = ws.get("INC-2025-001")
    assert restored.revision == 1 and ws.verify_audit("INC-2025-001")[0].ok
    assert ws.list_summaries()[0] == summarize(restored)


def test_damaged_file_without_previous_generation_names_the_snapshot(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")  # first write took the automatic snapshot before this file existed
    snapshot = ws.backup()
    path = ws.incident_path("INC-2025-001")
    path.write_bytes(b"")
    with pytest.raises(DamagedFile) as caught:
        ws.get("INC-2025-001")
    assert caught.value.backup == snapshot / "incidents" / "2025" / "INC-2025-001.json"
    assert path.read_bytes() == b""


def test_damaged_file_with_no_backup_at_all_says_so(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "ws", create=True, auto_backup=False) as ws:
        ws.create(make_incident(), actor="alice")
        ws.incident_path("INC-2025-001").write_bytes(b"\x00" * 10)
        with pytest.raises(DamagedFile, match=r"only NUL bytes .*no backup of it was found"):
            ws.get("INC-2025-001")


@pytest.mark.parametrize("kind", ["truncated", "zero-byte", "garbage", "nul-filled", "wrong-shape"])
def test_damaged_index_is_rebuilt_into_a_new_file_and_the_damaged_one_kept_aside(two_incidents: Workspace,
                                                                                 kind: str) -> None:
    ws = two_incidents
    ws.compact_index()  # the summaries move from the journal into their shard
    shard = next((ws.path / "index").glob("summaries-*.json"))
    shard.write_bytes(DAMAGE[kind](shard.read_bytes()))
    before = digest(shard)
    with Workspace.open(ws.path) as reopened:
        summaries = reopened.list_summaries()
        assert [s.id for s in summaries] == ["INC-2025-001", "INC-2025-002"]
        assert all(s == summarize(reopened.get(s.id)) for s in summaries)
        [notice] = reopened.notices
        assert notice.startswith(f"index file {shard} was damaged (")
        aside = Path(notice.split("kept untouched as ")[1].split(" and rebuilt")[0])
        assert aside.parent == ws.path / "index" / "damaged"
        assert digest(aside) == before
        assert index.rows_from_bytes(shard.read_bytes(), shard)["INC-2025-002"][0]["title"] == "Other"


def test_damaged_index_met_by_a_writer_is_rebuilt_too(two_incidents: Workspace) -> None:
    ws = two_incidents
    ws.compact_index()
    shard = next((ws.path / "index").glob("summaries-*.json"))
    shard.write_bytes(b"{")
    ws.update("INC-2025-002", lambda i: setattr(i, "title", "Renamed"), actor="a", action="edit")
    assert [s.title for s in ws.list_summaries()] == [ws.get("INC-2025-001").title, "Renamed"]
    assert any(n.startswith(f"index file {shard} was damaged") for n in ws.notices)
    assert [p.read_bytes() for p in (ws.path / "index" / "damaged").iterdir()] == [b"{"]


def test_damaged_workspace_file_is_reported_with_its_snapshot(ws: Workspace) -> None:
    ws.create(make_incident(), actor="alice")
    ws.snapshot_if_due()  # the day's snapshot the first write asked for
    meta = ws.path / "workspace.json"
    meta.write_bytes(b"\x00\x00\x00")
    with pytest.raises(DamagedFile) as caught:
        Workspace.open(ws.path)
    assert caught.value.path == meta
    assert caught.value.backup == ws.backups()[0] / "workspace.json"
    assert meta.read_bytes() == b"\x00\x00\x00"


def test_damaged_id_counter_is_rebuilt_from_the_incident_files(ws: Workspace) -> None:
    ws.create(make_incident("INC-2025-004"), actor="alice")
    ws.allocate_id(2025)
    (ws.path / "ids.json").write_bytes(b"garbage")
    assert ws.allocate_id(2025) == "INC-2025-005"
    assert [p.read_bytes() for p in (ws.path / "damaged").iterdir()] == [b"garbage"]
    assert "ids.json" in ws.notices[0]


def test_a_shard_with_a_summary_under_the_wrong_key_is_rebuilt_not_looped_on(tmp_path):
    """Valid JSON holding valid summaries, but one filed under another incident's number."""
    import json

    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as workspace:
        workspace.create(make_incident("INC-2025-001"), actor="t")
        workspace.compact_index()
    shard = root / "index" / "summaries-2025-000.json"
    header, summaries = shard.read_bytes().split(b"\n", 1)
    data = json.loads(header)
    [row] = data["rows"]
    data["rows"] = [[2, *row[1:]]]
    shard.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + summaries)
    damaged_bytes = shard.read_bytes()
    with Workspace.open(root, auto_backup=False) as workspace:
        assert [s.id for s in workspace.list_summaries()] == ["INC-2025-001"]
        assert any("INC-2025-002, which belongs there" in note for note in workspace.notices)
    kept = [p for p in (root / "index").rglob("*") if p.is_file() and p.read_bytes() == damaged_bytes]
    assert kept, "the damaged shard is kept aside, untouched"
