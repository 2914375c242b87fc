"""Workspace schema version and the registry of migrations between versions.

`workspace.json` records `schema_version`. Opening a workspace written by a newer version raises
`SchemaTooNew`; an older one is upgraded by running `MIGRATIONS[v]` (v -> v+1) in order, after a snapshot
(unless every step pending leaves the data alone: `WITHOUT_SNAPSHOT`).
A read-only workspace cannot be upgraded: it is read as it is when its version is in `READABLE_AS_IS`.

Versions:
- 1: the first layout.
- 2 (2026-12): incidents share 64 striped lock files, and a write announces itself with an intent line in
  the index journal. A desk of version 1 would lock each incident on a file of its own and misread the
  journal, so it must not write beside this one: it now refuses the workspace ("newer than this Incident
  Desk understands"). The migration removes version 1's per-incident lock files and owner notes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from .errors import DamagedFile
from .storage import atomic_write_bytes

SCHEMA_VERSION = 2
#: versions whose files this desk reads without their migration (theirs change only how writers coordinate)
READABLE_AS_IS = frozenset({1})
APP = "incident-desk"
WORKSPACE_FILE = "workspace.json"

Migration = Callable[[Path], None]
#: from_version -> function that upgrades the workspace folder from that version to the next one.
MIGRATIONS: dict[int, Migration] = {}


#: migrations that change no incident, index or configuration file (a snapshot before them protects nothing,
#: and costs seconds to minutes on a workspace of 50,000 incidents)
WITHOUT_SNAPSHOT: set[int] = set()


def migration(from_version: int, *, snapshot: bool = True) -> Callable[[Migration], Migration]:
    """Register a migration: `@migration(1) def to_v2(root): ...`; `snapshot=False` only for one that leaves
    the workspace's data alone."""
    def register(function: Migration) -> Migration:
        MIGRATIONS[from_version] = function
        if not snapshot:
            WITHOUT_SNAPSHOT.add(from_version)
        return function
    return register


@migration(1, snapshot=False)
def _striped_incident_locks(root: Path) -> None:
    """Version 1 locked each incident on `locks/INC-....lock` (and noted its holder in `.owner`)."""
    for path in (root / "locks").glob("INC-*"):
        if path.suffix in (".lock", ".owner"):
            path.unlink(missing_ok=True)  # a planted symbolic link goes, never its target


def read_meta(root: Path) -> dict[str, Any]:
    path = root / WORKSPACE_FILE
    raw = path.read_bytes()
    try:
        meta = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise DamagedFile(path, f"not valid JSON ({error})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("schema_version"), int):
        raise DamagedFile(path, "valid JSON but has no integer 'schema_version'")
    return meta


def write_meta(root: Path, meta: dict[str, Any]) -> None:
    atomic_write_bytes(root / WORKSPACE_FILE, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def new_meta() -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION,
            "created_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), "app": APP}


def pending_migrations(version: int, target: int = SCHEMA_VERSION) -> list[tuple[int, Migration]]:
    steps = []
    for current in range(version, target):
        if current not in MIGRATIONS:
            raise RuntimeError(f"no migration registered from schema version {current} to {current + 1}")
        steps.append((current, MIGRATIONS[current]))
    return steps
