"""Verifying the audit chains of a whole workspace: incremental or full, and against checkpoints.

- Each incident file is checked on its bytes alone (no pydantic, see `chain_check`): every record's hash,
  its link to the record before it from the genesis, record N sealing revision N, and the last record
  sealing the stored content. Only a file that fails is checked again slowly, for the exact messages.
- Against each reference checkpoint, an incident's record at the pinned revision must have the pinned
  hash: a rewritten history is caught even when every hash in the file was recomputed; an incident the
  checkpoint pinned whose file is gone is reported.
- Incremental mode (the default) keeps, in a cache file outside the workspace chosen by the caller
  (`verify_cache`), the file stamp (inode, size, modification and change times), head and pins of every
  incident that verified. A file whose stamp is unchanged, and whose cached head agrees with the
  references, is not read again. A hand edit changes the change time (which user programs cannot set
  back), so it is read. `full` ignores the cache, reads every file and uses two processes on a
  multi-core machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import layout, verify_cache
from .audit import AuditReport
from ..domain.validation import INCIDENT_ID_PATTERN
from .chain_check import Pin, Reader, Stamp, check_file, stamp_of
from .checkpoints import Heads
from .verify_cache import CACHE_VERSION, Pinned

__all__ = ["CACHE_VERSION", "PARALLEL_FROM", "Reference", "WorkspaceVerification", "current_heads", "stamp_of",
           "verify_workspace"]

PARALLEL_FROM = 2_000  # files; below this, starting worker processes costs more than it saves
CHUNKS_PER_WORKER = 16  # contiguous chunks, handed out as workers free up: balanced, and results in order

#: one file to check: (incident id, the pins of the reference checkpoints that pin it)
Task = tuple[str, list[Pin]]
#: what a worker returns per file: (records, head hash, stamp) when it verified, else (report, stamp)
Outcome = tuple[int, str, Stamp | None] | tuple[AuditReport, Stamp | None]


@dataclass
class Reference:
    """A checkpoint the incidents are compared with: its heads, given or parsed on first use from `raw`
    (the heads file's bytes, already checked against the checkpoint's digest)."""

    label: str
    digest: str = ""
    raw: bytes | None = field(default=None, repr=False)
    given: Heads | None = field(default=None, repr=False)

    #: set when the heads file is not a table of incident id -> [revision, head hash]
    problem: str = ""

    @property
    def heads(self) -> Heads:
        if self.given is None:
            try:
                data = orjson.loads(self.raw) if self.raw else {}
            except orjson.JSONDecodeError:
                data = None
            if not isinstance(data, dict) or not all(
                    isinstance(v, list) and len(v) == 2 and type(v[0]) is int and v[0] > 0 and isinstance(v[1], str)
                    for v in data.values()):
                self.problem = f"{self.label}: its heads file is not a table of incident heads"
                data = {}
            self.given = data
        return self.given

    def pinned(self, incident_id: str) -> Pinned:
        pin = self.heads.get(incident_id)
        return None if pin is None else (pin[0], pin[1])

    def narrowed(self, ids: list[str]) -> "Reference":
        heads = self.heads
        return Reference(self.label, self.digest, given={i: heads[i] for i in ids if i in heads})


@dataclass
class WorkspaceVerification:
    full: bool
    total: int = 0
    checked: int = 0
    unchanged: int = 0
    #: a report for every file read (failed ones first when shown)
    reports: list[AuditReport] = field(default_factory=list)
    #: problems not tied to a file that exists: incidents deleted behind a checkpoint
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[AuditReport]:
        return [r for r in self.reports if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems


def _labelled(references: list[Reference], pinned: list[Pinned]) -> list[Pin]:
    return [(reference.label, *pin) for reference, pin in zip(references, pinned, strict=True) if pin is not None]


def _order(incident_id: str) -> tuple[int, int]:
    """`layout.id_number` of an id the scan matched with INCIDENT_ID_PATTERN, without checking it again."""
    return int(incident_id[4:8]), int(incident_id[9:])


def _check(root: Path, tasks: list[Task]) -> list[Outcome]:
    reader = Reader()
    outcomes: list[Outcome] = []
    incidents = os.path.join(root, "incidents")
    for incident_id, pins in tasks:  # the path is layout.incident_path's: the year folder is the id's year
        path = os.path.join(incidents, incident_id[4:8], incident_id + ".json")
        report, stamp = check_file(path, incident_id, pins, reader)
        outcomes.append((report.records, report.head_hash, stamp) if report.ok else (report, stamp))
    return outcomes


_FORKED_TASKS: list[Task] = []  # set before forking the workers, which read their chunks from it


def _check_chunk(root: Path, tasks: list[Task] | None, start: int, stop: int) -> list[Outcome]:
    return _check(root, tasks if tasks is not None else _FORKED_TASKS[start:stop])


def _check_all(root: Path, tasks: list[Task]) -> Iterator[Outcome]:
    """The outcome of every task, in order; on two processes or more when there are many (the caller
    takes in the first chunks' outcomes while the workers check the next)."""
    global _FORKED_TASKS
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(tasks) < PARALLEL_FROM:
        yield from _check(root, tasks)
        return
    import multiprocessing

    forked = hasattr(os, "fork")
    size = -(-len(tasks) // (workers * CHUNKS_PER_WORKER))
    bounds = [(start, min(start + size, len(tasks))) for start in range(0, len(tasks), size)]
    _FORKED_TASKS = tasks if forked else []
    try:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("fork") if forked else None) as pool:
            futures = [pool.submit(_check_chunk, root, None if forked else tasks[start:stop], start, stop)
                       for start, stop in bounds]
            for future in futures:
                yield from future.result()
    finally:
        _FORKED_TASKS = []


def _year_folders(root: Path) -> Iterator[Path]:
    base = root / "incidents"
    for year in os.listdir(base) if base.is_dir() else []:
        folder = base / year
        if year.isdigit() and folder.is_dir():
            yield folder


def _scan_ids(root: Path) -> list[str]:
    """Every incident file's id (one directory listing per year folder, no stat)."""
    match = INCIDENT_ID_PATTERN.match
    return [name[:-5] for folder in _year_folders(root) for name in os.listdir(folder)
            if name.endswith(".json") and match(name[:-5])]


def _scan_stats(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every incident file's id and stat (of the entry itself, not what a symlink points to)."""
    match = INCIDENT_ID_PATTERN.match
    by_fd = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd
    for folder in _year_folders(root):
        if by_fd:
            try:
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue
            try:
                for name in os.listdir(fd):
                    if name.endswith(".json") and match(name[:-5]):
                        try:
                            yield name[:-5], os.stat(name, dir_fd=fd, follow_symlinks=False)
                        except FileNotFoundError:
                            continue
            finally:
                os.close(fd)
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".json") and match(entry.name[:-5]):
                    try:
                        yield entry.name[:-5], entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue


def verify_workspace(root: Path, *, references: list[Reference], cache_path: Path | None = None,
                     full: bool = False, only: str | None = None) -> WorkspaceVerification:
    """Verify every incident's chain (or `only` one), incrementally unless `full`."""
    result = WorkspaceVerification(full=full or only is not None)
    if only is not None:
        report, _ = check_file(layout.incident_path(root, only), only,
                               _labelled(references, [r.pinned(only) for r in references]))
        result.total = result.checked = 1
        result.reports.append(report)
        return result
    references = sorted(references, key=lambda reference: reference.digest)  # the order of the cached pins
    digests = [reference.digest for reference in references]
    width = verify_cache.HEAD + len(references)
    cache = verify_cache.VerifyCache() if full else verify_cache.load(cache_path, root)
    entries = cache.entries
    # entries cached against these same checkpoints were compared with them already, and carry their pins
    same_references = cache.loaded and cache.references == digests
    known = entries.keys() | set(cache.missing_pinned)  # every incident the references could pin
    kept: dict[str, Any] = {}  # every incident file present: its new cache entry (None while it is read)
    to_read: list[str] = []
    pinned: list[list[Pinned]] = []
    if full:
        to_read = sorted(set(_scan_ids(root)), key=_order)
        pinned = [[reference.pinned(incident_id) for reference in references] for incident_id in to_read]
        kept = dict.fromkeys(to_read)
    else:
        tables = [] if same_references else [reference.heads for reference in references]
        for incident_id, stat in _scan_stats(root):
            if incident_id in kept:
                continue  # the same name in two year folders
            cached: Any = entries.get(incident_id)
            if verify_cache.is_fresh(cached, stat, width if same_references else 0):
                if same_references:
                    kept[incident_id] = cached
                    continue
                codes: list[Any] = []  # compared with the new references: each pins nothing or this head
                for table in tables:
                    pin = table.get(incident_id)
                    if pin is None:
                        codes.append(0)
                    elif pin[0] == cached[4] and pin[1] == cached[5]:
                        codes.append(1)
                    else:
                        break
                else:
                    kept[incident_id] = cached[:verify_cache.HEAD] + codes
                    continue
                pins = [reference.pinned(incident_id) for reference in references]
            else:
                pins = (verify_cache.cached_pins(cached, width) if same_references else None) or (
                    [None] * len(references) if same_references and incident_id not in known
                    else [reference.pinned(incident_id) for reference in references])
            kept[incident_id] = None
            to_read.append(incident_id)
            pinned.append(pins)
        order = sorted(range(len(to_read)), key=lambda n: _order(to_read[n]))
        to_read, pinned = [to_read[n] for n in order], [pinned[n] for n in order]
    tasks = ([(incident_id, _labelled(references, pins)) for incident_id, pins in zip(to_read, pinned, strict=True)]
             if references else [(incident_id, []) for incident_id in to_read])
    for incident_id, pins, outcome in zip(to_read, pinned, _check_all(root, tasks), strict=True):
        if isinstance(outcome[0], AuditReport):
            report, stamp = outcome[0], outcome[1]
            result.reports.append(report)
            kept[incident_id] = verify_cache.entry(stamp, -1, "", pins)
        else:
            records, head, stamp = outcome
            result.reports.append(AuditReport(incident_id, True, records, head))
            kept[incident_id] = verify_cache.entry(stamp, records, head, pins)
    result.total = len(kept)
    result.checked = len(to_read)
    result.unchanged = result.total - result.checked
    missing_pinned: set[str] = set()
    maybe_gone = known - kept.keys()
    if not same_references or maybe_gone:
        for reference in references:
            for incident_id, (revision, _) in reference.heads.items():
                if incident_id not in kept:
                    missing_pinned.add(incident_id)
                    result.problems.append(f"{incident_id}: {reference.label} pinned it at revision {revision}, "
                                           "but its file is gone (deleted or renamed after the checkpoint)")
    damaged = [reference.problem for reference in references if reference.problem]
    result.problems += damaged
    if not (same_references and not to_read and not maybe_gone and len(kept) == len(entries)):
        # a damaged heads file is compared (and reported) again next time
        verify_cache.save(cache_path, root, kept, [] if damaged else digests, sorted(missing_pinned))
    return result


def current_heads(result: WorkspaceVerification, root: Path, cache_path: Path | None) -> Heads:
    """The heads of every incident after a verification without failures (from the refreshed cache)."""
    entries = verify_cache.load(cache_path, root).entries
    heads: Heads = {incident_id: (e[4], e[5]) for incident_id, e in entries.items()
                    if type(e) is list and len(e) >= verify_cache.HEAD and type(e[4]) is int and e[4] >= 0}
    for report in result.reports:
        heads[report.incident_id] = (report.records, report.head_hash)
    return dict(sorted(heads.items(), key=lambda item: layout.id_number(item[0])))
