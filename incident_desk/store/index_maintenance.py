"""Keeping the summary index in step with the incident files: recording one summary (a journal line),
folding the journal into the shards, rebuilding a damaged shard or the whole index from the incident files,
and finishing writes a crash interrupted between an incident file and the index (their intent markers).

Every problem met is appended to `notices` (the workspace's list) as one line; nothing is dropped silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..domain import incident_number
from ..domain.validation import is_incident_id
from . import incident_file, index, index_journal, layout, recovery
from .errors import DamagedFile
from .locks import NOFOLLOW, try_hold
from .storage import fsync_dir

if TYPE_CHECKING:
    from ..domain import IncidentSummary

IndexLock = Callable[[], AbstractContextManager[None]]


def summarize_file(path: Path, incident_id: str) -> tuple[IncidentSummary, index.Stamp]:
    """The summary of an incident file and the stamp of the version read. FileNotFoundError, DamagedFile."""
    from ..domain import summarize

    stored, stat = incident_file.read_stored_with_stamp(path, incident_id)
    return summarize(stored.to_incident()), index.stamp_of(stat)


def damage_note(root: Path, damage: DamagedFile, path: Path, incident_id: str) -> str:
    return str(damage.with_backup(recovery.backup_for(root, path, incident_id)))


def index_summary(root: Path, incident_id: str, summary: IncidentSummary, stamp: index.Stamp, *,
                  index_lock: IndexLock, notices: list[str], durable: bool = True) -> None:
    """Record one summary in the index (a journal line, durable unless an intent line already covers it; the
    caller holds the incident's lock)."""
    with index_lock():
        index_journal.append(root, [index_journal.line_for(incident_id, index.summary_doc(summary), stamp)],
                             durable=durable)


def announce_write(root: Path, incident_id: str, *, index_lock: IndexLock) -> None:
    """The durable intent line a write of the incident's file starts with (the caller holds its lock)."""
    with index_lock():
        index_journal.append(root, [index_journal.intent_line(incident_id)], durable=True)


def place_marker(root: Path, incident_id: str) -> Path:
    """The intent as a marker file in `intents/`, for when the journal cannot be written (an unreadable or
    locked index): durable before the incident file is written; the writer removes it after its entry."""
    marker = layout.intent_path(root, incident_id)
    os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | NOFOLLOW, 0o644))
    fsync_dir(marker.parent)
    return marker


def index_delta(root: Path, incident_id: str, base: index.Stamp, stamp: index.Stamp, changes: dict[str, Any], *,
                index_lock: IndexLock) -> None:
    """Record that the incident file went from `base` to `stamp` changing only these summary fields."""
    with index_lock():
        index_journal.append(root, [index_journal.delta_line(incident_id, base, stamp, changes)])


def fold_journal(root: Path, *, index_lock: IndexLock, notices: list[str], rewrite: Iterable[str] = ()) -> int:
    """Move the journal's entries into their shards (one atomic write per shard touched) and empty it; the
    shards named in `rewrite` (read in an earlier layout) are written in the current one too. Returns the
    number of entries folded. A damaged shard met on the way is rebuilt from the incident files."""
    with index_lock():
        state = index_journal.refresh(root, index_journal.JournalState(), notices)
        touched: dict[str, list[str]] = {name: [] for name in rewrite}
        for incident_id in [*state.entries, *state.deltas]:
            touched.setdefault(index.shard_name(incident_id), []).append(incident_id)
        for name in sorted(touched):
            shard = root / "index" / name
            if not touched[name] and not shard.exists():
                continue
            try:
                view = cast("dict[str, index_journal.Entry]",
                            index.rows_from_bytes(shard.read_bytes(), shard) if shard.exists() else {})
            except DamagedFile as damage:
                _rebuild_shard_locked(root, shard, damage.reason, notices)  # from the files: newer than the journal
                continue
            overlay = index_journal.JournalState(
                entries={i: state.entries[i] for i in touched[name] if i in state.entries},
                deltas={i: state.deltas[i] for i in touched[name] if i in state.deltas})
            overlay.apply_to(view)
            index.write_shard_rows(shard, {incident_number(i)[1]: (row, stamp) for i, (row, stamp) in view.items()
                                           if row is not None})
        index_journal.clear(root, keep=tuple(index_journal.intent_line(i) for i in sorted(state.pending)))
        return sum(len(ids) for ids in touched.values())


def repair_interrupted_writes(root: Path, *, index_lock: IndexLock, notices: list[str],
                              journal: index_journal.JournalState | None = None) -> None:
    """Re-summarise incidents whose write was interrupted between incident file and index entry: an intent
    line of the journal with no entry from its writer (or a marker in `intents/`, as earlier versions left
    them). A write still going on holds the incident's lock: it is left alone.

    Another process may finish its write at any moment between the reading and the lock: an intent (or
    marker) that is gone once the lock is held means there is nothing left to repair."""
    state = journal if journal is not None else index_journal.JournalState()
    try:
        index_journal.refresh(root, state, notices)
    except OSError:
        state.pending.clear()  # an unreadable journal: every reader judges on the files; nothing to settle here
    for incident_id in sorted(state.pending):
        _settle(root, incident_id, index_lock, notices,
                still_open=partial(_still_pending, root, state, incident_id, notices))
    try:
        markers = sorted((root / "intents").iterdir())
    except FileNotFoundError:
        return
    for marker in markers:
        if is_incident_id(marker.name):
            _settle(root, marker.name, index_lock, notices, still_open=marker.exists, marker=marker)


def _still_pending(root: Path, state: index_journal.JournalState, incident_id: str, notices: list[str]) -> bool:
    return incident_id in index_journal.refresh(root, state, notices).pending


def _settle(root: Path, incident_id: str, index_lock: IndexLock, notices: list[str], *,
            still_open: Callable[[], bool], marker: Path | None = None) -> None:
    lock = try_hold(layout.lock_path(root, layout.incident_lock_name(incident_id)))
    if lock is None:
        return  # its writer is alive and still working (or the workspace is read-only)
    try:
        if not still_open():
            return  # its writer finished between our reading and our lock
        path = layout.incident_path(root, incident_id)
        try:
            summary, stamp = summarize_file(path, incident_id)
        except FileNotFoundError:
            summary = None
        except DamagedFile as damage:
            notices.append(damage_note(root, damage, path, incident_id))
            return
        try:
            if summary is None:
                with index_lock():
                    index_journal.append(root, [index_journal.line_for(incident_id, None, None)], durable=True)
            else:
                index_summary(root, incident_id, summary, stamp, index_lock=index_lock, notices=notices)
            if marker is not None:
                marker.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only workspace: readers judge this incident on its file until a writer settles it
    finally:
        lock.release()


def shard_damage(shard: Path) -> str | None:
    """Why a shard file is damaged, or None if it is intact (or missing)."""
    try:
        if shard.exists():
            index.rows_from_bytes(shard.read_bytes(), shard)  # the same check the reader applies
    except OSError as error:
        return f"unreadable ({error.strerror})"
    except DamagedFile as damage:
        return damage.reason
    return None


def rebuild_damaged_shard(root: Path, shard: Path, reason: str, *, index_lock: IndexLock,
                          notices: list[str]) -> None:
    """Rebuild a shard a reader found damaged, unless another process has rebuilt it meanwhile."""
    with index_lock():
        if shard_damage(shard) is not None:
            _rebuild_shard_locked(root, shard, reason, notices)


def _rebuild_shard_locked(root: Path, shard: Path, reason: str, notices: list[str]) -> None:
    aside = recovery.move_aside(shard, root / "index" / "damaged")
    entries = _summaries_for_shard(root, shard.name, notices)
    index.write_shard(shard, entries)
    notices.append(f"index file {shard} was damaged ({reason}); it was kept untouched as {aside} "
                   f"and rebuilt from {len(entries)} incident file(s)")


def _summaries_for_shard(root: Path, shard_name: str,
                         notices: list[str]) -> dict[int, tuple[IncidentSummary, index.Stamp]]:
    year, first, last = index.shard_range(shard_name)
    entries: dict[int, tuple[IncidentSummary, index.Stamp]] = {}
    for incident_id in layout.incident_ids(root):
        y, seq = incident_number(incident_id)
        if y != year or not first <= seq <= last:
            continue
        path = layout.incident_path(root, incident_id)
        try:
            entries[seq] = summarize_file(path, incident_id)
        except FileNotFoundError:
            continue
        except DamagedFile as damage:
            notices.append(f"{damage_note(root, damage, path, incident_id)} (left out of the rebuilt index)")
    return entries


def reindex(root: Path, *, index_lock: IndexLock, notices: list[str]) -> int:
    """Rebuild the whole index from the incident files; return the number of incidents indexed."""
    with index_lock():
        shards: dict[str, dict[int, tuple[IncidentSummary, index.Stamp]]] = {}
        for incident_id in layout.incident_ids(root):
            path = layout.incident_path(root, incident_id)
            try:
                entry = summarize_file(path, incident_id)
            except FileNotFoundError:
                continue
            except DamagedFile as damage:
                notices.append(f"{damage_note(root, damage, path, incident_id)} (left out of the index)")
                continue
            shards.setdefault(index.shard_name(incident_id), {})[incident_number(incident_id)[1]] = entry
        index_dir = root / "index"
        for old in [*index_dir.glob("summaries-*.json"), *index_dir.glob("summaries-*.span")]:
            if old.with_suffix(".json").name not in shards:
                old.unlink()
        for name, entries in shards.items():
            shard = index_dir / name
            if shard_damage(shard) is not None:
                recovery.move_aside(shard, index_dir / "damaged")
            index.write_shard(shard, entries)
        index_journal.clear(root)
        return sum(len(e) for e in shards.values())
