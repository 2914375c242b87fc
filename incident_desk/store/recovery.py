"""Recovery from damage and crashes: finding an intact copy of a workspace file, moving damaged files aside
with their bytes untouched, putting a backup back in place, and removing temp files a crashed writer left.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from . import backups, incident_file, layout
from .errors import DamagedFile, StoreError
from .storage import atomic_write_bytes, fsync_dir, read_tinydb_file

STALE_TEMP_AGE = 600.0


def move_aside(path: Path, folder: Path) -> Path:
    """Move a damaged file out of the way without changing a byte of it; return where it went."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = folder / f"{path.name}.{stamp}.damaged"
    os.replace(path, aside)
    fsync_dir(path.parent)
    return aside


def backup_for(root: Path, path: Path, incident_id: str | None = None) -> Path | None:
    """The newest intact copy of a workspace file: its previous generation, else a snapshot."""
    candidates = []
    if incident_id is not None:
        candidates.append(layout.previous_path(root, incident_id))
    candidates += _snapshot_candidates(root, path)
    for candidate in candidates:
        if intact(candidate, incident_id):
            return candidate
    return None


def snapshot_copy_of(root: Path, path: Path) -> Path | None:
    """The copy of a workspace file in the newest snapshot that has one, intact or not."""
    for candidate in _snapshot_candidates(root, path):
        if candidate.is_file():
            return candidate
    return None


def _snapshot_candidates(root: Path, path: Path) -> list[Path]:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return []
    return [snapshot / rel for snapshot in backups.list_snapshots(root / "backups")]


def intact(candidate: Path, incident_id: str | None) -> bool:
    """Whether `candidate` reads as a TinyDB file (as incident `incident_id`, if given, sealed by the head
    of its audit chain: a hand-edited copy is neither intact nor a backup)."""
    try:
        if incident_id is None:
            return read_tinydb_file(candidate) is not None
        stored = incident_file.read_stored(candidate, incident_id)
        stored.check_sealed()
        stored.to_incident()
        return True
    except (OSError, DamagedFile):
        return False


def put_back(root: Path, path: Path, incident_id: str,
             source: Path | None) -> tuple[incident_file.StoredIncident, Path, os.stat_result]:
    """Replace incident file `path` by `source` (default: `backup_for`), moving the current file to
    `damaged/`. Returns what was restored, where the old file went and the new file's stat. Caller holds
    the incident lock."""
    source = source or backup_for(root, path, incident_id)
    if source is None or not intact(Path(source), incident_id):
        raise StoreError(f"no intact backup to restore {incident_id} from ({path})")
    stored, _ = incident_file.read_stored_with_stamp(Path(source), incident_id)
    aside = move_aside(path, root / "damaged") if path.exists() else path
    raw = Path(source).read_bytes()
    stat = atomic_write_bytes(path, raw)
    return stored, aside, stat


def clean_stale_temp_files(root: Path) -> None:
    """Delete what a crashed writer left, once older than STALE_TEMP_AGE seconds (a live writer's are
    younger): temp files it never renamed, hard links it never moved into `.prev/`, and snapshot folders
    it never completed (`backups/.partial-*`)."""
    cutoff = time.time() - STALE_TEMP_AGE
    year_dirs = [d for d in (root / "incidents").glob("*") if d.is_dir()]
    for folder in [root, root / "index", *year_dirs]:
        for tmp in folder.glob(".*.tmp"):
            _remove_if_older(tmp, cutoff)
    for year_dir in year_dirs:
        for link in (year_dir / ".prev").glob(".*.lnk"):
            _remove_if_older(link, cutoff)
    for partial in (root / "backups").glob(f"{backups.PARTIAL_PREFIX}*"):
        try:
            if partial.is_dir() and not partial.is_symlink() and partial.lstat().st_mtime < cutoff:
                shutil.rmtree(partial)
        except OSError:
            pass


def _remove_if_older(path: Path, cutoff: float) -> None:
    try:
        if path.lstat().st_mtime < cutoff:
            path.unlink()
    except OSError:
        pass
