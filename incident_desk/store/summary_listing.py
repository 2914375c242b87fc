"""Listing incident summaries fast: index shards read through a cache validated by file stat, and incident
files changed since they were indexed (timeline appends) re-summarised from disk, so a list is never stale.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..domain import IncidentSummary
from ..domain.incident import incident_number
from ..domain.validation import id_problem
from . import index, index_maintenance, layout
from .errors import DamagedFile
from .index_maintenance import IndexLock


@dataclass
class SummaryCaches:
    """What one Workspace has already parsed, each keyed to the stamp of the file it came from."""

    shards: dict[Path, tuple[index.Stamp, list[index.Entry]]] = field(default_factory=dict)
    fresh: dict[str, tuple[index.Stamp, IncidentSummary]] = field(default_factory=dict)

    def clear(self) -> None:
        self.shards.clear()
        self.fresh.clear()


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def list_summaries(root: Path, caches: SummaryCaches, *, index_lock: IndexLock,
                   notices: list[str]) -> list[IncidentSummary]:
    """One summary per incident file, in id order; equal to `summarize` of each incident as stored."""
    with _gc_paused():  # it builds ~100k small objects: the cyclic GC alone would double the time
        return _list_summaries(root, caches, index_lock, notices)


def _list_summaries(root: Path, caches: SummaryCaches, index_lock: IndexLock,
                    notices: list[str]) -> list[IncidentSummary]:
    result: list[IncidentSummary] = []
    incidents_dir = str(root / "incidents")
    for shard in sorted((root / "index").glob("summaries-*.json")):
        for incident_id, summary, stamp in read_shard(root, shard, caches, index_lock=index_lock, notices=notices):
            path = f"{incidents_dir}/{incident_id[4:8]}/{incident_id}.json"
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue  # removed since it was indexed
            if (stat.st_ino, stat.st_size, stat.st_mtime_ns) != stamp:
                summary = summary_from_file(root, incident_id, caches, notices) or summary
            result.append(summary)
    listed = {s.id for s in result}
    unindexed = []
    for name in layout.ids_on_disk(root):
        if name in listed:
            continue
        problem = id_problem(name)
        if problem is None:
            unindexed.append(name)
        else:
            note = (f"skipped a file in {root / 'incidents'} whose name is not an incident id "
                    f"({problem.split(':')[0]}); rename or remove it")
            if note not in notices:
                notices.append(note)
    for incident_id in unindexed:  # written but never indexed (index lost or a write interrupted)
        summary = summary_from_file(root, incident_id, caches, notices)
        if summary is not None:
            result.append(summary)
    if unindexed:
        result.sort(key=lambda s: incident_number(s.id))
    return result


def summary_from_file(root: Path, incident_id: str, caches: SummaryCaches,
                      notices: list[str]) -> IncidentSummary | None:
    """The summary of the incident file as it is now; None if it is gone or damaged (noted in `notices`)."""
    path = layout.incident_path(root, incident_id)
    try:
        current = index.stamp_of(os.stat(path))
        cached = caches.fresh.get(incident_id)
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
    caches.fresh[incident_id] = (stamp, summary)
    return summary


def read_shard(root: Path, shard: Path, caches: SummaryCaches, *, index_lock: IndexLock,
               notices: list[str]) -> list[index.Entry]:
    """The entries of one shard; a damaged shard is rebuilt from the incident files first."""
    try:
        with open(shard, "rb") as handle:
            key = index.stamp_of(os.fstat(handle.fileno()))
            cached = caches.shards.get(shard)
            if cached and cached[0] == key:
                return cached[1]
            raw = handle.read()
    except FileNotFoundError:
        return []
    try:
        entries = index.entries_from_bytes(raw, shard)
    except (DamagedFile, ValidationError, AttributeError, TypeError) as error:
        reason = error.reason if isinstance(error, DamagedFile) else f"valid JSON but not summaries ({error})"
        index_maintenance.rebuild_damaged_shard(root, shard, reason, index_lock=index_lock, notices=notices)
        caches.shards.pop(shard, None)
        if index_maintenance.shard_damage(shard) is not None:
            return []
        return read_shard(root, shard, caches, index_lock=index_lock, notices=notices)
    caches.shards[shard] = (key, entries)
    return entries
