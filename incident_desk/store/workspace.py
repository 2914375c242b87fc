"""The workspace: a folder of TinyDB files shared safely by the desktop app, the CLI and a watcher.

Layout (paths spelled in `layout`)::

    workspace.json                 schema version, creation time
    ids.json                       last id handed out per year (`id_counter`)
    incidents/2025/INC-2025-001.json   one TinyDB file per incident (core, timeline, communications, audit)
    incidents/2025/.prev/...       previous generation of each incident file (hard link, kept on write)
    index/summaries-2025-000.json  summary index shards (derived; `index_maintenance` rebuilds them)
    index/journal.jsonl            index entries written since the last fold (`index_journal`)
    intents/INC-2025-001           marker of an interrupted write, as earlier versions left them (the
                                   journal's intent lines do this now; markers found are still repaired)
    locks/                         filelock files (incidents share 64) and a note of who holds each
    backups/snapshot-.../          rotating full snapshots (`backups`)
    damaged/, index/damaged/       damaged files moved aside by restore/rebuild, bytes untouched (`recovery`)
    changes.log                    change notifications for other processes

`Workspace` is the coordinator: it holds the paths, locks and caches, and offers the public API; the work
is done by the modules named above. Every write is atomic and fsync'd before the call returns, and sealed
by an audit record in the same file write. Reads always go to disk (caches are validated by file stat),
so each process sees the others' writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import DomainError, IncidentRow, IncidentView, format_incident_id
from . import audit, backups, checkpoints, id_counter, incident_file, index, index_journal, index_maintenance, layout
from . import recovery, schema
from .audit import AuditRecord, AuditReport
from .changes import ChangeLog, StoreChange
from .errors import (
    DamagedFile,
    DuplicateId,
    LockUnavailable,
    NotFound,
    SchemaTooNew,
    StaleRevision,
    StorageUnavailable,
    StoreError,
    describe_os_error,
    os_errors,
)
from .locks import DEFAULT_TIMEOUT, hold
from .summary_listing import EVERYTHING, SummaryCaches, SummaryQuery, iter_summaries, list_rows, query_summaries

if TYPE_CHECKING:  # the models load on the first write or full read: list rows and raw reads build none
    from ..domain import Incident, IncidentSummary, TimelineEvent
    from . import verification

AUTO_BACKUP_AGE = timedelta(hours=24)
PATHS_KEPT = 10_000


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
        self._caches = SummaryCaches()
        #: paths worked out once: an update asks for its incident's file, lock and previous generation several times
        self._paths: dict[str, Path] = {}
        self._lock_paths: dict[str, Path] = {}
        self.closed = False
        #: set when the workspace could not be locked for writing (read-only file system, no permission):
        #: reads work, each write is refused by the operating system with a clear error
        self.read_only_reason: str | None = None
        #: set when the workspace is of an earlier schema version that could not be upgraded: writes refused
        self.upgrade_needed: str | None = None

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
        try:
            workspace._open_locked(meta_path)
        except LockUnavailable as error:
            if not meta_path.exists():
                raise
            workspace._open_read_only(error)
        except OSError as error:
            raise StorageUnavailable(describe_os_error(error, "open the workspace")) from error
        return workspace

    def _open_locked(self, meta_path: Path) -> None:
        root = self.path
        for folder in layout.FOLDERS:
            if not (root / folder).is_dir():
                (root / folder).mkdir(exist_ok=True)
        with self._lock("workspace", "workspace"):
            if not meta_path.exists():
                schema.write_meta(root, schema.new_meta())
            self._check_schema()
        index_maintenance.repair_interrupted_writes(root, index_lock=self._index_lock, notices=self.notices,
                                                    journal=self._caches.journal)

    def _open_read_only(self, error: LockUnavailable) -> None:
        """Open for reading only: the lock files cannot be opened (read-only file system, no permission)."""
        self.read_only_reason = error.reason
        try:
            meta = schema.read_meta(self.path)
        except DamagedFile as damage:
            raise damage.with_backup(recovery.snapshot_copy_of(self.path, self.path / schema.WORKSPACE_FILE)) from None
        version = meta["schema_version"]
        if version != schema.SCHEMA_VERSION and version not in schema.READABLE_AS_IS:
            raise StoreError(f"workspace {self.path} has schema version {meta['schema_version']} and cannot be "
                             f"migrated to {schema.SCHEMA_VERSION}: {error}")
        self.notices.append(f"workspace {self.path} is read-only ({error.reason}): reading only; "
                            "any change will be refused")

    def _check_schema(self) -> None:
        meta_path = self.path / schema.WORKSPACE_FILE
        try:
            meta = schema.read_meta(self.path)
        except DamagedFile as damage:
            raise damage.with_backup(recovery.snapshot_copy_of(self.path, meta_path)) from None
        version = meta["schema_version"]
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNew(f"workspace {self.path} has schema version {version}, newer than this Incident "
                               f"Desk understands ({schema.SCHEMA_VERSION}); upgrade Incident Desk to open it")
        if version < schema.SCHEMA_VERSION:
            steps = schema.pending_migrations(version)
            on_disk = version
            try:
                if any(from_version not in schema.WITHOUT_SNAPSHOT for from_version, _ in steps):
                    backups.take_snapshot(self.path, self.path / "backups", self.keep_backups)
                for from_version, step in steps:
                    step(self.path)
                    schema.write_meta(self.path, {**meta, "schema_version": from_version + 1})
                    on_disk = from_version + 1
            except OSError as error:
                if on_disk not in schema.READABLE_AS_IS:
                    raise
                # e.g. a read-only file system: read it as it is, and refuse every change until it is upgraded
                self.upgrade_needed = (f"workspace {self.path} has schema version {on_disk} and could not be "
                                       f"upgraded to {schema.SCHEMA_VERSION} ({describe_os_error(error, 'upgrade it')})")
                self.notices.append(f"{self.upgrade_needed}: reading only; any change will be refused")

    def _journal_is_long(self) -> bool:
        try:
            return index_journal.due_for_fold(self.path)
        except OSError:  # unreadable: the writes already said so; nothing to fold now
            return False

    def close(self) -> None:
        """Close. If this workspace wrote, first (off the write path, after the writes were acknowledged): the
        daily snapshot when due, the clean-up of temp files crashed writers left, and folding a long index
        journal into the shards (or writing shards it met in an earlier layout in the current one). None of
        them can lose a write; a failure is a notice."""
        if self._wrote and not self.closed:
            try:
                self.snapshot_if_due()
            except (StoreError, OSError) as error:
                self.notices.append(f"the daily snapshot was not taken ({error}); it will be next time")
            recovery.clean_stale_temp_files(self.path)
            if self._journal_is_long() or self._caches.outdated:
                try:
                    self.compact_index()
                except (StoreError, OSError) as error:  # e.g. locked by another process: a later close folds it
                    self.notices.append(f"the index journal was not folded ({error}); it will be next time")
        elif not self.closed and (self._caches.outdated or self._caches.healed and self._journal_is_long()):
            # a reader that re-read many stale entries (after an upgrade, say) folds them in for the next one,
            # and one that met shards of an earlier layout (or without a current span) writes them anew
            try:
                self.compact_index()
            except (StoreError, OSError):
                pass  # the entries are in the journal; a later close folds them
        self.closed = True
        self._caches.clear()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    # ------------------------------------------------------------------ paths and locks

    def incident_path(self, incident_id: str) -> Path:
        path = self._paths.get(incident_id)
        if path is None:
            if len(self._paths) >= PATHS_KEPT:
                self._paths.clear()
            path = self._paths[incident_id] = layout.incident_path(self.path, incident_id)
        return path

    def _previous_path(self, incident_id: str) -> Path:
        return layout.previous_of(self.incident_path(incident_id))

    def _lock(self, name: str, what: str):
        path = self._lock_paths.get(name)
        if path is None:
            path = self._lock_paths[name] = layout.lock_path(self.path, name)
        return hold(path, what, self.lock_timeout)

    def _incident_lock(self, incident_id: str):
        return self._lock(layout.incident_lock_name(incident_id), f"incident {incident_id} in {self.path}")

    def _index_lock(self):
        return self._lock("index", f"the index of {self.path}")

    # ------------------------------------------------------------------ ids

    @os_errors("allocate an incident id in", saved=False)
    def allocate_id(self, year: int) -> str:
        """The next free id of `year` (INC-2025-001...), unique across processes."""
        self._before_write()
        with self._lock("ids", f"id allocation in {self.path}"):
            number = id_counter.take_next_number(self.path, year, self.notices)
        return format_incident_id(year, number)

    # ------------------------------------------------------------------ reads

    def exists(self, incident_id: str) -> bool:
        try:
            return self.incident_path(incident_id).is_file()
        except NotFound:
            return False

    def get(self, incident_id: str) -> Incident:
        """The full incident as last saved by any process."""
        return self._to_incident(self._read_stored(incident_id))

    def view(self, incident_id: str) -> IncidentView:
        """What `show` prints of the incident as last saved. Read from its file without the models when the
        file holds what the desk sealed (its audit chain's head matches); any other file is validated as
        `get` does, so a damaged one raises the same DamagedFile."""
        stored = self._read_stored(incident_id)
        try:
            stored.check_sealed()
            return IncidentView.from_document(stored.core, len(stored.timeline), len(stored.communications))
        except Exception:  # not sealed, or not of the shape the desk writes (a malformed audit trail too)
            return IncidentView.of(self._to_incident(stored))

    @os_errors("read")
    def _read_stored(self, incident_id: str) -> incident_file.StoredIncident:
        path = self.incident_path(incident_id)
        try:
            return incident_file.read_stored(path, incident_id)
        except FileNotFoundError:
            raise NotFound(f"no incident {incident_id} in workspace {self.path}") from None
        except DamagedFile as damage:
            raise damage.with_backup(self.backup_for(path, incident_id)) from None

    def _read_sealed(self, incident_id: str) -> incident_file.StoredIncident:
        """Read an incident to write over it: refused (TamperedFile) unless its audit chain's head seals it."""
        stored = self._read_stored(incident_id)
        try:
            stored.check_sealed()
        except DamagedFile as damage:
            raise damage.with_backup(self.backup_for(stored.path, incident_id)) from None
        return stored

    def _to_incident(self, stored: incident_file.StoredIncident) -> Incident:
        try:
            return stored.to_incident()
        except DamagedFile as damage:
            raise damage.with_backup(self.backup_for(stored.path, stored.core["id"])) from None

    @os_errors("read")
    def incident_ids(self) -> list[str]:
        """Ids of every incident file in the workspace, in order."""
        return layout.incident_ids(self.path)

    def iter_incidents(self) -> Iterator[Incident]:
        """Every incident, fully loaded, in id order. A damaged file raises DamagedFile (never skipped)."""
        for incident_id in self.incident_ids():
            try:
                yield self.get(incident_id)
            except NotFound:
                continue

    @os_errors("read")
    def list_summaries(self) -> list[IncidentSummary]:
        """One summary per incident, in id order, from the index; files changed since they were indexed are
        re-summarised from disk, so the list equals `summarize(get(id))` for every incident."""
        return self.query_summaries(EVERYTHING)

    def query_summaries(self, query: SummaryQuery = EVERYTHING) -> list[IncidentSummary]:
        """The summaries of the incidents `query` selects, in id order, as current as `list_summaries`. The
        filters run on the index's documents: only the incidents returned are built (and checked by stat)."""
        return query_summaries(self.path, self._caches, query, index_lock=self._index_lock, notices=self.notices)

    def list_rows(self, query: SummaryQuery = EVERYTHING, *, newest_first: bool = False,
                  limit: int = 0) -> list[IncidentRow]:
        """What a list of incidents prints (`IncidentRow`), for the incidents `query` selects, from the index's
        rows alone: as current as `list_summaries`, without building any summary."""
        return list_rows(self.path, self._caches, query, newest_first=newest_first, limit=limit,
                         index_lock=self._index_lock, notices=self.notices)

    def iter_summaries(self, query: SummaryQuery = EVERYTHING, *, newest_first: bool = False,
                       limit: int = 0) -> Iterator[IncidentSummary]:
        """The summaries `query` selects, built one at a time as they are consumed and not remembered (for
        output that streams), in id order or newest first, at most `limit` (0: all)."""
        return iter_summaries(self.path, self._caches, query, newest_first=newest_first, limit=limit,
                              index_lock=self._index_lock, notices=self.notices)

    # ------------------------------------------------------------------ writes

    @os_errors("save", saved=False)
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

    @os_errors("save", saved=False)
    def update(self, incident_id: str, change: Callable[[Incident], object], *, actor: str, action: str,
               expected_revision: int | None = None) -> Incident:
        """Load the latest, apply `change(incident)` in place, save as the next revision with an audit record.

        StaleRevision if `expected_revision` is given and is no longer the latest. An exception raised by
        `change` writes nothing. A change that changes nothing writes nothing and returns the incident."""
        self._before_write()
        with self._incident_lock(incident_id):
            stored = self._read_sealed(incident_id)
            if expected_revision is not None and expected_revision != stored.revision:
                records = [AuditRecord.from_doc(d) for _, d in sorted(stored.audit_docs.items(), key=lambda i: int(i[0]))]
                message = audit.describe_changes_since(incident_id, records, expected_revision)
                raise StaleRevision(f"{message}; reload and try again", incident_id=incident_id,
                                    expected=expected_revision, actual=stored.revision)
            incident = self._to_incident(stored)
            before = incident.model_dump(mode="json")
            change(incident)
            incident, after = self._checked_with_doc(incident)
            if incident.id != incident_id:
                raise DomainError(f"the id of {incident_id} cannot change (got {incident.id})")
            changed = audit.changed_paths(before, after)
            if not changed:
                return incident
            incident.revision = after["revision"] = stored.revision + 1
            self._save(incident, previous=stored, actor=actor, action=action, changed=changed, doc=after)
        self._changes.publish(StoreChange(incident_id, incident.revision, action, actor))
        return incident

    @os_errors("save", saved=False)
    def append_event(self, incident_id: str, event: TimelineEvent, *, actor: str) -> int:
        """Append one timeline event durably; return the new revision. Rewrites only the incident's own file
        (the index is not touched; lists pick the change up by file stat)."""
        self._before_write()
        path = self.incident_path(incident_id)
        with self._incident_lock(incident_id):
            try:
                base = index.stamp_of(os.stat(path))  # under the lock: the version append_event reads
                stored, stat = incident_file.append_event(path, incident_id, event, actor=actor,
                                                          keep_previous=self._previous_path(incident_id))
            except FileNotFoundError:
                raise NotFound(f"no incident {incident_id} in workspace {self.path}") from None
            except DamagedFile as damage:
                raise damage.with_backup(self.backup_for(path, incident_id)) from None
            index_maintenance.index_delta(self.path, incident_id, base, index.stamp_of(stat),
                                          {"revision": stored.revision, "timeline_count": len(stored.timeline)},
                                          index_lock=self._index_lock)
        self._changes.publish(StoreChange(incident_id, stored.revision, "timeline.add", actor))
        return stored.revision

    @os_errors("save", saved=False)
    def import_incident(self, incident: Incident, *, actor: str, replace: bool = False, detail: str = "") -> Incident:
        """Store an incident from an export. An existing id is refused unless `replace`, which saves it as the
        next revision of the stored one (audited as `import`)."""
        self._before_write()
        incident = self._checked(incident.model_copy(deep=True))
        with self._incident_lock(incident.id):
            if not self.incident_path(incident.id).exists():
                incident.revision = 1
                self._save(incident, previous=None, actor=actor, action="import", changed=["incident"],
                           detail=detail)
            elif not replace:
                raise DuplicateId(f"{incident.id} already exists in workspace {self.path}; "
                                  "import with replace to overwrite it")
            else:
                stored = self._read_sealed(incident.id)
                before = self._to_incident(stored).model_dump(mode="json")
                changed = audit.changed_paths(before, incident.model_dump(mode="json")) or ["incident"]
                incident.revision = stored.revision + 1
                self._save(incident, previous=stored, actor=actor, action="import", changed=changed, detail=detail)
        self._changes.publish(StoreChange(incident.id, incident.revision, "import", actor))
        return incident

    def _checked(self, incident: Incident) -> Incident:
        from pydantic import ValidationError

        from ..domain import Incident
        from ..domain.operations import describe_validation_error

        try:
            return Incident.model_validate(incident.model_dump())
        except ValidationError as error:
            raise DomainError(describe_validation_error(error)) from None

    def _checked_with_doc(self, incident: Incident) -> tuple[Incident, dict]:
        """The incident validated as a whole (changes made in place, such as appending to a list, are not
        validated on assignment), and its JSON-mode dump."""
        checked = self._checked(incident)
        return checked, checked.model_dump(mode="json")

    def _save(self, incident: Incident, *, previous: incident_file.StoredIncident | None, actor: str,
              action: str, changed: list[str], detail: str = "", doc: dict | None = None) -> None:
        """Write incident + audit record, then its summary; a durable intent line in the index journal covers
        a crash in between (`index_journal`). Caller holds the incident lock."""
        try:
            index_maintenance.announce_write(self.path, incident.id, index_lock=self._index_lock)
            marker = None
        except (OSError, StoreError):  # the journal cannot be written: a marker file stands in for the intent
            marker = index_maintenance.place_marker(self.path, incident.id)
        path = self.incident_path(incident.id)
        if previous is None:  # the first file of its year may need the year's folder
            path.parent.mkdir(parents=True, exist_ok=True)
        _, stat = incident_file.write_whole(path, incident, previous=previous, actor=actor, action=action,
                                            changed=changed, keep_previous=self._previous_path(incident.id),
                                            detail=detail, doc=doc)
        from ..domain import summarize

        try:  # the change is saved now; the index is derived and its intent line gets it repaired
            self._index_summary(incident.id, summarize(incident), index.stamp_of(stat), durable=marker is not None)
            if marker is not None:
                marker.unlink()
        except (OSError, StoreError) as error:
            reason = describe_os_error(error, "update the index") if isinstance(error, OSError) else str(error)
            self.notices.append(f"{incident.id} was saved to {path}, but {reason}; the index "
                                "is brought up to date the next time the workspace is opened with write access")

    def _index_summary(self, incident_id: str, summary: IncidentSummary, stamp: index.Stamp, *,
                       durable: bool = True) -> None:
        index_maintenance.index_summary(self.path, incident_id, summary, stamp, index_lock=self._index_lock,
                                        notices=self.notices, durable=durable)

    def _before_write(self) -> None:
        if self.closed:
            raise StoreError(f"workspace {self.path} is closed")
        if self.upgrade_needed:
            raise StoreError(f"{self.upgrade_needed}; nothing was saved")
        if self._wrote:
            return
        self._wrote = True  # the daily snapshot and the clean-up of crashed writers' temp files run at close

    def snapshot_if_due(self) -> Path | None:
        """Take the automatic snapshot if the newest is older than a day (or there is none); return it.
        Runs when a workspace that wrote closes, off the write path; a long-running process (the window,
        `watch`) may call it now and then."""
        if not self.auto_backup:
            return None
        newest = next(iter(self.backups()), None)
        if newest is None or datetime.now(timezone.utc) - backups.snapshot_time(newest) > AUTO_BACKUP_AGE:
            return self.backup()
        return None

    # ------------------------------------------------------------------ index

    @os_errors("rebuild the index", saved=False)
    def reindex(self) -> int:
        """Rebuild the whole index from the incident files; return the number of incidents indexed."""
        count = index_maintenance.reindex(self.path, index_lock=self._index_lock, notices=self.notices)
        self._caches.clear()
        return count

    def compact_index(self) -> int:
        """Fold the index journal into the shards now (and write any shard read in an earlier layout in the
        current one); return the number of entries folded."""
        folded = index_maintenance.fold_journal(self.path, index_lock=self._index_lock, notices=self.notices,
                                                rewrite=sorted(self._caches.outdated))
        self._caches.outdated.clear()
        return folded

    # ------------------------------------------------------------------ damage and restore

    def backup_for(self, path: Path, incident_id: str | None = None) -> Path | None:
        """The newest intact copy of a workspace file: its previous generation, else a snapshot."""
        return recovery.backup_for(self.path, path, incident_id)

    @os_errors("restore", saved=False)
    def restore(self, incident_id: str, source: Path | None = None) -> Path:
        """Replace a damaged incident file by `source` (default: `backup_for`). The damaged file is moved to
        `damaged/` with its bytes unchanged; returns where it went. An intact file is refused: putting an
        older copy over it would silently undo audited changes."""
        self._before_write()
        path = self.incident_path(incident_id)
        with self._incident_lock(incident_id):
            if path.exists() and recovery.intact(path, incident_id):
                raise StoreError(f"{incident_id} is not damaged ({path} reads correctly); nothing to restore")
            stored, aside, stat = recovery.put_back(self.path, path, incident_id, source)
            from ..domain import summarize

            self._index_summary(incident_id, summarize(stored.to_incident()), index.stamp_of(stat))
        self._changes.publish(StoreChange(incident_id, stored.revision, "restore", "store"))
        return aside

    # ------------------------------------------------------------------ audit

    def audit_trail(self, incident_id: str) -> list[AuditRecord]:
        stored = self._read_stored(incident_id)
        return [AuditRecord.from_doc(doc) for _, doc in sorted(stored.audit_docs.items(), key=lambda i: int(i[0]))]

    def audit_head(self, incident_id: str) -> str:
        return self._read_stored(incident_id).head_hash

    def sealed_export(self, incident_id: str) -> tuple[dict, list[dict]]:
        """The incident exactly as stored (core with its timeline and communications) and its audit records
        in order, for an export; refused (TamperedFile) when the stored state is not what the chain sealed."""
        stored = self._read_sealed(incident_id)
        self._to_incident(stored)  # refuses a file that is not a valid incident
        trail = [doc for _, doc in sorted(stored.audit_docs.items(), key=lambda item: int(item[0]))]
        return {**stored.core, "timeline": stored.timeline, "communications": stored.communications}, trail

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

    def verify_chains(self, *, references: Sequence[verification.Reference] = (), cache_path: Path | None = None,
                      full: bool = False, only: str | None = None) -> verification.WorkspaceVerification:
        """Verify every audit chain fast (hashes only, no model validation), incrementally unless `full`,
        and against the reference checkpoints (see `verification`)."""
        from . import verification  # a process pool: imported by the commands that verify, not by every one

        return verification.verify_workspace(self.path, references=list(references), cache_path=cache_path,
                                             full=full, only=only)

    def checkpoint_log(self) -> checkpoints.CheckpointLog:
        return checkpoints.read_log(self.path)

    def checkpoint_heads(self, entry: dict) -> checkpoints.Heads:
        return checkpoints.read_heads(self.path, entry)

    def checkpoint_reference(self, entry: dict, label: str) -> verification.Reference:
        """A checkpoint to verify against; its heads are parsed only when needed (DamagedFile when its heads
        file is not what the checkpoint sealed)."""
        from . import verification

        return verification.Reference(label, entry["heads_digest"], raw=checkpoints.read_heads_bytes(self.path, entry))

    def add_checkpoint(self, heads: checkpoints.Heads, *, actor: str, at: datetime,
                       seal: Callable[[dict], dict]) -> dict:
        """Append a checkpoint of `heads`; `seal(line)` returns the line with its signer and signature added
        (or unchanged for an unsigned checkpoint). Serialised across processes by the checkpoint lock."""
        with self._lock("checkpoints", f"the checkpoint log of {self.path}"):
            entry = seal(checkpoints.prepare(self.path, heads, actor=actor, at=at))
            return checkpoints.append(self.path, entry, heads)

    # ------------------------------------------------------------------ backups

    @os_errors("back up", saved=False)
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
