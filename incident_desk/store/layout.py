"""Where each file of a workspace folder lives, and which incident files the folder holds.

Plain functions of the workspace root, shared by the workspace and its maintenance modules, so every
path is spelled in one place.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from ..domain import incident_number
from ..domain.validation import is_incident_id
from . import index
from .errors import NotFound

FOLDERS = ("incidents", "index", "intents", "locks", "backups")


def id_number(incident_id: str) -> tuple[int, int]:
    """(year, sequence) of an incident id; NotFound if it is not one."""
    try:
        return incident_number(incident_id)
    except ValueError as error:
        raise NotFound(str(error)) from None


def incident_path(root: Path, incident_id: str) -> Path:
    year, _ = id_number(incident_id)
    return root / "incidents" / f"{year:04d}" / f"{incident_id}.json"


def previous_path(root: Path, incident_id: str) -> Path:
    """The previous generation of an incident file, kept on each write."""
    return previous_of(incident_path(root, incident_id))


def previous_of(incident_file: Path) -> Path:
    return incident_file.parent / ".prev" / incident_file.name


def shard_path(root: Path, incident_id: str) -> Path:
    return root / "index" / index.shard_name(incident_id)


def intent_path(root: Path, incident_id: str) -> Path:
    return root / "intents" / incident_id


def lock_path(root: Path, name: str) -> Path:
    return root / "locks" / f"{name}.lock"


#: incidents share this many lock files (by a hash of the id): a lock file per incident would mean creating
#: two files (lock and owner note) on the first write of every incident, and 100,000 files in `locks/` at
#: 50,000 incidents. Two incidents of one stripe only wait for each other; no code holds two incident locks.
INCIDENT_LOCK_STRIPES = 64


def incident_lock_name(incident_id: str) -> str:
    """The name of the lock that guards writes of this incident (stable across processes and versions)."""
    return f"incidents-{zlib.crc32(incident_id.encode('ascii', 'replace')) % INCIDENT_LOCK_STRIPES:02d}"


def incident_ids(root: Path) -> list[str]:
    """Ids of every incident file, in id order."""
    found = []
    base = root / "incidents"
    for year_dir in sorted(base.iterdir()) if base.is_dir() else []:
        if not year_dir.is_dir() or not (year_dir.name.isascii() and year_dir.name.isdigit()):
            continue
        for name in os.listdir(year_dir):
            if name.endswith(".json") and is_incident_id(name[:-5]) and name[4:8] == year_dir.name:
                found.append(name[:-5])
    return sorted(found, key=incident_number)


def ids_in_folder(root: Path, year: str) -> list[str]:
    """Names of the incident files in one year folder, unordered and checked only by prefix: the fast scan
    for listing (the caller checks each with `domain.validation.id_problem` and reports the others)."""
    try:
        names = os.listdir(root / "incidents" / year)
    except FileNotFoundError:
        return []
    return [name[:-5] for name in names if name.startswith("INC-") and name.endswith(".json")]


def highest_sequence(root: Path, year: int) -> int:
    """The highest sequence number among the incident files of `year` (0 if none)."""
    folder = root / "incidents" / f"{year:04d}"
    highest = 0
    if folder.is_dir():
        for name in os.listdir(folder):
            if name.endswith(".json") and is_incident_id(name[:-5]):
                highest = max(highest, incident_number(name[:-5])[1])
    return highest
