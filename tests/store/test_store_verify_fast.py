"""The quick path of `audit verify` (issue 10): on real files, it accepts exactly what the general path
accepts and every damaged or tampered file gets the general path's messages; the forked workers give each
file its own outcome; the incremental cache compares changed files with the pins it kept."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from incident_desk.domain import TimelineEvent
from incident_desk.store import Workspace, audit, chain_check, verification
from incident_desk.store.errors import DamagedFile
from incident_desk.store.storage import parse_tinydb_bytes

from store_helpers import make_incident

IDS = [f"INC-2025-{n:03d}" for n in range(1, 7)]
TARGET = IDS[2]


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    for incident_id in IDS:
        ws.create(make_incident(incident_id), actor="alice")
        for n in range(4):
            ws.append_event(incident_id, TimelineEvent(at=datetime(2025, 1, 15, 3, n, tzinfo=timezone.utc),
                                                       text=f"step {n}"), actor="bob")
    return ws


def general(path: Path, incident_id: str, pins: list[chain_check.Pin]) -> tuple[bool, int, str, list[str]]:
    """What the general path alone (shape-checked parse, then `check_tables`) reports for a file."""
    try:
        tables = parse_tinydb_bytes(path.read_bytes(), path)
    except DamagedFile as damage:
        return False, 0, "", [str(damage)]
    try:
        report, hashes = chain_check.check_tables(incident_id, tables)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return False, 0, "", [f"{path}: malformed audit records ({error})"]
    problems = report.problems + [p for pin in pins if (p := chain_check.behind_checkpoint(hashes, pin))]
    return not problems, report.records, report.head_hash, problems


def checked(path: Path, incident_id: str = TARGET, pins: list[chain_check.Pin] = ()) -> tuple:
    report, _ = chain_check.check_file(path, incident_id, list(pins))
    return report.ok, report.records, report.head_hash, report.problems


def rewrite(path: Path, change, *, dumps=orjson.dumps) -> None:
    data = orjson.loads(path.read_bytes())
    change(data)
    path.write_bytes(dumps(data))


def rehash(record: dict) -> None:
    record["hash"] = audit.record_hash(record)


def swap_records(data: dict) -> None:
    records = data["audit"]
    records["2"], records["3"] = records["3"], records["2"]


def reorder_keys(data: dict) -> None:  # same documents under the same ids, stored in another order
    records = data["audit"]
    data["audit"] = {key: records[key] for key in ["1", "3", "2", *list(records)[3:]]}


def renumber_timeline(data: dict) -> None:  # a gap in the ids, same order: the content is unchanged
    data["timeline"] = {str(n * 2): doc for n, doc in enumerate(data["timeline"].values(), start=1)}


def edit_middle_and_rehash(data: dict) -> None:
    data["audit"]["3"]["actor"] = "mallory"
    rehash(data["audit"]["3"])


def set_(table: str, doc: str, key: str, value) -> object:
    def change(data: dict) -> None:
        data[table][doc][key] = value
    return change


MUTATIONS = {
    "a field of a record in the middle": set_("audit", "3", "actor", "mallory"),
    "a record in the middle edited and re-hashed": edit_middle_and_rehash,
    "two records swapped": swap_records,
    "records stored out of key order": reorder_keys,
    "timeline ids renumbered with gaps": renumber_timeline,
    "a timeline text edited": set_("timeline", "2", "text", "nothing happened"),
    "a record's hash removed": lambda data: data["audit"]["2"].pop("hash"),
    "a record's hash not a string": set_("audit", "2", "hash", 7),
    "a record replaced by a list": lambda data: data["audit"].update({"2": [1, 2]}),
    "a record's seq a huge number": set_("audit", "2", "seq", 2 ** 63 - 1),
    "a record's seq a float": set_("audit", "1", "seq", 1.0),
    "the revision a string": set_("incident", "1", "revision", "5"),
    "the revision a float": set_("incident", "1", "revision", 5.0),
    "the revision true": set_("incident", "1", "revision", True),
    "a second core document": lambda data: data["incident"].update({"2": {"id": TARGET}}),
    "an extra empty table": lambda data: data.update({"_default": {}}),
    "an extra table with a bad document": lambda data: data.update({"notes": {"1": "text"}}),
    "communications a list": lambda data: data.update({"communications": [1]}),
    "the audit table empty": lambda data: data.update({"audit": {}}),
    "the audit table missing": lambda data: data.pop("audit"),
    "the core missing": lambda data: data.pop("incident"),
    "the last record cut": lambda data: data["audit"].pop(str(len(data["audit"]))),
    "a non-digit document id": lambda data: data["timeline"].update({"x": {}}),
    "nothing (stored as Python's json writes it)": lambda data: None,
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_quick_path_agrees_with_the_general_path(filled: Workspace, mutation: str) -> None:
    path = filled.incident_path(TARGET)
    rewrite(path, MUTATIONS[mutation], dumps=lambda data: json.dumps(data).encode())
    assert checked(path) == general(path, TARGET, [])


def test_desk_written_files_take_the_quick_path(filled: Workspace) -> None:
    for incident_id in IDS:
        data = orjson.loads(filled.incident_path(incident_id).read_bytes())
        assert chain_check.quick_check(incident_id, data) is not None


def test_tampering_in_the_middle_gets_the_specific_messages(filled: Workspace) -> None:
    path = filled.incident_path(TARGET)
    original = path.read_bytes()
    rewrite(path, set_("audit", "3", "actor", "mallory"))
    assert checked(path)[3] == ["record 3: hash mismatch (content changed)"]

    path.write_bytes(original)
    rewrite(path, swap_records)
    ok, _, _, problems = checked(path)
    assert not ok and any("out of sequence" in p for p in problems), problems


def test_damaged_files_fail_with_the_damage_named(filled: Workspace) -> None:
    path = filled.incident_path(TARGET)
    raw = path.read_bytes()
    for content, expected in [(raw[: len(raw) // 2], "not valid JSON (truncated or not JSON"),
                              (b"", "the file is empty"), (b"\x00" * 64, "only NUL bytes"),
                              (b"[1, 2]", "expected a JSON object of tables"),
                              (raw.replace(b'"seq":2,', b'"seq":123456789012345678901234567890,', 1), "")]:
        path.write_bytes(content)
        ok, _, _, problems = checked(path)
        assert not ok and expected in problems[0], (content[:40], problems)
        assert (ok, problems) == (general(path, TARGET, [])[0], general(path, TARGET, [])[3])


def test_a_chain_copied_from_another_incident_fails(filled: Workspace) -> None:
    filled.incident_path(TARGET).write_bytes(filled.incident_path(IDS[0]).read_bytes())
    assert checked(filled.incident_path(TARGET))[3] == ["not an incident file of this id"]


def test_a_recomputed_chain_is_caught_behind_a_pin(filled: Workspace) -> None:
    path = filled.incident_path(TARGET)
    _, records, head, _ = checked(path)
    pin = ("checkpoint 1", records, head)

    def forge(data: dict) -> None:
        data["incident"]["1"]["title"] = "Nothing happened"
        prev = audit.genesis_hash(TARGET)
        for record in data["audit"].values():
            record["prev_hash"] = prev
            record.pop("hash")
            rehash(record)
            prev = record["hash"]
        last = data["audit"][str(len(data["audit"]))]
        last["state_hash"] = audit.state_hash(data["incident"]["1"], list(data["timeline"].values()),
                                              list(data.get("communications", {}).values()))
        last.pop("hash")
        rehash(last)

    rewrite(path, forge)
    ok, _, _, problems = checked(path, pins=[pin])
    assert not ok and problems == [
        "changed behind checkpoint 1: record 5 is not the record the checkpoint pinned "
        "(its history was rewritten and the hashes recomputed)"]
    assert checked(path, pins=[("checkpoint 1", 9, head)])[3][0].startswith(
        "checkpoint 1 pinned revision 9, but the trail now ends at revision 5")


def test_the_reader_grows_its_buffer_for_large_files(filled: Workspace) -> None:
    path = filled.incident_path(TARGET)
    reader = chain_check.Reader(size=16)
    view, stamp = reader.read(path)
    assert bytes(view) == path.read_bytes() and stamp == chain_check.stamp_of(path.stat())
    assert bytes(reader.read(filled.incident_path(IDS[0]))[0]) == filled.incident_path(IDS[0]).read_bytes()


def test_the_workers_report_each_file_under_its_own_id(filled: Workspace, monkeypatch) -> None:
    monkeypatch.setattr(verification, "PARALLEL_FROM", 2)
    monkeypatch.setattr(verification, "CHUNKS_PER_WORKER", 2)
    rewrite(filled.incident_path(TARGET), set_("audit", "3", "actor", "mallory"))
    result = verification.verify_workspace(filled.path, references=[], full=True)
    assert [r.incident_id for r in result.reports] == IDS
    assert [r.incident_id for r in result.failed] == [TARGET]
    assert result.failed[0].problems == ["record 3: hash mismatch (content changed)"]
    assert all(r.records == 5 and len(r.head_hash) == 64 for r in result.reports if r.ok)


def heads_reference(workspace: Workspace, label: str = "checkpoint 1") -> verification.Reference:
    result = verification.verify_workspace(workspace.path, references=[], full=True)
    heads = {r.incident_id: [r.records, r.head_hash] for r in result.reports}
    raw = orjson.dumps(heads)
    return verification.Reference(label, digest=str(hash(raw)), raw=raw)


def test_incremental_compares_a_changed_file_with_the_pins_it_cached(filled: Workspace, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    first = heads_reference(filled)
    assert verification.verify_workspace(filled.path, references=[first], cache_path=cache).ok
    filled.append_event(IDS[0], TimelineEvent(at=datetime(2025, 1, 16, tzinfo=timezone.utc), text="later"),
                        actor="bob")
    filled.create(make_incident("INC-2025-007"), actor="alice")
    path = filled.incident_path(TARGET)
    rewrite(path, lambda data: data["incident"]["1"].update(title="Nothing happened"))
    rewrite(path, lambda data: (data["audit"]["5"].update(state_hash=audit.state_hash(
        data["incident"]["1"], list(data["timeline"].values()), list(data.get("communications", {}).values()))),
        data["audit"]["5"].pop("hash"), rehash(data["audit"]["5"])))

    again = verification.Reference(first.label, first.digest, raw=first.raw)
    result = verification.verify_workspace(filled.path, references=[again], cache_path=cache)
    assert again.given is None  # the pins came from the cache, the heads file was not parsed
    assert result.checked == 3 and result.total == 7
    assert [r.incident_id for r in result.failed] == [TARGET]
    assert result.failed[0].problems == [
        "changed behind checkpoint 1: record 5 is not the record the checkpoint pinned "
        "(its history was rewritten and the hashes recomputed)"]
    # still failing, and still compared with its pin, on every later run
    later = verification.verify_workspace(filled.path, references=[again], cache_path=cache)
    assert [r.incident_id for r in later.failed] == [TARGET] and later.checked == 1


def test_a_damaged_cache_only_costs_reading_again(filled: Workspace, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    reference = heads_reference(filled)
    assert verification.verify_workspace(filled.path, references=[reference], cache_path=cache).ok
    doc = orjson.loads(cache.read_bytes())
    entries = doc["incidents"]
    entries[IDS[0]] = "not an entry"
    entries[IDS[1]] = entries[IDS[1]][:6]  # no pins
    entries[IDS[2]][6] = ["x", 1]  # a pin that is not one
    entries[IDS[3]][4] = "5"
    entries[IDS[4]] = {str(n): v for n, v in enumerate(entries[IDS[4]])}
    cache.write_bytes(orjson.dumps(doc))
    rewrite(filled.incident_path(IDS[2]), set_("audit", "3", "actor", "mallory"))

    result = verification.verify_workspace(filled.path, references=[reference], cache_path=cache)
    assert [r.incident_id for r in result.failed] == [IDS[2]]
    assert result.checked == 5 and result.total == 6
    cache.write_bytes(b"{not json")
    assert verification.verify_workspace(filled.path, references=[reference], cache_path=cache).checked == 6
