"""The incident file names of each year folder, grouped by index shard, listed once and reused while the folder
is unchanged: within a process, and across processes through `index/listing-YYYY.json`.

A list must find incident files the index does not know yet (written but never indexed, copied in by hand),
so it compares the names on disk with the index. Listing a folder of 50,000 files and grouping the names by
shard costs about 50 ms, more than the rest of a windowed query; the folder's stamp (inode, modification
time, size) changes whenever a file is created, renamed or removed in it, so a listing taken under the same
stamp is still exact. A listing is reused only if it was taken long enough after the folder last changed
that a later change cannot share the folder's time stamp: 2 s on a file system that keeps whole seconds, 100
ms where the stamp shows sub-second precision (the file system's clock ticks every few milliseconds). The
names are checked only by prefix here; the caller checks each one it uses against the id grammar.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from . import layout
from .index import SHARD_SIZE
from .storage import atomic_write_bytes

SETTLED_NS = 2_000_000_000
SETTLED_FINE_NS = 100_000_000
#: bucket of the names that are not incident ids (the caller reports them)
NOT_AN_ID = -1
FolderStamp = tuple[int, int, int]


@dataclass
class FolderListing:
    """One year folder's names by shard bucket (sequence // 500), and the stamp they were listed under."""

    stamp: FolderStamp
    buckets: dict[int, frozenset[str]]
    settled: bool
    _names: frozenset[str] | None = field(default=None, repr=False)

    @property
    def names(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset().union(*self.buckets.values())
        return self._names


def folder_listings(root: Path, cache: dict[str, FolderListing]) -> dict[str, FolderListing]:
    """year -> listing of every year folder of `root/incidents`, reusing `cache` (this process's listings)
    and the saved listings where a folder is unchanged; a fresh, settled listing is saved for the next process."""
    base = f"{root}/incidents"
    try:
        years = [year for year in os.listdir(base) if year.isdigit()]
    except FileNotFoundError:
        return {}
    listings: dict[str, FolderListing] = {}
    for year in years:
        try:
            stat = os.stat(f"{base}/{year}")
        except FileNotFoundError:
            continue
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        listing = cache.get(year)
        if listing is None or listing.stamp != stamp or not listing.settled:
            listing = cache[year] = _listing(root, year, stamp)
        listings[year] = listing
    for gone in cache.keys() - listings.keys():
        del cache[gone]
    return listings


def saved_path(root: Path, year: str) -> Path:
    return root / "index" / f"listing-{year}.json"


def _settled(mtime_ns: int) -> bool:
    """Whether a change to the folder after now is sure to change its modification time."""
    age = time.time_ns() - mtime_ns
    return age >= SETTLED_NS or (age >= SETTLED_FINE_NS and mtime_ns % 1_000_000_000 != 0)


def _listing(root: Path, year: str, stamp: FolderStamp) -> FolderListing:
    settled = _settled(stamp[1])
    if settled:
        saved = _load(saved_path(root, year), stamp)
        if saved is not None:
            return FolderListing(stamp, saved, settled=True)
    buckets: dict[int, set[str]] = {}
    for name in layout.ids_in_folder(root, year):
        number = name[9:]
        bucket = int(number) // SHARD_SIZE if number.isdigit() and number.isascii() else NOT_AN_ID
        buckets.setdefault(bucket, set()).add(name)
    listing = FolderListing(stamp, {bucket: frozenset(names) for bucket, names in buckets.items()}, settled)
    if settled:
        _save(saved_path(root, year), listing)
    return listing


def _load(path: Path, stamp: FolderStamp) -> dict[int, frozenset[str]] | None:
    """The saved buckets if they were listed under `stamp`; None if absent, of another stamp or unreadable."""
    try:
        with open(path, "rb") as handle:
            data = orjson.loads(handle.read())
        if tuple(data["stamp"]) != stamp:
            return None
        # (a name that is not text is reported by the caller's id check like any other stray name)
        return {int(bucket): frozenset(names) for bucket, names in data["buckets"].items()}
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _save(path: Path, listing: FolderListing) -> None:
    """Save a listing for the next process (a cache: not synced, and a reader that cannot write goes on)."""
    data = {"stamp": list(listing.stamp), "buckets": {str(b): list(names) for b, names in listing.buckets.items()}}
    try:
        atomic_write_bytes(path, orjson.dumps(data), fsync=False)
    except OSError:
        pass
