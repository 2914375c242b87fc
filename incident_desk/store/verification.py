"""Verifying the audit chains of a whole workspace: incremental or full, and against checkpoints.

- Each incident file is checked on its parsed JSON alone (no pydantic): every record's hash, its link to
  the record before it from the genesis, record N sealing revision N, and the last record sealing the
  stored content. Only a file that fails is checked again slowly, for the exact messages.
- Against each reference checkpoint, an incident's record at the pinned revision must have the pinned
  hash: a rewritten history is caught even when every hash in the file was recomputed; an incident the
  checkpoint pinned whose file is gone is reported.
- Incremental mode (the default) keeps, in a cache file outside the workspace chosen by the caller, the
  file stamp (inode, size, modification and change times) and head of every incident that verified. A
  file whose stamp is unchanged, and whose cached head agrees with the references, is not read again.
  A hand edit changes the change time (which user programs cannot set back), so it is read. `full` reads
  every file and uses two processes on a multi-core machine.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import audit, layout
from .audit import AuditReport
from ..domain.incident import INCIDENT_ID_PATTERN
from .checkpoints import Heads
from .errors import DamagedFile
from .incident_file import AUDIT, COMMUNICATIONS, CORE, TIMELINE, ordered_docs
from .storage import atomic_write_bytes, parse_tinydb_bytes

CACHE_VERSION = 3
PARALLEL_FROM = 2_000  # files; below this, starting worker processes costs more than it saves

Stamp = str


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


def stamp_of(stat: os.stat_result) -> Stamp:
    """What changes whenever a file's bytes change: inode (atomic replace), size, modification time and
    change time (which a user program cannot set back)."""
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def _fast_check(incident_id: str, tables: dict[str, Any]) -> tuple[AuditReport, list[str]]:
    """(report, hashes of the records in order: hashes[r - 1] sealed revision r)."""
    core_table = tables.get(CORE)
    core = core_table.get("1") if isinstance(core_table, dict) else None
    if not isinstance(core, dict) or core.get("id") != incident_id or not isinstance(core.get("revision"), int):
        return AuditReport(incident_id, False, 0, "", ["not an incident file of this id"]), []
    docs = tables.get(AUDIT) or {}
    if not isinstance(docs, dict):
        return AuditReport(incident_id, False, 0, "", ["the audit table is not a table of records"]), []
    timeline = ordered_docs(tables.get(TIMELINE) or {})
    communications = ordered_docs(tables.get(COMMUNICATIONS) or {})
    state = audit.state_hash(core, timeline, communications)
    hashes: list[str] = []
    prev = audit.genesis_hash(incident_id)
    sha256, dumps, sort = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS
    intact = True
    for seq in range(1, len(docs) + 1):
        doc = docs.get(str(seq))
        if not isinstance(doc, dict) or "hash" not in doc:
            intact = False
            break
        claimed = doc.pop("hash")
        try:
            recomputed = sha256(dumps(doc, option=sort)).hexdigest()
        finally:
            doc["hash"] = claimed
        if (recomputed != claimed or doc.get("prev_hash") != prev or doc.get("seq") != seq
                or doc.get("revision") != seq):
            intact = False
            break
        hashes.append(claimed)
        prev = claimed
    if (intact and docs and core["revision"] == len(docs)
            and docs[str(len(docs))].get("state_hash") == state):
        return AuditReport(incident_id, True, len(docs), prev), hashes
    report = audit.verify_chain(incident_id, list(docs.items()), revision=core["revision"], current_state=state)
    report.ok = not report.problems
    if report.ok:  # the fast path is stricter than it should be somewhere: trust the reference check
        report.problems.append("the audit chain could not be checked (please report this)")
        report.ok = False
    ordered = [d for _, d in sorted(docs.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else 0)]
    return report, [str(d.get("hash")) if isinstance(d, dict) else "" for d in ordered]


def verify_file(path: Path, incident_id: str, references: list[Reference]) -> tuple[AuditReport, Stamp | None]:
    """Check one incident file's chain, and that it agrees with every reference checkpoint."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
            stamp = stamp_of(os.fstat(handle.fileno()))
        tables = parse_tinydb_bytes(raw, path)
    except FileNotFoundError:
        return AuditReport(incident_id, False, 0, "", [f"{path} disappeared while it was being verified"]), None
    except OSError as error:
        return AuditReport(incident_id, False, 0, "", [f"cannot read {path}: {error.strerror}"]), None
    except DamagedFile as damage:
        return AuditReport(incident_id, False, 0, "", [str(damage)]), None
    try:
        report, hashes = _fast_check(incident_id, tables or {})
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return AuditReport(incident_id, False, 0, "", [f"{path}: malformed audit records ({error})"]), None
    for reference in references:
        problem = behind_checkpoint(hashes, reference, incident_id)
        if problem:
            report.problems.append(problem)
            report.ok = False
    return report, stamp


def behind_checkpoint(hashes: list[str], reference: Reference, incident_id: str) -> str | None:
    pinned = reference.heads.get(incident_id)
    if pinned is None:
        return None
    revision, head = pinned
    if len(hashes) < revision:
        return (f"{reference.label} pinned revision {revision}, but the trail now ends at revision {len(hashes)}: "
                "records were removed or the file was rolled back after the checkpoint")
    if hashes[revision - 1] != head:
        return (f"changed behind {reference.label}: record {revision} is not the record the checkpoint pinned "
                "(its history was rewritten and the hashes recomputed)")
    return None


def _verify_many(root: Path, ids: list[str], references: list[Reference]) -> list[tuple[str, AuditReport, Stamp | None]]:
    results = []
    for incident_id in ids:
        narrowed = [r.narrowed([incident_id]) for r in references if incident_id in r.heads]
        report, stamp = verify_file(layout.incident_path(root, incident_id), incident_id, narrowed)
        results.append((incident_id, report, stamp))
    return results


def _verify_parallel(root: Path, ids: list[str], references: list[Reference]) -> list[tuple[str, AuditReport, Stamp | None]]:
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(ids) < PARALLEL_FROM:
        return _verify_many(root, ids, references)
    import multiprocessing

    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    chunks = [ids[start::workers] for start in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_verify_many, root, chunk,
                               [r.narrowed(chunk) for r in references])
                   for chunk in chunks]
        results = [item for future in futures for item in future.result()]
    order = {incident_id: n for n, incident_id in enumerate(ids)}
    return sorted(results, key=lambda item: order[item[0]])


def _scan_stamps(root: Path) -> dict[str, str]:
    """Every incident file and its stamp (one directory scan per year folder, no sorting)."""
    stamps: dict[str, str] = {}
    base = root / "incidents"
    match = INCIDENT_ID_PATTERN.match
    for year in os.listdir(base) if base.is_dir() else []:
        folder = base / year
        if not year.isdigit() or not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(".json") or not match(name[:-5]):
                    continue
                try:
                    stats = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                stamps[name[:-5]] = f"{stats.st_ino}:{stats.st_size}:{stats.st_mtime_ns}:{stats.st_ctime_ns}"
    return stamps


def load_cache(path: Path | None, root: Path) -> dict[str, Any]:
    """The cache document: {"references": [heads digests], "missing_pinned": [...], "incidents": {id: [stamp,
    revision, head]}}; revision -1 marks a file that failed (always read again)."""
    if path is None:
        return {}
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if (not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("root") != str(root)
            or not isinstance(data.get("incidents"), dict)):
        return {}
    return data


def save_cache(path: Path | None, root: Path, entries: dict[str, list], references: list[str],
               missing_pinned: list[str]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, orjson.dumps({"version": CACHE_VERSION, "root": str(root), "references": references,
                                               "missing_pinned": missing_pinned, "incidents": entries}), fsync=False)
    except OSError:
        pass  # only a cache: the next verification reads more files


def verify_workspace(root: Path, *, references: list[Reference], cache_path: Path | None = None,
                     full: bool = False, only: str | None = None) -> WorkspaceVerification:
    """Verify every incident's chain (or `only` one), incrementally unless `full`."""
    result = WorkspaceVerification(full=full or only is not None)
    if only is not None:
        report, _ = verify_file(layout.incident_path(root, only), only, references)
        result.total = result.checked = 1
        result.reports.append(report)
        return result
    stamps = _scan_stamps(root)
    cache_doc = {} if full else load_cache(cache_path, root)
    cache: dict[str, list] = {incident_id: entry for incident_id, entry in cache_doc.get("incidents", {}).items()
                              if isinstance(entry, list) and len(entry) == 3 and type(entry[1]) is int}
    digests = sorted(reference.digest for reference in references)
    # entries cached against these same checkpoints were compared with them already
    same_references = bool(cache_doc) and cache_doc.get("references") == digests
    kept: dict[str, list] = {}
    to_read = []
    for incident_id, stamp in stamps.items():
        cached = cache.get(incident_id)
        if cached is not None and cached[0] == stamp and cached[1] >= 0:
            if same_references:
                kept[incident_id] = cached
                continue
            for reference in references:
                pinned = reference.heads.get(incident_id)
                if pinned is not None and (pinned[0] != cached[1] or pinned[1] != cached[2]):
                    break
            else:
                kept[incident_id] = cached
                continue
        to_read.append(incident_id)
    to_read.sort(key=layout.id_number)
    for incident_id, report, read_stamp in _verify_parallel(root, to_read, references):
        result.reports.append(report)
        kept[incident_id] = ([read_stamp, report.records, report.head_hash] if report.ok and read_stamp is not None
                             else [read_stamp or "", -1, ""])
    result.total = len(stamps)
    result.checked = len(to_read)
    result.unchanged = result.total - result.checked
    missing_pinned: set[str] = set()
    maybe_gone = (set(cache) | set(cache_doc.get("missing_pinned", []))) - stamps.keys()
    if not same_references or maybe_gone:
        for reference in references:
            for incident_id, (revision, _) in reference.heads.items():
                if incident_id not in stamps:
                    missing_pinned.add(incident_id)
                    result.problems.append(f"{incident_id}: {reference.label} pinned it at revision {revision}, "
                                           "but its file is gone (deleted or renamed after the checkpoint)")
    result.problems += [reference.problem for reference in references if reference.problem]
    if not (same_references and not to_read and not maybe_gone and len(kept) == len(cache)):
        save_cache(cache_path, root, kept, digests, sorted(missing_pinned))
    return result


def current_heads(result: WorkspaceVerification, root: Path, cache_path: Path | None) -> Heads:
    """The heads of every incident after a verification without failures (from the refreshed cache)."""
    entries = load_cache(cache_path, root).get("incidents", {}) if cache_path else {}
    heads: Heads = {incident_id: (int(e[1]), str(e[2])) for incident_id, e in entries.items() if e[1] >= 0}
    for report in result.reports:
        heads[report.incident_id] = (report.records, report.head_hash)
    return dict(sorted(heads.items(), key=lambda item: layout.id_number(item[0])))
