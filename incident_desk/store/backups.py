"""Full snapshots of a workspace folder, rotating, cheap to repeat.

A snapshot is `backups/snapshot-<UTC stamp>/` holding copies of `workspace.json`, `ids.json`, the index
and every incident file, plus `manifest.json` recording each live file's (inode, size, mtime_ns) when
copied. Files unchanged since the previous snapshot are hard-linked to that snapshot's copy (never to the
live file, so damage to a live file cannot reach a snapshot); changed files are copied. A snapshot is
built under a temporary name and renamed into place when complete, every copied file and folder fsync'd
first, so a snapshot that exists is whole on disk. Each file in it is a consistent version (live files are
only ever replaced atomically); the index in it may lag, it is rebuildable. A `.partial-*` folder left by
a crash is removed later (`recovery.clean_stale_temp_files`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import orjson

from .storage import fsync_dir

PREFIX = "snapshot-"
PARTIAL_PREFIX = ".partial-"
MANIFEST = "manifest.json"
#: audit checkpoints and the archived rules versions with their history (app.rules_archive)
EVIDENCE_FOLDERS = ("checkpoints", "rules-archive")


def snapshot_files(root: Path) -> Iterator[Path]:
    """Workspace files a snapshot holds, relative to `root`."""
    for name in ("workspace.json", "ids.json"):
        if (root / name).is_file():
            yield Path(name)
    for folder in ("index", "incidents", *EVIDENCE_FOLDERS):
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "damaged"]
            for name in filenames:
                if (name.endswith(".json") or folder in EVIDENCE_FOLDERS) and not name.startswith("."):
                    yield (Path(dirpath) / name).relative_to(root)


def list_snapshots(backups_dir: Path) -> list[Path]:
    """Complete snapshots, newest first."""
    if not backups_dir.is_dir():
        return []
    found = [p for p in backups_dir.iterdir() if p.name.startswith(PREFIX) and p.is_dir()]
    return sorted(found, key=lambda p: p.name, reverse=True)


def snapshot_time(snapshot: Path) -> datetime:
    return datetime.strptime(snapshot.name.removeprefix(PREFIX), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc)


def take_snapshot(root: Path, backups_dir: Path, keep: int) -> Path:
    """Snapshot `root` into `backups_dir` and delete all but the newest `keep` snapshots."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    partial = backups_dir / f"{PARTIAL_PREFIX}{stamp}"
    target = backups_dir / f"{PREFIX}{stamp}"
    previous = next(iter(list_snapshots(backups_dir)), None)
    old_manifest = _read_manifest(previous) if previous else {}
    manifest: dict[str, list[int]] = {}
    made_dirs: set[Path] = set()
    for rel in snapshot_files(root):
        source = root / rel
        try:
            stat = source.stat()
        except FileNotFoundError:
            continue
        key = rel.as_posix()
        destination = partial / rel
        if destination.parent not in made_dirs:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(destination.parent)
        fingerprint = [stat.st_ino, stat.st_size, stat.st_mtime_ns]
        if previous is not None and old_manifest.get(key) == fingerprint and (previous / rel).is_file():
            os.link(previous / rel, destination)
        else:
            try:
                shutil.copy2(source, destination)
            except FileNotFoundError:
                continue
            _fsync_file(destination)
        manifest[key] = fingerprint
    partial.mkdir(parents=True, exist_ok=True)
    (partial / MANIFEST).write_bytes(orjson.dumps(manifest))
    _fsync_file(partial / MANIFEST)
    for dirpath, _, _ in sorted(os.walk(partial), key=lambda item: len(Path(item[0]).parts), reverse=True):
        fsync_dir(dirpath)
    os.replace(partial, target)
    fsync_dir(backups_dir)
    for old in list_snapshots(backups_dir)[max(keep, 1):]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_manifest(snapshot: Path) -> dict[str, list[int]]:
    try:
        data = orjson.loads((snapshot / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
