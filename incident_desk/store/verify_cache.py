"""The stamp cache of incremental `audit verify`: what the last verification found, per incident file.

One JSON document (in the user's cache folder, chosen by the caller, never in the workspace):
`{"version", "root", "references": [heads digests], "missing_pinned": [ids], "incidents": {id: entry}}`,
an entry being the flat list `[inode, size, mtime_ns, ctime_ns, revision, head hash, *pins]`:

- revision -1 marks a file that failed (always read again);
- one pin per reference checkpoint, in the order of `references`: 0 when that checkpoint does not pin the
  incident, 1 when it pins exactly the entry's head, else `[revision, record hash]`. A changed file is
  then compared with its pins without parsing the checkpoints' heads files.

The cache is trusted as much as the verification that wrote it (whoever can write it can also mark a
file verified), and only by the incremental mode; a damaged or foreign cache is ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .storage import atomic_write_bytes

CACHE_VERSION = 4
NO_STAMP = (-1, -1, -1, -1)
HEAD = 6  # entry[:4] is the stamp, entry[4] the revision, entry[5] the head hash, entry[HEAD:] the pins

#: a reference checkpoint's pin of an incident, (revision, record hash), or None when it does not pin it
Pinned = tuple[int, str] | None


@dataclass
class VerifyCache:
    loaded: bool = False
    references: list[str] = field(default_factory=list)
    missing_pinned: list[str] = field(default_factory=list)
    entries: dict[str, Any] = field(default_factory=dict)


def load(path: Path | None, root: Path) -> VerifyCache:
    if path is None:
        return VerifyCache()
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return VerifyCache()
    if (not isinstance(data, dict) or data.get("version") != CACHE_VERSION or data.get("root") != str(root)
            or not isinstance(data.get("incidents"), dict) or not isinstance(data.get("references"), list)
            or not isinstance(data.get("missing_pinned"), list)):
        return VerifyCache()
    return VerifyCache(True, data["references"], data["missing_pinned"], data["incidents"])


def save(path: Path | None, root: Path, entries: dict[str, list], references: list[str],
         missing_pinned: list[str]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, orjson.dumps({"version": CACHE_VERSION, "root": str(root), "references": references,
                                               "missing_pinned": missing_pinned, "incidents": entries}), fsync=False)
    except OSError:
        pass  # only a cache: the next verification reads more files


def entry(stamp: tuple[int, int, int, int] | None, revision: int, head: str, pins: list[Pinned]) -> list:
    """The cache entry of a file just read (revision -1 and head "" when it failed)."""
    if not any(pins):
        return [*(stamp or NO_STAMP), revision, head, *[0] * len(pins)]
    encoded: list[Any] = [0 if pin is None else 1 if revision >= 0 and pin == (revision, head) else list(pin)
                          for pin in pins]
    return [*(stamp or NO_STAMP), revision, head, *encoded]


def is_fresh(cached: Any, stat: os.stat_result, width: int) -> bool:
    """The entry verified the file with this stamp (see `chain_check.stamp_of`), and the file did not fail.
    `width`: the entry's length when its pins are to be kept, else 0 (any number of pins)."""
    try:
        return (type(cached) is list and len(cached) >= HEAD and (not width or len(cached) == width)
                and cached[0] == stat.st_ino
                and cached[3] == stat.st_ctime_ns and cached[2] == stat.st_mtime_ns and cached[1] == stat.st_size
                and type(cached[4]) is int and cached[4] >= 0 and type(cached[5]) is str)
    except TypeError:
        return False


def cached_pins(cached: Any, width: int) -> list[Pinned] | None:
    """The pins a cache entry recorded (one per reference), or None when it has none usable."""
    if type(cached) is not list or len(cached) != width:
        return None
    revision, head = cached[4], cached[5]
    pins: list[Pinned] = []
    for code in cached[HEAD:]:
        if type(code) is int and code == 0:
            pins.append(None)
        elif type(code) is int and code == 1 and type(revision) is int and revision > 0 and type(head) is str:
            pins.append((revision, head))
        elif (type(code) is list and len(code) == 2 and type(code[0]) is int and code[0] > 0
              and type(code[1]) is str):
            pins.append((code[0], code[1]))
        else:
            return None
    return pins
