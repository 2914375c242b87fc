"""The summary index as readers see it: queries answered from the index rows equal the full list filtered by
hand, the journal keeps the index current across processes, and a damaged or lost index entry costs a
re-read, never a wrong answer."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import orjson
import pytest

from incident_desk.domain import (ActionItem, Clock, Impact, IncidentRow, RoleAssignment, Severity, Status,
                                  TimelineEvent, summarize)
from incident_desk.store import SummaryQuery, Workspace
from incident_desk.store import index_journal
from incident_desk.store import index as index_module
from incident_desk.store import layout as layout_module

from store_helpers import make_incident, writer_env

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
STATUSES = [Status.DECLARED, Status.INVESTIGATING, Status.MONITORING, Status.RESOLVED, Status.CLOSED]
SERVICES = ["api", "checkout", "search", "billing"]


@pytest.fixture
def varied(ws: Workspace) -> Workspace:
    """30 incidents with every filtered field varied, some with overdue and some with finished items; half of
    them in folded shards, the rest only in the journal, a few changed by timeline appends since."""
    rng = random.Random(5)
    for n in range(1, 31):
        started = START + timedelta(days=rng.randrange(0, 200), minutes=n)
        items = [ActionItem(id=f"AI-{k}", title=f"Follow-up {k}", owner="kim",
                            due=date(2025, 1, 1) + timedelta(days=rng.randrange(0, 300)),
                            status=rng.choice(["not_started", "in_progress", "done", "cancelled"]))
                 for k in range(rng.randrange(0, 3))]
        roles = [RoleAssignment(role="incident_commander", person=rng.choice(["Ada", "Lin"]), assigned_at=started)
                 for _ in range(n % 3)]  # none, one, or a handover (the later holder commands)
        incident = make_incident(f"INC-2025-{n:03d}", title=f"{rng.choice(['Checkout', 'Login', 'Search'])} errors {n}",
                                 type=rng.choice(["availability", "security", "performance"]),
                                 services=rng.sample(SERVICES, rng.randrange(0, 3)), roles=roles,
                                 clock=Clock(started_at=None if n % 9 == 0 else started, declared_at=started,
                                             resolved_at=started + timedelta(hours=n) if n % 4 == 0 else None),
                                 severity=Severity(computed=rng.choice(["SEV-1", "SEV-2", "SEV-3", None])),
                                 action_items=items)
        incident.status = rng.choice(STATUSES)
        ws.create(incident, actor="t")
        if n == 15:
            ws.compact_index()
    for n in (3, 17, 22):
        ws.append_event(f"INC-2025-{n:03d}", TimelineEvent(at=START, text="later"), actor="t")
    return ws


def by_hand(summaries, wanted):
    return [s.id for s in summaries if wanted(s)]


QUERIES = {
    "status": (SummaryQuery(statuses=frozenset({"investigating", "monitoring"})),
               lambda s: s.status.value in {"investigating", "monitoring"}),
    "severity": (SummaryQuery(severities=frozenset({"SEV-1"})), lambda s: s.severity == "SEV-1"),
    "type and service": (SummaryQuery(types=frozenset({"security"}), service="api"),
                         lambda s: s.type == "security" and "api" in s.services),
    "active": (SummaryQuery(active=True), lambda s: s.status.is_active),
    "search": (SummaryQuery(search="LOGIN"), lambda s: "login" in f"{s.id} {s.title}".lower()),
    "search by id": (SummaryQuery(search="2025-01"), lambda s: "2025-01" in s.id),
    "started window": (SummaryQuery(started_from=START + timedelta(days=50), started_before=START + timedelta(days=120)),
                       lambda s: s.clock.started_at is not None
                       and START + timedelta(days=50) <= s.clock.started_at < START + timedelta(days=120)),
    "overdue": (SummaryQuery(overdue_on=date(2025, 6, 1)), lambda s: bool(s.overdue_items(date(2025, 6, 1)))),
    "ids": (SummaryQuery(ids=frozenset({"INC-2025-003", "INC-2025-030", "INC-2025-099"})),
            lambda s: s.id in {"INC-2025-003", "INC-2025-030"}),
    "nothing": (SummaryQuery(statuses=frozenset({"closed"}), severities=frozenset({"SEV-9"})), lambda s: False),
}


@pytest.mark.parametrize("name", QUERIES)
def test_a_query_equals_the_full_list_filtered_by_hand(varied: Workspace, name: str) -> None:
    query, wanted = QUERIES[name]
    everything = varied.list_summaries()
    assert len(everything) == 30
    expected = by_hand(everything, wanted)
    assert [s.id for s in varied.query_summaries(query)] == expected
    with Workspace.open(varied.path) as cold:  # a new process reads the shards and the journal itself
        found = cold.query_summaries(query)
        assert [s.id for s in found] == expected
        assert all(s == summarize(cold.get(s.id)) for s in found)
    with Workspace.open(varied.path) as cold:  # the rows of a list, read without building summaries
        assert cold.list_rows(query) == [IncidentRow.of(summarize(cold.get(i))) for i in expected]
    with Workspace.open(varied.path) as cold:  # streamed (nothing kept: rows ruled out are not even built)
        assert [s.id for s in cold.iter_summaries(query)] == expected


def test_every_listed_summary_equals_the_incident_as_stored(varied: Workspace) -> None:
    with Workspace.open(varied.path) as cold:
        listed = cold.list_summaries()
        assert [s.id for s in listed] == [f"INC-2025-{n:03d}" for n in range(1, 31)]
        assert all(s == summarize(cold.get(s.id)) for s in listed)
        assert listed[2].timeline_count == 1 and listed[2].revision == 2


def test_newest_first_and_limit(varied: Workspace) -> None:
    everything = varied.list_summaries()

    def when(s):
        moment = s.clock.started_at or s.clock.declared_at
        return moment.timestamp() if moment else 0

    expected = [s.id for s in sorted(everything, key=when, reverse=True)]
    assert [s.id for s in varied.iter_summaries(newest_first=True)] == expected
    assert [s.id for s in varied.iter_summaries(newest_first=True, limit=4)] == expected[:4]
    assert [r.id for r in varied.list_rows(newest_first=True, limit=4)] == expected[:4]


def test_cli_list_filters_equal_the_unfiltered_list_filtered_by_hand(varied: Workspace, tmp_path) -> None:
    def run(*args):
        done = subprocess.run([sys.executable, "-m", "incident_desk", "--workspace", str(varied.path), "list",
                               "--json", *args], capture_output=True, text=True, env=writer_env(), check=True)
        return json.loads(done.stdout)

    everything = run()
    assert len(everything) == 30
    assert [r["id"] for r in run("--status", "closed", "--severity", "sev2")] == [
        r["id"] for r in everything if r["status"] == "closed" and r.get("severity") == "SEV-2"]
    assert [r["id"] for r in run("--service", "checkout", "--search", "errors")] == [
        r["id"] for r in everything if "checkout" in r["services"]]
    assert run("--type", "availability", "--limit", "2") == [
        r for r in everything if r["type"] == "availability"][:2]


def test_an_append_by_another_process_reaches_a_reader_that_already_read_the_index(varied: Workspace) -> None:
    before = {s.id: s for s in varied.query_summaries(SummaryQuery(statuses=frozenset({"closed"})))}
    target = next(iter(before))
    script = ("import sys; from datetime import datetime, timezone;"
              "from incident_desk.store import Workspace; from incident_desk.domain import TimelineEvent;"
              "ws = Workspace.open(sys.argv[1]);"
              "ws.append_event(sys.argv[2], TimelineEvent(at=datetime.now(timezone.utc), text='x'), actor='cli')")
    subprocess.run([sys.executable, "-c", script, str(varied.path), target], check=True, env=writer_env(), timeout=60)
    after = {s.id: s for s in varied.query_summaries(SummaryQuery(statuses=frozenset({"closed"})))}
    assert after[target].timeline_count == before[target].timeline_count + 1
    assert after[target] == summarize(varied.get(target))
    last = orjson.loads((varied.path / "index" / "journal.jsonl").read_bytes().splitlines()[-1])
    assert last["id"] == target and last["set"]["timeline_count"] == after[target].timeline_count


def test_an_index_line_lost_in_a_crash_costs_one_re_read_which_is_recorded(varied: Workspace) -> None:
    journal = varied.path / "index" / "journal.jsonl"
    kept = journal.read_bytes()
    varied.append_event("INC-2025-020", TimelineEvent(at=START, text="acknowledged, then the crash"), actor="t")
    varied.update("INC-2025-021", lambda i: setattr(i, "title", "Renamed"), actor="t", action="edit")
    journal.write_bytes(kept)  # a crash after the incident files were written, before their index lines:
    (varied.path / "intents" / "INC-2025-021").touch()  # an update leaves its intent marker until then
    with Workspace.open(varied.path) as cold:
        assert [s.title for s in cold.query_summaries(SummaryQuery(search="renamed"))] == ["Renamed"]
        listed = {s.id: s for s in cold.list_summaries()}
        assert listed["INC-2025-020"] == summarize(cold.get("INC-2025-020"))
        healed = [orjson.loads(line)["id"] for line in journal.read_bytes().splitlines()[kept.count(b"\n"):]]
        assert set(healed) == {"INC-2025-020", "INC-2025-021"}


def test_an_unreadable_journal_line_is_reported_and_the_list_stays_exact(varied: Workspace) -> None:
    journal = varied.path / "index" / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:3] + [b'{"id": "INC-2025-0\n', b"\x00\x00garbage\n"] + lines[3:]))
    with Workspace.open(varied.path) as cold:
        listed = cold.list_summaries()
        assert len(listed) == 30 and all(s == summarize(cold.get(s.id)) for s in listed)
        assert cold.list_rows() == [IncidentRow.of(s) for s in listed]
        [notice] = cold.notices
        assert str(journal) in notice and "2 unreadable line(s) ignored" in notice


def test_folding_the_journal_keeps_every_answer(varied: Workspace) -> None:
    before = varied.list_summaries()
    overdue = [s.id for s in varied.query_summaries(SummaryQuery(overdue_on=date(2025, 6, 1)))]
    assert varied.compact_index() > 0
    assert (varied.path / "index" / "journal.jsonl").read_bytes() == b""
    with Workspace.open(varied.path) as cold:
        assert cold.list_summaries() == before
        assert [s.id for s in cold.query_summaries(SummaryQuery(overdue_on=date(2025, 6, 1)))] == overdue


def test_a_workspace_that_wrote_folds_a_long_journal_when_it_closes(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(index_journal, "FOLD_LINES", 9)
    with Workspace.open(tmp_path / "ws", create=True, auto_backup=False) as ws:
        for n in range(1, 5):
            ws.create(make_incident(f"INC-2025-{n:03d}"), actor="t")
    # an intent line and an entry line each: below the limit, kept
    assert (tmp_path / "ws" / "index" / "journal.jsonl").read_bytes().count(b"\n") == 8
    with Workspace.open(tmp_path / "ws", auto_backup=False) as ws:
        ws.append_event("INC-2025-001", TimelineEvent(at=START, text="x"), actor="t")
        expected = ws.list_summaries()
    assert (tmp_path / "ws" / "index" / "journal.jsonl").read_bytes() == b""
    with Workspace.open(tmp_path / "ws", auto_backup=False) as ws:
        assert ws.list_summaries() == expected


def test_shards_of_the_first_layout_are_still_read(ws: Workspace) -> None:
    ws.create(make_incident("INC-2025-001"), actor="t")
    ws.create(make_incident("INC-2025-002", title="Other"), actor="t")
    ws.compact_index()
    shard = next((ws.path / "index").glob("summaries-*.json"))
    rows = index_module.rows_from_bytes(shard.read_bytes(), shard)
    shard.write_bytes(orjson.dumps({  # tables `summaries` and `stamps`, as the index was first written
        "summaries": {i[9:].lstrip("0"): index_module.parsed_doc(row) for i, (row, _) in rows.items()},
        "stamps": {i[9:].lstrip("0"): {"stamp": list(stamp)} for i, (_, stamp) in rows.items()}}))
    with Workspace.open(ws.path) as cold:
        assert [s.title for s in cold.query_summaries(SummaryQuery(search="other"))] == ["Other"]
        assert [s == summarize(cold.get(s.id)) for s in cold.list_summaries()] == [True, True]
        assert cold.notices == []
        # summaries of an earlier layout may lack fields added since: each is re-read once, never trusted
        assert index_module.rows_from_bytes(shard.read_bytes(), shard)["INC-2025-002"][1] == index_module.STALE


def test_a_start_window_query_equals_the_hand_filter_across_shards_and_the_journal(ws: Workspace) -> None:
    def declare(incident_id: str, days: int) -> None:
        started = START + timedelta(days=days)
        ws.create(make_incident(incident_id, clock=Clock(started_at=started, declared_at=started)), actor="t")

    for n in range(1, 6):
        declare(f"INC-2025-{n:03d}", n)  # shard 000: January
        declare(f"INC-2025-{600 + n:03d}", 200 + n)  # shard 001: July
    ws.compact_index()
    declare("INC-2025-010", 203)  # in shard 000's range but July, only in the journal
    window = SummaryQuery(started_from=START + timedelta(days=150), started_before=START + timedelta(days=300))
    wanted = ["INC-2025-010", *[f"INC-2025-{600 + n:03d}" for n in range(1, 6)]]
    with Workspace.open(ws.path) as cold:
        assert [s.id for s in cold.query_summaries(window)] == wanted
        later = START + timedelta(days=250)
        cold.update("INC-2025-002", lambda i: setattr(i, "clock", Clock(started_at=later, declared_at=later)),
                    actor="t", action="edit")
        cold.compact_index()  # shard 000 rewritten: its span now reaches into the window
    with Workspace.open(ws.path) as cold:
        expected = by_hand(cold.list_summaries(), lambda s: START + timedelta(days=150) <= s.clock.started_at
                           < START + timedelta(days=300))
        assert "INC-2025-002" in expected
        assert [s.id for s in cold.query_summaries(window)] == expected


def test_index_rows_of_the_wrong_type_or_garbled_summaries_cost_a_re_read_not_a_wrong_answer(varied: Workspace):
    varied.compact_index()
    shard = next((varied.path / "index").glob("summaries-2025-000.json"))
    header, summaries = shard.read_bytes().split(b"\n", 1)
    data = json.loads(header)
    rows, at = {row[0]: row for row in data["rows"]}, index_module.ROW_LAYOUT.index
    rows[2][at("status")] = 5
    rows[3][at("started_at")] = ["not", "a", "time"]
    offset, length = rows[4][at("offset")], rows[4][at("length")]
    garbled = summaries[:offset + 30] + b"\x00" * (length - 30) + summaries[offset + length:]
    shard.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + garbled)
    with Workspace.open(varied.path) as cold:
        listed = cold.list_summaries()
        assert len(listed) == 30 and all(s == summarize(cold.get(s.id)) for s in listed)
        assert cold.list_rows() == [IncidentRow.of(s) for s in listed]
        for name, (query, wanted) in QUERIES.items():
            assert [s.id for s in cold.query_summaries(query)] == by_hand(listed, wanted), name
        newest = [s.id for s in cold.iter_summaries(newest_first=True)]
        assert sorted(newest) == [s.id for s in listed]


def test_summaries_written_by_an_earlier_desk_are_re_read_not_trusted(ws: Workspace) -> None:
    """An index written before a summary field existed (here: the SLA credits that metrics read) must not
    answer with the field's default after an upgrade: each such entry is re-read from its incident file."""
    incident = make_incident("INC-2025-001", impact=Impact(sla_credits=42_500), drill=True)
    ws.create(incident, actor="t")
    ws.compact_index()
    shard = next((ws.path / "index").glob("summaries-*.json"))
    header, summaries = shard.read_bytes().split(b"\n", 1)
    data = json.loads(header)
    assert data.pop("summary") == index_module.SUMMARY_VERSION
    old_doc = json.loads(summaries.split(b"\n", 1)[0])
    for added in ("sla_credits", "drill"):  # what an earlier desk's summary did not have
        old_doc.pop(added)
    old_line = json.dumps(old_doc, separators=(",", ":")).encode()
    [row] = data["rows"]
    row[index_module.ROW_LAYOUT.index("offset"):index_module.ROW_LAYOUT.index("length") + 1] = [0, len(old_line)]
    shard.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + old_line + b"\n")
    with Workspace.open(ws.path) as cold:
        [summary] = cold.list_summaries()
        assert summary.sla_credits == 42_500 and summary.drill is True
        assert summary == summarize(cold.get("INC-2025-001"))
        assert cold.notices == []


def test_a_reader_that_re_read_many_stale_entries_folds_them_in_when_it_closes(ws: Workspace, monkeypatch) -> None:
    monkeypatch.setattr(index_journal, "FOLD_LINES", 3)
    for n in range(1, 6):
        ws.create(make_incident(f"INC-2025-{n:03d}", title=f"Incident {n}"), actor="t")
    ws.compact_index()
    shard = next((ws.path / "index").glob("summaries-*.json"))
    header, rest = shard.read_bytes().split(b"\n", 1)
    data = json.loads(header)
    data.pop("summary")  # as an earlier desk wrote it: every entry is stale now
    shard.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + rest)
    with Workspace.open(ws.path) as reader:  # reads only
        expected = reader.list_summaries()
    assert (ws.path / "index" / "journal.jsonl").read_bytes() == b""
    assert json.loads(shard.read_bytes().split(b"\n", 1)[0])["summary"] == index_module.SUMMARY_VERSION
    with Workspace.open(ws.path) as cold:
        assert cold.list_summaries() == expected
        assert [s.title for s in expected] == [f"Incident {n}" for n in range(1, 6)]


def test_shards_whose_rows_are_objects_are_still_read(varied: Workspace) -> None:
    """The layout before rows became arrays (`index-shard-3`): rows keyed by sequence number, as objects."""
    expected = varied.list_summaries()
    varied.compact_index()
    layout = index_module.ROW_LAYOUT
    for shard in (varied.path / "index").glob("summaries-*.json"):
        header, summaries = shard.read_bytes().split(b"\n", 1)
        data = json.loads(header)
        data["format"] = "incident-desk/index-shard-3"
        fields_then = ("status", "severity", "type", "services", "title", "started_at", "declared_at", "due")
        data["rows"] = {str(row[0]): {**{name: row[layout.index(name)] for name in fields_then},
                                      "stamp": row[1:4], "at": row[4:6]} for row in data["rows"]}
        shard.write_bytes(json.dumps(data, separators=(",", ":")).encode() + b"\n" + summaries)
    with Workspace.open(varied.path) as cold:
        assert cold.list_summaries() == expected
        assert cold.list_rows() == [IncidentRow.of(s) for s in expected]
        for name, (query, wanted) in QUERIES.items():
            assert [s.id for s in cold.query_summaries(query)] == by_hand(expected, wanted), name
        assert cold.notices == []
        assert not (varied.path / "index" / "journal.jsonl").read_bytes(), "nothing was re-read from its file"
    # the reader wrote those shards in the current layout when it closed
    assert all(shard.read_bytes().startswith(index_module.FORMAT)
               for shard in (varied.path / "index").glob("summaries-*.json"))
    with Workspace.open(varied.path) as upgraded:
        assert upgraded.list_summaries() == expected


def test_a_file_dropped_into_a_folder_the_reader_already_listed_is_listed_next_time(ws: Workspace, tmp_path) -> None:
    """The reader keeps each year folder's listing while the folder is unchanged; a file copied in by hand
    (never indexed) or a name that is not an id must still show up in the same process."""
    import os
    import shutil

    ws.create(make_incident("INC-2025-001"), actor="t")
    with Workspace.open(tmp_path / "other", create=True, auto_backup=False) as other:
        other.create(make_incident("INC-2025-002", title="Copied in by hand"), actor="t")
    folder = ws.path / "incidents" / "2025"
    long_ago = folder.stat().st_mtime - 60
    os.utime(folder, (long_ago, long_ago))  # a listing taken now is settled, so it is kept
    window = SummaryQuery(started_from=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert [s.id for s in ws.list_summaries()] == ["INC-2025-001"]
    assert [s.id for s in ws.query_summaries(window)] == ["INC-2025-001"]
    shutil.copy(other.path / "incidents" / "2025" / "INC-2025-002.json", folder / "INC-2025-002.json")
    (folder / "INC-2025-1.json").write_text("{}")
    assert [s.title for s in ws.query_summaries(window)] == [ws.get("INC-2025-001").title, "Copied in by hand"]
    assert [s.id for s in ws.list_summaries()] == ["INC-2025-001", "INC-2025-002"]
    assert any("whose name is not an incident id" in note for note in ws.notices)


def test_an_overdue_query_skips_shards_without_an_open_item_due_before_the_day(ws: Workspace) -> None:
    def declare(incident_id: str, due: date, done: bool = False) -> None:
        item = ActionItem(id="AI-1", title="Fix it", owner="kim", due=due, status="done" if done else "not_started")
        ws.create(make_incident(incident_id, action_items=[item]), actor="t")

    for n in range(1, 4):
        declare(f"INC-2025-{n:03d}", date(2025, 2, 1), done=True)  # shard 000: every item done
        declare(f"INC-2025-{600 + n:03d}", date(2025, 3, n))  # shard 001: open, due in March
    ws.compact_index()
    declare("INC-2025-010", date(2025, 2, 1))  # in shard 000's range, only in the journal
    day = SummaryQuery(overdue_on=date(2025, 3, 3))
    with Workspace.open(ws.path) as cold:
        assert [s.id for s in cold.query_summaries(day)] == ["INC-2025-010", "INC-2025-601", "INC-2025-602"]
        assert [p.name for p in cold._caches.shards] == ["summaries-2025-001.json"], "shard 000 was not read"
        cold.update("INC-2025-002", lambda i: setattr(i.action_items[0], "status", "in_progress"), actor="t",
                    action="edit")
        cold.compact_index()  # shard 000 rewritten: it now holds an open item due in February
    with Workspace.open(ws.path) as cold:
        expected = by_hand(cold.list_summaries(), lambda s: bool(s.overdue_items(date(2025, 3, 3))))
        assert "INC-2025-002" in expected
        assert [s.id for s in cold.query_summaries(day)] == expected


def test_a_saved_folder_listing_is_used_only_while_the_folder_is_unchanged(ws: Workspace, tmp_path) -> None:
    """The next process reuses a settled listing (saved under index/); a file added since is still found."""
    import os
    import shutil

    ws.create(make_incident("INC-2025-001"), actor="t")
    with Workspace.open(tmp_path / "other", create=True, auto_backup=False) as other:
        other.create(make_incident("INC-2025-002", title="Copied in by hand"), actor="t")
    folder = ws.path / "incidents" / "2025"
    long_ago = folder.stat().st_mtime - 60
    os.utime(folder, (long_ago, long_ago))
    assert [s.id for s in ws.list_summaries()] == ["INC-2025-001"]
    saved = ws.path / "index" / "listing-2025.json"
    assert orjson.loads(saved.read_bytes())["buckets"] == {"0": ["INC-2025-001"]}
    with Workspace.open(ws.path, auto_backup=False) as next_process, pytest.MonkeyPatch.context() as patched:
        patched.setattr(layout_module, "ids_in_folder", lambda *a: pytest.fail("the saved listing was not used"))
        assert [s.id for s in next_process.list_summaries()] == ["INC-2025-001"]
    shutil.copy(other.path / "incidents" / "2025" / "INC-2025-002.json", folder / "INC-2025-002.json")
    with Workspace.open(ws.path, auto_backup=False) as next_process:
        assert [s.title for s in next_process.list_summaries()][1:] == ["Copied in by hand"]
    saved.write_bytes(b"{not json")
    os.utime(folder, (long_ago, long_ago))
    with Workspace.open(ws.path, auto_backup=False) as damaged_cache:
        assert [s.id for s in damaged_cache.list_summaries()] == ["INC-2025-001", "INC-2025-002"]
    assert sorted(orjson.loads(saved.read_bytes())["buckets"]["0"]) == ["INC-2025-001", "INC-2025-002"]


def test_a_writer_folds_the_journal_once_reading_it_would_cost_a_noticeable_share_of_a_list(varied: Workspace):
    """Folding is due by size against the shards, not only at a fixed line count."""
    varied.compact_index()
    journal = varied.path / "index" / "journal.jsonl"
    shards = sum(p.stat().st_size for p in (varied.path / "index").glob("summaries-*.json"))
    with Workspace.open(varied.path, auto_backup=False) as writer:
        target = writer.incident_ids()[0]
        while not (journal.stat().st_size >= index_journal.FOLD_MIN_BYTES
                   and journal.stat().st_size * index_journal.FOLD_SHARE >= shards):
            writer.append_event(target, TimelineEvent(at=START, text="x"), actor="t")
        assert index_journal.line_count(varied.path) < index_journal.FOLD_LINES
        expected = writer.list_summaries()
    assert journal.read_bytes() == b""
    with Workspace.open(varied.path, auto_backup=False) as reader:
        assert reader.list_summaries() == expected
