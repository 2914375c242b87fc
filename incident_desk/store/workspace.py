"""The workspace: a folder of TinyDB files shared safely by the desktop app, the CLI and a watcher.

Layout::

    workspace.json                 schema version, creation time
    ids.json                       last id handed out per year
    incidents/2025/INC-2025-001.json   one TinyDB file per incident (core, timeline, communications, audit)
    incidents/2025/.prev/...       previous generation of each incident file (hard link, kept on write)
    index/summaries-2025-000.json  summary index shards (derived; rebuilt from incident files when needed)
    intents/INC-2025-001           marker present while an incident and the index are being written
    locks/                         filelock files and a note of who holds each
    backups/snapshot-.../          rotating full snapshots
    damaged/, index/damaged/       damaged files moved aside by restore/rebuild, bytes untouched
    changes.log                    change notifications for other processes

Every write is atomic and fsync'd before the call returns, and sealed by an audit record in the same
file write. Reads always go to disk (caches are validated by file stat), so each process sees the
others' writes.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from ..domain import DomainError, Incident, IncidentSummary, TimelineEvent, summarize
from ..domain.incident import INCIDENT_ID_PATTERN, format_incident_id, incident_number
from ..domain.operations import describe_validation_error
from . import audit, backups, incident_file, index, schema
from .audit import AuditRecord, AuditReport
from .changes import ChangeLog, StoreChange
from .errors import DamagedFile, DuplicateId, NotFound, SchemaTooNew, StaleRevision, StoreError
from .locks import DEFAULT_TIMEOUT, hold, try_hold
from .storage import AtomicJSONStorage, atomic_write_bytes, fsync_dir, parse_tinydb_bytes, read_tinydb_file

log = logging.getLogger(__name__)
_SUMMARIES = TypeAdapter(list[IncidentSummary])
AUTO_BACKUP_AGE = timedelta(hours=24)
STALE_TEMP_AGE = 600.0


class Workspace:
    """A workspace folder. Open with `Workspace.open(path, create=...)`; use as a context manager."""

    def __init__(self, path: Path, *, lock_timeout: float, auto_backup: bool, keep_backups: int) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.auto_backup = auto_backup
        self.keep_backups = keep_backups
        #: one line per problem found and handled (damaged index rebuilt, unreadable incident skipped...)
        self.notices: list[str] = []
        self._changes = ChangeLog(path / "changes.log")
        self._wrote = False
        self._shard_cache: dict[Path, tuple[index.Stamp, list[tuple[str, IncidentSummary, index.Stamp]]]] = {}
        self._fresh_cache: dict[str, tuple[index.Stamp, IncidentSummary]] = {}
        self.closed = False

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, lock_timeout: float = DEFAULT_TIMEOUT,
             auto_backup: bool = True, keep_backups: int = 10) -> "Workspace":
        root = Path(path).expanduser().absolute()
        meta_path = root / schema.WORKSPACE_FILE
        if not meta_path.exists():
            if not create:
                raise StoreError(f"no workspace at {root}; create one with `incident-desk init`")
            root.mkdir(parents=True, exist_ok=True)
        workspace = cls(root, lock_timeout=lock_timeout, auto_backup=auto_backup, keep_backups=keep_backups)
        for folder in ("incidents", "index", "intents", "locks", "backups"):
            (root / folder).mkdir(exist_ok=True)
        with workspace._lock("workspace", "workspace"):
            if not meta_path.exists():
                schema.write_meta(root, schema.new_meta())
            workspace._check_schema()
        workspace._repair_interrupted_writes()
        return workspace

    def _check_schema(self) -> None:
        meta_path = self.path / schema.WORKSPACE_FILE
        try:
            meta = schema.read_meta(self.path)
        except DamagedFile as damage:
            raise damage.with_backup(self._snapshot_copy_of(meta_path)) from None
        version = meta["schema_version"]
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNew(f"workspace {self.path} has schema version {version}, newer than this Incident "
                               f"Desk understands ({schema.SCHEMA_VERSION}); upgrade Incident Desk to open it")
        if version < schema.SCHEMA_VERSION:
            steps = schema.pending_migrations(version)
            backups.take_snapshot(self.path, self.path / "backups", self.keep_backups)
            for from_version, step in steps:
                step(self.path)
                meta["schema_version"] = from_version + 1
                schema.write_meta(self.path, meta)

    def close(self) -> None:
        self.closed = True
        self._shard_cache.clear()
        self._fresh_cache.clear()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    # ------------------------------------------------------------------ paths and locks

    def incident_path(self, incident_id: str) -> Path:
        year, _ = self._number(incident_id)
        return self.path / "incidents" / f"{year:04d}" / f"{incident_id}.json"

    def _previous_path(self, incident_id: str) -> Path:
        path = self.incident_path(incident_id)
        return path.parent / ".prev" / path.name

    def _shard_path(self, incident_id: str) -> Path:
        return self.path / "index" / index.shard_name(incident_id)

    @staticmethod
    def _number(incident_id: str) -> tuple[int, int]:
        try:
            return incident_number(incident_id)
        except ValueError as error:
            raise NotFound(str(error)) from None

    def _lock(self, name: str, what: str):
        return hold(self.path / "locks" / f"{name}.lock", what, self.lock_timeout)

    def _incident_lock(self, incident_id: str):
        return self._lock(incident_id, f"incident {incident_id} in {self.path}")

    def _index_lock(self):
        return self._lock("index", f"the index of {self.path}")

    # ------------------------------------------------------------------ ids

    def allocate_id(self, year: int) -> str:
        """The next free id of `year` (INC-2025-001...), unique across processes."""
        self._before_write()
        with self._lock("ids", f"id allocation in {self.path}"):
            ids_path = self.path / "ids.json"
            try:
                read_tinydb_file(ids_path)
            except DamagedFile as damage:
                aside = self._move_aside(ids_path, self.path / "damaged")
                self.notices.append(f"{damage}; moved to {aside}; the id counter was rebuilt from the incident files")
            db = TinyDB(ids_path, storage=AtomicJSONStorage)
            with db.storage.transaction():
                counters = db.table("counters")
                last = (counters.get(doc_id=year) or {}).get("last", 0)
                number = max(last, self._highest_sequence(year)) + 1
                if counters.contains(doc_id=year):
                    counters.remove(doc_ids=[year])
                counters.insert(Document({"year": year, "last": number}, doc_id=year))
        return format_incident_id(year, number)

    def _highest_sequence(self, year: int) -> int:
        folder = self.path / "incidents" / f"{year:04d}"
        highest = 0
        if folder.is_dir():
            for name in os.listdir(folder):
                match = INCIDENT_ID_PATTERN.match(name.removesuffix(".json"))
                if match and name.endswith(".json"):
                    highest = max(highest, int(match.group(2)))
        return highest

    # ------------------------------------------------------------------ reads

    def exists(self, incident_id: str) -> bool:
        try:
            return self.incident_path(incident_id).is_file()
        except NotFound:
            return False

    def get(self, incident_id: str) -> Incident:
        """The full incident as last saved by any process."""
        return self._to_incident(self._read_stored(incident_id))

    def _read_stored(self, incident_id: str) -> incident_file.StoredIncident:
        path = self.incident_path(incident_id)
        try:
            return incident_file.read_stored(path, incident_id)
        except FileNotFoundError:
            raise NotFound(f"no incident {incident_id} in workspace {self.path}") from None
        except DamagedFile as damage:
            raise damage.with_backup(self.backup_for(path, incident_id)) from None

    def _to_incident(self, stored: incident_file.StoredIncident) -> Incident:
        try:
            return stored.to_incident()
        except DamagedFile as damage:
            raise damage.with_backup(self.backup_for(stored.path, stored.core["id"])) from None

    def incident_ids(self) -> list[str]:
        """Ids of every incident file in the workspace, in order."""
        found = []
        base = self.path / "incidents"
        for year_dir in sorted(base.iterdir()) if base.is_dir() else []:
            if not year_dir.is_dir() or not year_dir.name.isdigit():
                continue
            for name in os.listdir(year_dir):
                if name.endswith(".json") and INCIDENT_ID_PATTERN.match(name[:-5]):
                    found.append(name[:-5])
        return sorted(found, key=incident_number)

    def iter_incidents(self) -> Iterator[Incident]:
        """Every incident, fully loaded, in id order. A damaged file raises DamagedFile (never skipped)."""
        for incident_id in self.incident_ids():
            try:
                yield self.get(incident_id)
            except NotFound:
                continue

    def list_summaries(self) -> list[IncidentSummary]:
        """One summary per incident, from the index; files changed since they were indexed (timeline appends)
        are re-summarised from disk, so the list equals `summarize(get(id))` for every incident."""
        result: list[IncidentSummary] = []
        for shard in sorted((self.path / "index").glob("summaries-*.json")):
            for incident_id, summary, stamp in self._read_shard(shard):
                result.append(self._fresh_summary(incident_id, summary, stamp))
        listed = {s.id for s in result}
        unindexed = [i for i in self.incident_ids() if i not in listed]
        for incident_id in unindexed:  # written but never indexed (index lost or a write interrupted)
            summary = self._summary_from_file(incident_id)
            if summary is not None:
                result.append(summary)
        if unindexed:
            result.sort(key=lambda s: incident_number(s.id))
        return result

    def _summary_from_file(self, incident_id: str) -> IncidentSummary | None:
        path = self.incident_path(incident_id)
        try:
            current = index.stamp_of(os.stat(path))
            cached = self._fresh_cache.get(incident_id)
            if cached and cached[0] == current:
                return cached[1]
            stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
            summary = summarize(stored.to_incident())
        except FileNotFoundError:
            return None
        except DamagedFile as damage:
            note = f"{damage.with_backup(self.backup_for(path, incident_id))} (not listed)"
            if note not in self.notices:
                self.notices.append(note)
            return None
        self._fresh_cache[incident_id] = (index.stamp_of(stat), summary)
        return summary

    def _read_shard(self, shard: Path) -> list[tuple[str, IncidentSummary, index.Stamp]]:
        try:
            with open(shard, "rb") as handle:
                stat = os.fstat(handle.fileno())
                key = index.stamp_of(stat)
                cached = self._shard_cache.get(shard)
                if cached and cached[0] == key:
                    return cached[1]
                raw = handle.read()
        except FileNotFoundError:
            return []
        try:
            tables = parse_tinydb_bytes(raw, shard)
            summaries = tables.get(index.SUMMARIES, {})
            stamps = tables.get(index.STAMPS, {})
            keys = sorted(summaries, key=int)
            parsed = _SUMMARIES.validate_python([summaries[k] for k in keys])
            entries = [(s.id, s, tuple(stamps.get(k, {}).get("stamp", (0, 0, 0)))) for k, s in zip(keys, parsed)]
        except (DamagedFile, ValidationError, AttributeError, TypeError) as error:
            reason = error.reason if isinstance(error, DamagedFile) else f"valid JSON but not summaries ({error})"
            return self._rebuild_damaged_shard(shard, reason)
        self._shard_cache[shard] = (key, entries)
        return entries

    def _fresh_summary(self, incident_id: str, summary: IncidentSummary, stamp: index.Stamp) -> IncidentSummary:
        path = self.incident_path(incident_id)
        try:
            current = index.stamp_of(os.stat(path))
        except FileNotFoundError:
            return summary
        if current == stamp:
            return summary
        cached = self._fresh_cache.get(incident_id)
        if cached and cached[0] == current:
            return cached[1]
        try:
            stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
            fresh = summarize(stored.to_incident())
        except FileNotFoundError:
            return summary
        except DamagedFile as damage:
            note = f"{damage.with_backup(self.backup_for(path, incident_id))} (listed from the index)"
            if note not in self.notices:
                self.notices.append(note)
            return summary
        self._fresh_cache[incident_id] = (index.stamp_of(stat), fresh)
        return fresh

    # ------------------------------------------------------------------ writes

    def create(self, incident: Incident, *, actor: str, action: str = "declare") -> Incident:
        """Store a new incident at revision 1. DuplicateId if its id is taken."""
        self._before_write()
        incident = self._checked(incident.model_copy(deep=True))
        with self._incident_lock(incident.id):
            if self.incident_path(incident.id).exists():
                raise DuplicateId(f"{incident.id} already exists in workspace {self.path}")
            incident.revision = 1
            self._save(incident, previous=None, actor=actor, action=action, changed=["incident"])
        self._changes.publish(StoreChange(incident.id, incident.revision, action, actor))
        return incident

    def update(self, incident_id: str, change: Callable[[Incident], object], *, actor: str, action: str,
               expected_revision: int | None = None) -> Incident:
        """Load the latest, apply `change(incident)` in place, save as the next revision with an audit record.

        StaleRevision if `expected_revision` is given and is no longer the latest. An exception raised by
        `change` writes nothing. A change that changes nothing writes nothing and returns the incident."""
        self._before_write()
        with self._incident_lock(incident_id):
            stored = self._read_stored(incident_id)
            if expected_revision is not None and expected_revision != stored.revision:
                records = [AuditRecord.from_doc(d) for _, d in sorted(stored.audit_docs.items(), key=lambda i: int(i[0]))]
                message = audit.describe_changes_since(incident_id, records, expected_revision)
                raise StaleRevision(f"{message}; reload and try again", incident_id=incident_id,
                                    expected=expected_revision, actual=stored.revision)
            incident = self._to_incident(stored)
            before = incident.model_dump(mode="json")
            change(incident)
            incident = self._checked(incident)
            if incident.id != incident_id:
                raise DomainError(f"the id of {incident_id} cannot change (got {incident.id})")
            changed = audit.changed_paths(before, incident.model_dump(mode="json"))
            if not changed:
                return incident
            incident.revision = stored.revision + 1
            self._save(incident, previous=stored, actor=actor, action=action, changed=changed)
        self._changes.publish(StoreChange(incident_id, incident.revision, action, actor))
        return incident

    def append_event(self, incident_id: str, event: TimelineEvent, *, actor: str) -> int:
        """Append one timeline event durably; return the new revision. Rewrites only the incident's own file
        (the index is not touched; lists pick the change up by file stat)."""
        self._before_write()
        path = self.incident_path(incident_id)
        with self._incident_lock(incident_id):
            try:
                stored, _ = incident_file.append_event(path, incident_id, event, actor=actor,
                                                       keep_previous=self._previous_path(incident_id))
            except FileNotFoundError:
                raise NotFound(f"no incident {incident_id} in workspace {self.path}") from None
            except DamagedFile as damage:
                raise damage.with_backup(self.backup_for(path, incident_id)) from None
        self._changes.publish(StoreChange(incident_id, stored.revision, "timeline.add", actor))
        return stored.revision

    def import_incident(self, incident: Incident, *, actor: str, replace: bool = False) -> Incident:
        """Store an incident from an export. An existing id is refused unless `replace`, which saves it as the
        next revision of the stored one (audited as `import`)."""
        self._before_write()
        incident = self._checked(incident.model_copy(deep=True))
        with self._incident_lock(incident.id):
            if not self.incident_path(incident.id).exists():
                incident.revision = 1
                self._save(incident, previous=None, actor=actor, action="import", changed=["incident"])
            elif not replace:
                raise DuplicateId(f"{incident.id} already exists in workspace {self.path}; "
                                  "import with replace to overwrite it")
            else:
                stored = self._read_stored(incident.id)
                before = self._to_incident(stored).model_dump(mode="json")
                changed = audit.changed_paths(before, incident.model_dump(mode="json")) or ["incident"]
                incident.revision = stored.revision + 1
                self._save(incident, previous=stored, actor=actor, action="import", changed=changed)
        self._changes.publish(StoreChange(incident.id, incident.revision, "import", actor))
        return incident

    def _checked(self, incident: Incident) -> Incident:
        try:
            return Incident.model_validate(incident.model_dump())
        except ValidationError as error:
            raise DomainError(describe_validation_error(error)) from None

    def _save(self, incident: Incident, *, previous: incident_file.StoredIncident | None, actor: str,
              action: str, changed: list[str]) -> None:
        """Write incident + audit record, then its summary; an intent marker covers a crash in between.
        Caller holds the incident lock."""
        marker = self.path / "intents" / incident.id
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
        fsync_dir(marker.parent)
        path = self.incident_path(incident.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        _, stat = incident_file.write_whole(path, incident, previous=previous, actor=actor, action=action,
                                            changed=changed, keep_previous=self._previous_path(incident.id))
        self._index_summary(incident.id, summarize(incident), index.stamp_of(stat))
        marker.unlink()

    def _index_summary(self, incident_id: str, summary: IncidentSummary, stamp: index.Stamp) -> None:
        _, seq = self._number(incident_id)
        shard = self._shard_path(incident_id)
        with self._index_lock():
            try:
                index.upsert(shard, seq, summary, stamp)
            except DamagedFile as damage:
                self._rebuild_shard_locked(shard, damage.reason)
                index.upsert(shard, seq, summary, stamp)

    def _before_write(self) -> None:
        if self.closed:
            raise StoreError(f"workspace {self.path} is closed")
        if self._wrote:
            return
        self._wrote = True
        if self.auto_backup:
            newest = next(iter(self.backups()), None)
            if newest is None or datetime.now(timezone.utc) - backups.snapshot_time(newest) > AUTO_BACKUP_AGE:
                self.backup()
        self._clean_stale_temp_files()

    # ------------------------------------------------------------------ index repair

    def _repair_interrupted_writes(self) -> None:
        """Re-summarise incidents whose write was interrupted between incident file and index."""
        for marker in sorted((self.path / "intents").iterdir()):
            incident_id = marker.name
            if not INCIDENT_ID_PATTERN.match(incident_id):
                continue
            lock = try_hold(self.path / "locks" / f"{incident_id}.lock")
            if lock is None:
                continue  # its writer is alive and still working
            try:
                path = self.incident_path(incident_id)
                try:
                    stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
                    summary = summarize(stored.to_incident())
                except FileNotFoundError:
                    with self._index_lock():
                        index.remove(self._shard_path(incident_id), self._number(incident_id)[1])
                    marker.unlink()
                    continue
                except DamagedFile as damage:
                    self.notices.append(str(damage.with_backup(self.backup_for(path, incident_id))))
                    continue
                self._index_summary(incident_id, summary, index.stamp_of(stat))
                marker.unlink()
            finally:
                lock.release()

    def _rebuild_damaged_shard(self, shard: Path, reason: str) -> list[tuple[str, IncidentSummary, index.Stamp]]:
        with self._index_lock():
            if self._shard_damage(shard) is not None:  # another process may have rebuilt it meanwhile
                self._rebuild_shard_locked(shard, reason)
        self._shard_cache.pop(shard, None)
        if self._shard_damage(shard) is not None:
            return []
        return self._read_shard(shard)

    @staticmethod
    def _shard_damage(shard: Path) -> str | None:
        try:
            tables = read_tinydb_file(shard)
            if tables is not None:
                _SUMMARIES.validate_python(list(tables.get(index.SUMMARIES, {}).values()))
        except DamagedFile as damage:
            return damage.reason
        except (ValidationError, AttributeError, TypeError) as error:
            return f"valid JSON but not summaries ({error})"
        return None

    def _rebuild_shard_locked(self, shard: Path, reason: str) -> None:
        aside = self._move_aside(shard, self.path / "index" / "damaged")
        entries = self._summaries_for_shard(shard.name)
        index.write_shard(shard, entries)
        self.notices.append(f"index file {shard} was damaged ({reason}); it was kept untouched as {aside} "
                            f"and rebuilt from {len(entries)} incident file(s)")

    def _summaries_for_shard(self, shard_name: str) -> dict[int, tuple[IncidentSummary, index.Stamp]]:
        year, first, last = index.shard_range(shard_name)
        entries: dict[int, tuple[IncidentSummary, index.Stamp]] = {}
        for incident_id in self.incident_ids():
            y, seq = incident_number(incident_id)
            if y != year or not first <= seq <= last:
                continue
            path = self.incident_path(incident_id)
            try:
                stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
                entries[seq] = (summarize(stored.to_incident()), index.stamp_of(stat))
            except FileNotFoundError:
                continue
            except DamagedFile as damage:
                self.notices.append(f"{damage.with_backup(self.backup_for(path, incident_id))} "
                                    "(left out of the rebuilt index)")
        return entries

    def reindex(self) -> int:
        """Rebuild the whole index from the incident files; return the number of incidents indexed."""
        with self._index_lock():
            shards: dict[str, dict[int, tuple[IncidentSummary, index.Stamp]]] = {}
            for incident_id in self.incident_ids():
                path = self.incident_path(incident_id)
                try:
                    stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
                    summary = summarize(stored.to_incident())
                except FileNotFoundError:
                    continue
                except DamagedFile as damage:
                    self.notices.append(f"{damage.with_backup(self.backup_for(path, incident_id))} "
                                        "(left out of the index)")
                    continue
                shards.setdefault(index.shard_name(incident_id), {})[incident_number(incident_id)[1]] = (
                    summary, index.stamp_of(stat))
            index_dir = self.path / "index"
            for old in index_dir.glob("summaries-*.json"):
                if old.name not in shards:
                    old.unlink()
            for name, entries in shards.items():
                shard = index_dir / name
                if shard.exists():
                    try:
                        read_tinydb_file(shard)
                    except DamagedFile:
                        self._move_aside(shard, index_dir / "damaged")
                index.write_shard(shard, entries)
            self._shard_cache.clear()
            return sum(len(e) for e in shards.values())

    def _move_aside(self, path: Path, folder: Path) -> Path:
        """Move a damaged file out of the way without changing a byte of it."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = folder / f"{path.name}.{stamp}.damaged"
        os.replace(path, aside)
        fsync_dir(path.parent)
        return aside

    def _clean_stale_temp_files(self) -> None:
        cutoff = time.time() - STALE_TEMP_AGE
        for folder in [self.path, self.path / "index", *(self.path / "incidents").glob("*")]:
            if not folder.is_dir():
                continue
            for tmp in folder.glob(".*.tmp"):
                try:
                    if tmp.stat().st_mtime < cutoff:
                        tmp.unlink()
                except OSError:
                    pass

    # ------------------------------------------------------------------ damage and restore

    def backup_for(self, path: Path, incident_id: str | None = None) -> Path | None:
        """The newest intact copy of a workspace file: its previous generation, else a snapshot."""
        candidates = []
        if incident_id is not None:
            candidates.append(self._previous_path(incident_id))
        candidates += self._snapshot_candidates(path)
        for candidate in candidates:
            if self._intact(candidate, incident_id):
                return candidate
        return None

    def _snapshot_candidates(self, path: Path) -> list[Path]:
        try:
            rel = path.relative_to(self.path)
        except ValueError:
            return []
        return [snapshot / rel for snapshot in self.backups()]

    def _snapshot_copy_of(self, path: Path) -> Path | None:
        for candidate in self._snapshot_candidates(path):
            if candidate.is_file():
                return candidate
        return None

    @staticmethod
    def _intact(candidate: Path, incident_id: str | None) -> bool:
        try:
            if incident_id is None:
                return read_tinydb_file(candidate) is not None
            incident_file.read_stored(candidate, incident_id).to_incident()
            return True
        except (OSError, DamagedFile):
            return False

    def restore(self, incident_id: str, source: Path | None = None) -> Path:
        """Replace a damaged incident file by `source` (default: `backup_for`). The damaged file is moved to
        `damaged/` with its bytes unchanged; returns where it went."""
        self._before_write()
        path = self.incident_path(incident_id)
        with self._incident_lock(incident_id):
            source = source or self.backup_for(path, incident_id)
            if source is None or not self._intact(Path(source), incident_id):
                raise StoreError(f"no intact backup to restore {incident_id} from ({path})")
            stored, _ = incident_file.read_stored_with_stamp(Path(source), incident_id)
            aside = self._move_aside(path, self.path / "damaged") if path.exists() else path
            raw = Path(source).read_bytes()
            stat = atomic_write_bytes(path, raw)
            self._index_summary(incident_id, summarize(stored.to_incident()), index.stamp_of(stat))
        self._changes.publish(StoreChange(incident_id, stored.revision, "restore", "store"))
        return aside

    # ------------------------------------------------------------------ audit

    def audit_trail(self, incident_id: str) -> list[AuditRecord]:
        stored = self._read_stored(incident_id)
        return [AuditRecord.from_doc(doc) for _, doc in sorted(stored.audit_docs.items(), key=lambda i: int(i[0]))]

    def audit_head(self, incident_id: str) -> str:
        return self._read_stored(incident_id).head_hash

    def verify_audit(self, incident_id: str | None = None) -> list[AuditReport]:
        """Check the hash chain of one incident (or all): content, order, completeness, and that the stored
        incident is the state the last record sealed."""
        reports = []
        for current in [incident_id] if incident_id else self.incident_ids():
            try:
                stored = self._read_stored(current)
            except DamagedFile as damage:
                reports.append(AuditReport(current, False, 0, "", [str(damage)]))
                continue
            report = audit.verify_chain(current, list(stored.audit_docs.items()), revision=stored.revision,
                                        current_state=stored.state_hash())
            try:
                self._to_incident(stored)
            except DamagedFile as damage:
                report.ok = False
                report.problems.insert(0, str(damage))
            reports.append(report)
        return reports

    # ------------------------------------------------------------------ backups

    def backup(self) -> Path:
        """Take a full snapshot now (keeping the newest `keep_backups`); return its folder."""
        with self._lock("backup", f"backups of {self.path}"):
            return backups.take_snapshot(self.path, self.path / "backups", self.keep_backups)

    def backups(self) -> list[Path]:
        """Snapshots, newest first."""
        return backups.list_snapshots(self.path / "backups")

    # ------------------------------------------------------------------ notifications

    def subscribe(self, callback: Callable[[StoreChange], None]) -> Callable[[], None]:
        """Call `callback(StoreChange)` after each write made through this Workspace; returns unsubscribe."""
        return self._changes.subscribe(callback)

    def data_version(self) -> str:
        """A stamp that changes whenever any process wrote to this workspace."""
        return self._changes.version()

    def changes_since(self, version: str) -> tuple[list[StoreChange], str]:
        """What any process wrote since `data_version()` returned `version`, and the new version."""
        return self._changes.read_since(version)
