"""A write that changes an incident's summary announces itself with a durable intent line in the index journal,
then writes the incident file, then its entry line. These tests cut a write between the file and its entry
(the entry fails, as a crash would leave it) and check that no reader answers from the old index row, that
folding the journal keeps the intent, and that the next writer to open the workspace settles it."""

from __future__ import annotations

from filelock import FileLock

from incident_desk.domain import Status
from incident_desk.store import SummaryQuery, Workspace, index_journal, index_maintenance, layout

from store_helpers import make_incident

INVESTIGATING = SummaryQuery(statuses=frozenset({"investigating"}))


def _cut_after_the_file(ws: Workspace, monkeypatch, incident_id: str) -> None:
    """Move the incident to investigating, losing the entry line the write ends with."""
    def entry_lost(*args, **kwargs):
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patched:
        patched.setattr(index_maintenance, "index_summary", entry_lost)
        ws.update(incident_id, lambda i: setattr(i, "status", Status.INVESTIGATING), actor="t", action="status")


def _journal_lines(root) -> list[bytes]:
    return index_journal.journal_path(root).read_bytes().splitlines()


def test_a_write_cut_before_its_index_entry_is_never_answered_from_the_old_row(tmp_path, monkeypatch) -> None:
    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-001"), actor="t")
        ws.create(make_incident("INC-2025-002"), actor="t")
        ws.compact_index()  # the old rows (status: detected) are in the shard
        assert ws.query_summaries(INVESTIGATING) == []
        _cut_after_the_file(ws, monkeypatch, "INC-2025-002")
        assert any("INC-2025-002 was saved" in note for note in ws.notices)
        assert _journal_lines(root) == [b'{"id":"INC-2025-002","intent":true}']
        assert [s.id for s in ws.query_summaries(INVESTIGATING)] == ["INC-2025-002"]
        assert len(_journal_lines(root)) == 1, "a reader does not record a write still open"
        ws.compact_index()  # folding keeps the intent: the shard row is still the old one
        assert _journal_lines(root) == [b'{"id":"INC-2025-002","intent":true}']
        assert [s.id for s in ws.query_summaries(INVESTIGATING)] == ["INC-2025-002"]
    with Workspace.open(root, auto_backup=False) as reopened:  # a writer opening settles it
        assert [s.id for s in reopened.query_summaries(INVESTIGATING)] == ["INC-2025-002"]
        assert not reopened._caches.journal.pending
        assert b'"intent"' not in _journal_lines(root)[-1]
        assert reopened.notices == []


def test_an_intent_whose_writer_still_holds_the_lock_is_left_alone(tmp_path, monkeypatch) -> None:
    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-001"), actor="t")
        _cut_after_the_file(ws, monkeypatch, "INC-2025-001")
    with FileLock(layout.lock_path(root, layout.incident_lock_name("INC-2025-001"))):  # "still writing"
        with Workspace.open(root, auto_backup=False) as reader:
            assert reader._caches.journal.pending == {"INC-2025-001"}
            assert [s.id for s in reader.query_summaries(INVESTIGATING)] == ["INC-2025-001"]
    with Workspace.open(root, auto_backup=False) as later:
        assert [s.status for s in later.list_summaries()] == [Status.INVESTIGATING]
        assert not later._caches.journal.pending


def test_a_completed_write_leaves_no_open_intent_and_costs_no_re_read(tmp_path) -> None:
    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-001"), actor="t")
        ws.update("INC-2025-001", lambda i: setattr(i, "status", Status.INVESTIGATING), actor="t", action="status")
    lines = _journal_lines(root)
    assert len(lines) == 4 and b'"intent"' in lines[2] and b'"intent"' not in lines[3]
    with Workspace.open(root, auto_backup=False) as reader:
        assert [s.id for s in reader.query_summaries(INVESTIGATING)] == ["INC-2025-001"]
        assert not reader._caches.journal.pending and reader._caches.healed == 0
    assert _journal_lines(root) == lines


def test_a_list_of_rows_reads_a_cut_write_from_its_file_too(tmp_path, monkeypatch) -> None:
    from incident_desk.domain import IncidentRow, summarize

    root = tmp_path / "ws"
    with Workspace.open(root, create=True, auto_backup=False) as ws:
        ws.create(make_incident("INC-2025-001"), actor="t")
        ws.compact_index()
        _cut_after_the_file(ws, monkeypatch, "INC-2025-001")
        assert ws.list_rows(INVESTIGATING) == [IncidentRow.of(summarize(ws.get("INC-2025-001")))]
