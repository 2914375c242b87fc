"""Listing and querying incident summaries fast, without building a summary per incident.

The index is the shards (`index`) plus the journal of newer entries (`index_journal`), both read as plain
documents and cached per process by file stat (the journal is read incrementally). A query filters those
documents first; only the incidents it returns are checked against their files (by stat) and built into
`IncidentSummary` objects. An entry whose stamp no longer matches its file is re-summarised from the file,
and the fresh entry is appended to the journal, so the next process does not read that file again.
Incidents on disk but missing from the index are summarised from their files. So a list is never stale.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson

from ..domain import IncidentRow, Status
from ..domain.validation import id_problem
from . import index, index_journal, index_maintenance, layout
from .errors import DamagedFile
from .folder_listing import FolderListing, folder_listings
from .gc_pause import gc_paused
from .index_maintenance import IndexLock

if TYPE_CHECKING:  # summaries are pydantic models, loaded by the first query that builds one: list rows build none
    from ..domain import IncidentSummary

IndexView = dict[str, tuple[index.Row | None, index.Stamp]]

_ACTIVE = frozenset(s.value for s in Status if s.is_active)


@dataclass(frozen=True)
class SummaryQuery:
    """Which incidents a list wants; every field left empty matches everything.

    `statuses`, `severities`, `types`: any of these values; `service`: affects this service; `active`: not yet
    resolved; `search`: case-insensitive text in the id or title; `started_from` <= started_at <
    `started_before` (an incident without a start time is left out when either is given); `overdue_on`:
    has an open action item due before that day; `ids`: only these incidents."""

    statuses: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    service: str | None = None
    active: bool = False
    search: str | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    overdue_on: date | None = None
    ids: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self == EVERYTHING

    def matches(self, incident_id: str, row: index.Row) -> bool:
        """Whether an incident is wanted, judged on its index row (`index.row_of`)."""
        if self.ids is not None and incident_id not in self.ids:
            return False
        if self.statuses and row["status"] not in self.statuses:
            return False
        if self.severities and row["severity"] not in self.severities:
            return False
        if self.types and row["type"] not in self.types:
            return False
        if self.service is not None and self.service not in (row["services"] or ()):
            return False
        if self.active and row["status"] not in _ACTIVE:
            return False
        if self.search and self.search.lower() not in f"{incident_id} {row['title']}".lower():
            return False
        if self.started_from is not None or self.started_before is not None:
            raw = row["started_at"]
            if raw is None:
                return False
            started = datetime.fromisoformat(raw)
            if self.started_from is not None and started < self.started_from:
                return False
            if self.started_before is not None and started >= self.started_before:
                return False
        if self.overdue_on is not None and not (row["due"] is not None and row["due"] < self.overdue_on.isoformat()):
            return False
        return True


EVERYTHING = SummaryQuery()


@dataclass
class SummaryCaches:
    """What one Workspace has already read, each keyed to the stamp of the file it came from."""

    shards: dict[Path, tuple[index.Stamp, IndexView]] = field(default_factory=dict)
    journal: index_journal.JournalState = field(default_factory=index_journal.JournalState)
    built: dict[str, tuple[index.Stamp, IncidentSummary]] = field(default_factory=dict)
    listings: dict[str, FolderListing] = field(default_factory=dict)
    healed: int = 0  # entries this process re-read from their files and recorded in the journal
    #: names of the shards read in an earlier layout, or whose span file is missing or outdated: rewritten in
    #: the current layout when the workspace closes
    outdated: set[str] = field(default_factory=set)

    def clear(self) -> None:
        self.shards.clear()
        self.journal.reset()
        self.built.clear()
        self.listings.clear()


def _id_order(incident_id: str) -> tuple[str, int, str]:
    return incident_id[4:8], len(incident_id), incident_id


def index_parts(root: Path, caches: SummaryCaches, *, index_lock: IndexLock, notices: list[str],
                query: SummaryQuery = EVERYTHING, skipped: set[tuple[str, int]] | None = None,
                keep: bool = True) -> Iterator[IndexView]:
    """The index shard by shard, in id order: id -> (query row or None if removed, stamp of the file it was
    made from), each shard's rows with the journal laid over them (then the journal's entries of shards not
    written yet). One shard at a time, so a caller that keeps only what it needs never holds every row.
    With a start window or an overdue day in `query`, shards whose span (start times, earliest open due date)
    rules them out are not read; their (year, bucket) go into `skipped`. `keep` remembers the rows read for
    this workspace's next query; without it, rows the query's status, severity or type rule out are not
    built (`index.LEFT_OUT`)."""
    journal = index_journal.refresh(root, caches.journal, notices)
    by_shard: dict[str, list[str]] = {}
    for incident_id in (*journal.entries, *journal.deltas, *journal.pending):
        by_shard.setdefault(index.shard_name(incident_id), []).append(incident_id)
    on_disk = {path.name: path for path in (root / "index").glob("summaries-*.json")}
    narrowed = query.started_from is not None or query.started_before is not None or query.overdue_on is not None
    # a reader that keeps nothing for a later query need not build the rows its filters rule out
    narrow = ((query.statuses, query.severities, query.types)
              if not keep and (query.statuses or query.severities or query.types) else None)
    for name in sorted(on_disk.keys() | by_shard.keys()):
        part: IndexView = {}
        shard = on_disk.get(name)
        if shard is not None:
            span = index.shard_span(shard) if narrowed and skipped is not None else None
            if narrowed and span is None:
                caches.outdated.add(name)
            if span is not None and not _may_hold(span, query):
                year, first, _ = index.shard_range(name)
                skipped.add((f"{year:04d}", first // index.SHARD_SIZE))  # type: ignore[union-attr]
            else:
                part = read_shard(root, shard, caches, index_lock=index_lock, notices=notices, keep=keep,
                                  narrow=narrow)
        ids = by_shard.get(name)
        if ids:
            overlay = index_journal.JournalState(
                entries={i: journal.entries[i] for i in ids if i in journal.entries},
                deltas={i: journal.deltas[i] for i in ids if i in journal.deltas})
            part = dict(part)
            added = not overlay.entries.keys() <= part.keys()
            overlay.apply_to(part)
            for incident_id in journal.pending.intersection(ids):  # being written, or its writer crashed
                row = part.get(incident_id, (None, index.STALE))[0]
                added = added or incident_id not in part
                part[incident_id] = (row if row is not None else _UNKNOWN_ROW, index.STALE)
            if added:
                part = {k: part[k] for k in sorted(part, key=_id_order)}
        if part:
            yield part


#: the row of an incident known only by a write's intent line: judged on its file, like any stale entry
_UNKNOWN_ROW: index.Row = {**dict.fromkeys(index.ROW_FIELDS), "doc": None}


def _may_hold(span: index.ShardSpan, query: SummaryQuery) -> bool:
    """Whether a shard with this span may hold an incident of the query's start window and overdue day."""
    if query.overdue_on is not None and (span.due is None or span.due >= query.overdue_on.isoformat()):
        return False
    start, end = query.started_from, query.started_before
    if start is None and end is None:
        return True
    if span.started is None:
        return False
    first, last = span.started
    return (start is None or last >= start.timestamp()) and (end is None or first < end.timestamp())


def query_summaries(root: Path, caches: SummaryCaches, query: SummaryQuery = EVERYTHING, *,
                    index_lock: IndexLock, notices: list[str]) -> list[IncidentSummary]:
    """The summaries `query` wants, in id order; each equal to `summarize` of the incident as stored now.
    The summaries built are remembered (by file stamp) for the next query of this workspace."""
    with gc_paused(freeze=True):  # many small objects, kept: the cyclic GC alone would double the time
        return list(iter_summaries(root, caches, query, keep=True, index_lock=index_lock, notices=notices))


def list_rows(root: Path, caches: SummaryCaches, query: SummaryQuery = EVERYTHING, *, newest_first: bool = False,
              limit: int = 0, index_lock: IndexLock, notices: list[str]) -> list[IncidentRow]:
    """The list rows (`IncidentRow`) of the incidents `query` wants, in id order or newest first, at most
    `limit` (0: all), each equal to `IncidentRow.of(summarize(get(id)))` as stored now: read from the index's
    rows (every incident checked by stat, as for summaries) without parsing or building any summary."""
    hits = _select(root, caches, query, index_lock, notices, newest_first=newest_first, keep=False, as_rows=True)
    if newest_first:
        hits.sort(key=lambda hit: hit[4], reverse=True)
    if limit:
        hits = hits[:limit]
    rows = []
    fromisoformat = datetime.fromisoformat
    for incident_id, fields, _, summary, _ in hits:
        if summary is None:
            title, kind, status, severity, started, resolved, commander = fields
            try:
                rows.append(IncidentRow(incident_id, title, kind, _STATUSES[status], severity,
                                        None if started is None else fromisoformat(started),
                                        None if resolved is None else fromisoformat(resolved), commander))
                continue
            except (KeyError, TypeError, ValueError):  # a row of the wrong shape: the file itself says
                summary = summary_from_file(root, incident_id, caches, notices)
                if summary is None:
                    continue
        rows.append(IncidentRow.of(summary))
    return rows


_STATUSES = {s.value: s for s in Status}
_LIST_FIELDS = ("title", "type", "status", "severity", "started_at", "resolved_at", "commander")


def iter_summaries(root: Path, caches: SummaryCaches, query: SummaryQuery = EVERYTHING, *, newest_first: bool = False,
                   limit: int = 0, keep: bool = False, index_lock: IndexLock,
                   notices: list[str]) -> Iterator[IncidentSummary]:
    """The summaries `query` wants, built one at a time as they are consumed (a caller that streams them out
    never holds them all): in id order, or newest first (start time, else declaration time; none last);
    at most `limit` of them (0: all). Every incident selected is checked against its file by stat first."""
    from .summary_builder import summary_from_doc as build  # the models load with the first summary built

    hits = _select(root, caches, query, index_lock, notices, newest_first=newest_first, keep=keep)
    if newest_first:
        hits.sort(key=lambda hit: hit[4], reverse=True)
    if limit:
        hits = hits[:limit]
    built = caches.built
    for incident_id, text, stamp, summary, _ in hits:
        if summary is None:
            cached = built.get(incident_id)
            if cached is not None and cached[0] == stamp:
                summary = cached[1]
            else:
                summary = _from_text(text, build)
                if summary is None:  # an unusable entry: read the file itself
                    summary = summary_from_file(root, incident_id, caches, notices)
                    if summary is None:
                        continue
                elif keep:
                    built[incident_id] = (stamp, summary)
        yield summary


#: what a selected incident needs until its summary is built: its id, its summary text and the fields a
#: timeline append changed in it (for a list of rows: the row's `_LIST_FIELDS`), the stamp, the summary if
#: already built, and its newest-first sort key
Hit = tuple[str, tuple, index.Stamp, "IncidentSummary | None", float]


def _newest_first_key(row: index.Row) -> float:
    when = row["started_at"] or row["declared_at"]
    try:
        return datetime.fromisoformat(when).timestamp() if when else 0.0
    except (TypeError, ValueError):
        return 0.0


def _entries(root: Path, caches: SummaryCaches, query: SummaryQuery, index_lock: IndexLock, notices: list[str],
             skipped: set[tuple[str, int]], seen: set[str], keep: bool) -> Iterator[tuple[str, Any]]:
    for part in index_parts(root, caches, index_lock=index_lock, notices=notices, query=query, skipped=skipped,
                            keep=keep):
        seen.update(part)
        yield from part.items()


def _select(root: Path, caches: SummaryCaches, query: SummaryQuery, index_lock: IndexLock,
            notices: list[str], *, newest_first: bool = False, keep: bool = True, as_rows: bool = False
            ) -> list[Hit]:
    """The incidents `query` wants, in id order, from the index rows; each checked by stat, and re-read from
    its file (summary built) when the file changed since it was indexed. Only what building the summary
    needs is kept of each row."""
    skipped: set[tuple[str, int]] = set()
    seen: set[str] = set()
    everything = query.everything
    incidents_dir = f"{root}/incidents"
    hits: list[Hit] = []
    healed: list[bytes] = []
    pending = caches.journal.pending
    stat_of = _Stats(incidents_dir)

    def hit(incident_id: str, row: index.Row, stamp: index.Stamp, summary: IncidentSummary | None) -> Hit:
        return (incident_id, payload(row), stamp, summary, _newest_first_key(row) if newest_first else 0.0)

    def payload(row: index.Row) -> tuple:
        return tuple(row[name] for name in _LIST_FIELDS) if as_rows else (row["doc"], row.get("set"))

    try:
        for incident_id, (row, stamp) in _entries(root, caches, query, index_lock, notices, skipped, seen, keep):
            if row is None:
                continue
            if stamp != index.STALE:  # a stale entry (unusable row, lost delta) is judged on the file itself
                try:
                    if not (everything or query.matches(incident_id, row)):
                        continue
                except (TypeError, ValueError):  # a journal entry with a field of the wrong type
                    stamp = index.STALE
            current = stat_of(incident_id)
            if current is None:
                continue  # removed since it was indexed
            if current == stamp:
                hits.append((incident_id, (row["doc"], row.get("set")) if not as_rows else payload(row), stamp, None,
                             _newest_first_key(row) if newest_first else 0.0))
                continue
            fresh = summary_from_file(root, incident_id, caches, notices)  # changed since it was indexed
            if fresh is None:  # damaged (noted): list what the index last knew of it, if it is wanted
                if stamp != index.STALE:
                    hits.append(hit(incident_id, row, stamp, None))
                continue
            fresh_row = index.row_of(index.summary_doc(fresh))
            if incident_id not in pending:  # (a write in progress records its own entry)
                healed.append(index_journal.line_for(incident_id, fresh_row["doc"], caches.built[incident_id][0],
                                                     healed=True))
            if everything or query.matches(incident_id, fresh_row):
                hits.append(hit(incident_id, fresh_row, caches.built[incident_id][0], fresh))
    finally:
        stat_of.close()
    unindexed = _unindexed_ids(root, seen, notices, caches, skipped)
    for incident_id in unindexed:  # written but never indexed (index lost or a write interrupted)
        fresh = summary_from_file(root, incident_id, caches, notices)
        if fresh is not None:
            fresh_row = index.row_of(index.summary_doc(fresh))
            if incident_id not in pending:
                healed.append(index_journal.line_for(incident_id, fresh_row["doc"], caches.built[incident_id][0],
                                                     healed=True))
            if everything or query.matches(incident_id, fresh_row):
                hits.append(hit(incident_id, fresh_row, caches.built[incident_id][0], fresh))
    if unindexed:
        hits.sort(key=lambda h: _id_order(h[0]))
    if healed and _append_quietly(root, healed, index_lock):
        caches.healed += len(healed)
    return hits


class _Stats:
    """The stamp of each incident file, looked up relative to its year folder (a shorter path walk than from
    the root, which a list does once per incident); None when the file is gone."""

    def __init__(self, incidents_dir: str) -> None:
        self.incidents_dir = incidents_dir
        self.folders: dict[str, int | None] = {}
        self.relative = os.stat in os.supports_dir_fd

    def __call__(self, incident_id: str) -> index.Stamp | None:
        year = incident_id[4:8]
        try:
            if self.relative:
                folder = self.folders.get(year, -1)
                if folder == -1:
                    folder = self.folders[year] = self._open(year)
                if folder is None:
                    return None
                stat = os.stat(f"{incident_id}.json", dir_fd=folder)
            else:
                stat = os.stat(f"{self.incidents_dir}/{year}/{incident_id}.json")
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _open(self, year: str) -> int | None:
        try:
            return os.open(f"{self.incidents_dir}/{year}", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except FileNotFoundError:
            return None

    def close(self) -> None:
        for folder in self.folders.values():
            if folder is not None:
                os.close(folder)
        self.folders.clear()


def _unindexed_ids(root: Path, known: set[str], notices: list[str], caches: SummaryCaches,
                   skipped: set[tuple[str, int]]) -> list[str]:
    """Incident files the index does not know, leaving out the (year, bucket)s in `skipped`; a file whose name
    is not an incident id is reported (once per workspace) and skipped, never read, indexed or moved."""
    candidates: list[str] = []
    for year, listing in folder_listings(root, caches.listings).items():
        if not skipped:
            candidates += listing.names.difference(known)
            continue
        for bucket, names in listing.buckets.items():
            if (year, bucket) not in skipped:
                candidates += names.difference(known)
    found = []
    for name in candidates:
        problem = id_problem(name)
        if problem is None:
            found.append(name)
            continue
        note = (f"skipped a file in {root / 'incidents'} whose name is not an incident id "
                f"({problem.split(':')[0]}); rename or remove it")
        if note not in notices:
            notices.append(note)
    return found


def _append_quietly(root: Path, lines: list[bytes], index_lock: IndexLock) -> bool:
    """Record re-read entries in the journal for the next reader; a reader that cannot write still lists."""
    try:
        with index_lock():
            index_journal.append(root, lines)
    except Exception:  # read-only folder, lock held too long: the next reader re-reads those files
        return False
    return True


def _from_text(text: tuple[Any, dict[str, Any] | None],
               build: Callable[[dict[str, Any]], IncidentSummary]) -> IncidentSummary | None:
    doc, changes = text
    if isinstance(doc, index.TEXT):  # (a dict is a journal entry's summary, with its changes applied)
        try:
            doc = orjson.loads(doc)
        except orjson.JSONDecodeError:  # the summary text is damaged: the caller reads the file
            return None
        if changes:
            doc.update(changes)
    return _from_doc(doc, build)


def _from_doc(doc: dict[str, Any], build: Callable[[dict[str, Any]], IncidentSummary]) -> IncidentSummary | None:
    """The summary of an index entry: built directly (`summary_builder`), else fully validated; None if neither."""
    if not isinstance(doc, dict):
        return None
    try:
        return build(doc)
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    from pydantic import ValidationError

    from ..domain import IncidentSummary

    try:
        return IncidentSummary.model_validate(doc)
    except ValidationError:
        return None


def summary_from_file(root: Path, incident_id: str, caches: SummaryCaches,
                      notices: list[str]) -> IncidentSummary | None:
    """The summary of the incident file as it is now; None if it is gone or damaged (noted in `notices`)."""
    path = layout.incident_path(root, incident_id)
    try:
        current = index.stamp_of(os.stat(path))
        cached = caches.built.get(incident_id)
        if cached and cached[0] == current:
            return cached[1]
        summary, stamp = index_maintenance.summarize_file(path, incident_id)
    except FileNotFoundError:
        return None
    except DamagedFile as damage:
        note = index_maintenance.damage_note(root, damage, path, incident_id)
        note += " (listed from the index if it is there)"
        if note not in notices:
            notices.append(note)
        return None
    caches.built[incident_id] = (stamp, summary)
    return summary


def read_shard(root: Path, shard: Path, caches: SummaryCaches, *, index_lock: IndexLock,
               notices: list[str], keep: bool = True, narrow: index.RowFilter | None = None) -> IndexView:
    """The entries of one shard as documents (those `narrow` rules out as `index.LEFT_OUT`, unless the shard is
    remembered whole already); a damaged shard is rebuilt from the incident files first."""
    try:
        with open(shard, "rb") as handle:
            key = index.stamp_of(os.fstat(handle.fileno()))
            cached = caches.shards.get(shard)
            if cached and cached[0] == key:
                return cached[1]
            raw = handle.read()
    except FileNotFoundError:
        return {}
    try:
        entries = cast(IndexView, index.rows_from_bytes(raw, shard, narrow if not keep else None))
    except DamagedFile as error:
        index_maintenance.rebuild_damaged_shard(root, shard, error.reason, index_lock=index_lock, notices=notices)
        caches.shards.pop(shard, None)
        if index_maintenance.shard_damage(shard) is not None:
            return {}
        return read_shard(root, shard, caches, index_lock=index_lock, notices=notices, keep=keep, narrow=narrow)
    if not raw.startswith(index.FORMAT):
        caches.outdated.add(shard.name)
    if keep:
        caches.shards[shard] = (key, entries)
    return entries
