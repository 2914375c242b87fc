"""Audit checkpoints: the heads of every incident's audit chain at a moment, in an append-only log.

Layout in the workspace::

    checkpoints/log.jsonl          one checkpoint per line, each chained to the one before it
    checkpoints/heads-000001.json  the heads a checkpoint pinned: {incident id: [revision, head hash]}

A log line holds `seq`, `at`, `actor`, `prev` (hash of the line before, or a fixed genesis), `incidents`
(how many heads), `heads_digest` (SHA-256 of the canonical heads file), optional `signer` (name, subject,
fingerprint and PEM certificate) and `signature`, and `hash` (SHA-256 of the canonical line without
`hash`). The signature is made over `signing_bytes(line)` (the canonical line without `signature` and
`hash`) by the app layer with a key from `app.keys`; this module only writes, reads and checks structure.

A checkpoint proves what it can prove only with its signature: an unsigned one can be rewritten by anyone
who can write the folder, like the chains themselves (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ..domain.timeutil import as_utc
from .audit import canonical
from .errors import DamagedFile, StoreError
from .storage import atomic_write_bytes, fsync_dir

FOLDER = "checkpoints"
LOG = "log.jsonl"
GENESIS = hashlib.sha256(b"incident-desk audit checkpoints").hexdigest()

Heads = dict[str, tuple[int, str]]


@dataclass
class CheckpointLog:
    """The checkpoints of a workspace as read, with every structural problem found."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.entries[-1] if self.entries else None


def folder(root: Path) -> Path:
    return root / FOLDER


def log_path(root: Path) -> Path:
    return folder(root) / LOG


def heads_path(root: Path, seq: int) -> Path:
    return folder(root) / f"heads-{seq:06d}.json"


def heads_bytes(heads: Heads) -> bytes:
    return canonical({incident_id: [revision, head] for incident_id, (revision, head) in heads.items()})


def line_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def signing_bytes(entry: dict[str, Any]) -> bytes:
    """What a checkpoint's signature covers: the line without `signature` and `hash` (so it covers `prev`,
    the heads digest and the signer's certificate)."""
    return canonical({k: v for k, v in entry.items() if k not in ("signature", "hash")})


def read_log(root: Path) -> CheckpointLog:
    """Every checkpoint line, checked for order, chaining and line hashes (signatures are the app's job)."""
    path = log_path(root)
    log = CheckpointLog()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return log
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from None
    prev = GENESIS
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            log.problems.append(f"{where}: not valid JSON ({error}); the checkpoint log was damaged or edited")
            continue
        if (not isinstance(entry, dict) or not isinstance(entry.get("heads_digest"), str)
                or type(entry.get("seq")) is not int or type(entry.get("incidents")) is not int):
            log.problems.append(f"{where}: not a checkpoint line (the log was damaged or edited)")
            continue
        expected_seq = len(log.entries) + 1
        if entry.get("seq") != expected_seq:
            log.problems.append(f"{where}: checkpoint {entry.get('seq')!r} where {expected_seq} was expected: "
                                "checkpoints were removed or reordered")
        if entry.get("prev") != prev:
            log.problems.append(f"{where}: checkpoint {entry.get('seq')!r} does not follow the one before it "
                                "(the log was edited)")
        if line_hash(entry) != entry.get("hash"):
            log.problems.append(f"{where}: checkpoint {entry.get('seq')!r} was changed after it was written")
        prev = str(entry.get("hash"))
        log.entries.append(entry)
    if raw and not raw.endswith(b"\n"):
        log.problems.append(f"{path}: the last line is incomplete (cut off)")
    return log


def read_heads_bytes(root: Path, entry: dict[str, Any]) -> bytes:
    """The heads file of a checkpoint, checked against the digest its log line sealed (DamagedFile when it
    is missing or differs). Parse with `orjson.loads`: {incident id: [revision, head hash]}."""
    seq = int(entry["seq"])
    path = heads_path(root, seq)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DamagedFile(path, f"the heads of checkpoint {seq} are missing") from None
    if hashlib.sha256(raw).hexdigest() != entry["heads_digest"]:
        raise DamagedFile(path, f"not the heads checkpoint {seq} pinned (changed after the checkpoint)")
    return raw


def read_heads(root: Path, entry: dict[str, Any]) -> Heads:
    """The heads a checkpoint pinned (see `read_heads_bytes`)."""
    data = orjson.loads(read_heads_bytes(root, entry))
    return {incident_id: (int(revision), str(head)) for incident_id, (revision, head) in data.items()}


def prepare(root: Path, heads: Heads, *, actor: str, at: datetime) -> dict[str, Any]:
    """The next checkpoint line (without signer, signature and hash), chained to the log's last line."""
    log = read_log(root)
    if log.problems:
        raise StoreError(f"refusing to add a checkpoint to a damaged log: {log.problems[0]}")
    latest = log.latest
    return {"seq": (latest["seq"] + 1) if latest else 1,
            "at": as_utc(at).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "actor": actor, "prev": latest["hash"] if latest else GENESIS, "incidents": len(heads),
            "heads_digest": hashlib.sha256(heads_bytes(heads)).hexdigest()}


def append(root: Path, entry: dict[str, Any], heads: Heads) -> dict[str, Any]:
    """Write the heads file, then append the sealed line (fsync'd). Caller holds the checkpoint lock."""
    entry = dict(entry)
    entry["hash"] = line_hash(entry)
    path = log_path(root)
    path.parent.mkdir(exist_ok=True)
    atomic_write_bytes(heads_path(root, entry["seq"]), heads_bytes(heads))
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o644)
    try:
        os.write(descriptor, orjson.dumps(entry) + b"\n")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    fsync_dir(path.parent)
    return entry
