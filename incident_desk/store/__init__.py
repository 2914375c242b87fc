"""Persistence on TinyDB: atomic storage, partitioned workspace, locking, revisions, audit chain, backups."""

from .audit import AuditRecord, AuditReport
from .changes import StoreChange
from .errors import DamagedFile, DuplicateId, NotFound, SchemaTooNew, StaleRevision, StoreError, WorkspaceLocked
from .schema import MIGRATIONS, SCHEMA_VERSION, migration
from .storage import AtomicJSONStorage, atomic_write_bytes, fsync_dir
from .summary_listing import EVERYTHING, SummaryQuery
from .workspace import Workspace

__all__ = [
    "EVERYTHING", "SummaryQuery", "AtomicJSONStorage", "AuditRecord", "AuditReport", "DamagedFile", "DuplicateId", "MIGRATIONS", "NotFound",
    "SCHEMA_VERSION", "SchemaTooNew", "StaleRevision", "StoreChange", "StoreError", "Workspace", "WorkspaceLocked",
    "atomic_write_bytes", "fsync_dir", "migration",
]
