"""Rules as versioned evidence: every rules version the desk uses is archived in the workspace by its
digest, and every change of the rule files is noticed, compared with the version in use and recorded.

Layout::

    rules-archive/<digest>/severity.yaml ...   the rule files of one version, exactly as they were used
    rules-archive/history.jsonl                one line per version put in use, chained like the audit trail

`<digest>` is the rules version each classification records in `severity.rules_digest`, so every
incident's level can be re-derived from the exact files that produced it.

The version in use is the last line of the history. When the files on disk differ from it:
- additions and changes are recorded at once (`changed on disk`), with who noticed it, when, and each
  file's modification time and owner (who edited a file outside the desk is known only that far);
- removals (rules, tests, levels... what a truncated `severity.yaml` shows) are NOT put in use: the
  desk keeps classifying with the archived version in use, says so in the notices every command
  prints, and `rules check` fails until a person confirms with `rules check --accept-changes`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from typing import TYPE_CHECKING

from ..store.locks import hold
from ..store.storage import atomic_write_bytes, fsync_dir

if TYPE_CHECKING:  # the engine loads only when a version is compared or archived, not for a drift check
    from ..engine import RuleSet
    from ..engine.rules_diff import RulesDiff

ARCHIVE = "rules-archive"
HISTORY = "history.jsonl"
SEEN = "seen.json"  # the rule files' names, times and sizes last seen with the version in use
GENESIS = hashlib.sha256(b"incident-desk rules history").hexdigest()


@dataclass(frozen=True)
class RulesStatus:
    """How the rule files on disk compare with the version in use."""

    digest: str
    in_use: str | None
    diff: RulesDiff

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.diff.removals)


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


class RulesArchive:
    """The rules archive and history of one workspace."""

    def __init__(self, workspace_path: Path) -> None:
        self.root = Path(workspace_path)
        self.folder = self.root / ARCHIVE

    # ------------------------------------------------------------------ reading

    def history(self) -> list[dict[str, Any]]:
        try:
            raw = (self.folder / HISTORY).read_bytes()
        except FileNotFoundError:
            return []
        entries = []
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # reported by verify_history; the rest still tells the version in use
            if isinstance(entry, dict) and isinstance(entry.get("digest"), str) and entry["digest"].isalnum():
                entries.append(entry)
        return entries

    def verify_history(self) -> list[str]:
        """Problems of the history log: lines changed, removed or reordered, archived files changed."""
        problems = []
        try:
            raw = (self.folder / HISTORY).read_bytes()
        except FileNotFoundError:
            return []
        prev: Any = GENESIS
        for number, line in enumerate(raw.splitlines(), start=1):
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                problems.append(f"{self.folder / HISTORY} line {number}: not valid JSON")
                continue
            if not isinstance(entry, dict):
                problems.append(f"{self.folder / HISTORY} line {number}: not a history line")
                continue
            body = {k: v for k, v in entry.items() if k != "hash"}
            if entry.get("prev") != prev or hashlib.sha256(_canonical(body)).hexdigest() != entry.get("hash"):
                problems.append(f"{self.folder / HISTORY} line {number}: changed, removed or reordered")
            prev = entry.get("hash")
            digest = entry.get("digest")
            if not isinstance(digest, str) or not digest.isalnum():
                problems.append(f"{self.folder / HISTORY} line {number}: not a rules version ({digest!r})")
            elif (self.folder / digest).is_dir():
                if self.archived_digest(digest) != digest:
                    problems.append(f"{self.folder / digest}: the archived rule files were changed")
        return problems

    def head(self) -> str | None:
        """The hash of the newest history line (checkpoints pin it), or None without a history."""
        return _last_hash(self.folder / HISTORY)

    def in_use(self) -> str | None:
        history = self.history()
        return history[-1]["digest"] if history else None

    def remember_signature(self, signature: tuple, digest: str) -> None:
        """Note that rule files with this (name, mtime, size) signature are version `digest`."""
        data = {"signature": [list(item) for item in signature], "digest": digest}
        path = self.folder / SEEN
        try:
            if orjson.loads(path.read_bytes()) == data:
                return
        except (OSError, orjson.JSONDecodeError):
            pass
        atomic_write_bytes(path, orjson.dumps(data), fsync=False)

    def drifted(self, directory: Path, signature: tuple) -> str | None:
        """The version in use when the rule files in `directory` are no longer it, else None. Reads only
        the history and the last seen signature unless the files changed since."""
        in_use = self.in_use()
        if in_use is None:
            return None
        try:
            seen = orjson.loads((self.folder / SEEN).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            seen = {}
        if seen.get("digest") == in_use and seen.get("signature") == [list(item) for item in signature]:
            return None
        from ..engine import FILE_NAMES
        from ..engine.ruleset import digest_of

        raw = {kind: (directory / name).read_bytes() for kind, name in FILE_NAMES.items()
               if (directory / name).is_file()}
        return None if digest_of(raw) == in_use else in_use

    def version_dir(self, digest: str) -> Path:
        if not digest.isalnum():
            raise ValueError(f"not a rules version: {digest!r}")
        return self.folder / digest

    def archived_digest(self, digest: str) -> str | None:
        from ..engine import FILE_NAMES
        from ..engine.ruleset import digest_of

        folder = self.version_dir(digest)
        raw = {}
        for kind, name in FILE_NAMES.items():
            path = folder / name
            if path.is_file():
                raw[kind] = path.read_bytes()
        return digest_of(raw) if raw else None

    def version_data(self, digest: str) -> dict[str, Any] | None:
        """{file name: parsed data} of an archived version, or None when it is not archived."""
        from ..engine import FILE_NAMES
        from ..engine.yamlsafe import load_file

        folder = self.version_dir(digest)
        if not folder.is_dir():
            return None
        return {name: load_file(folder / name, name).data for name in FILE_NAMES.values()
                if (folder / name).is_file()}

    # ------------------------------------------------------------------ comparing

    def status(self, ruleset: RuleSet) -> RulesStatus:
        from ..engine.rules_diff import Change, RulesDiff, diff_versions

        in_use = self.in_use()
        if in_use is None or in_use == ruleset.digest:
            return RulesStatus(ruleset.digest, in_use, RulesDiff())
        old = self.version_data(in_use)
        if old is None:
            return RulesStatus(ruleset.digest, in_use,
                               RulesDiff([Change(ARCHIVE, "version", in_use, "missing")]))
        return RulesStatus(ruleset.digest, in_use, diff_versions(old, current_data(ruleset)))

    # ------------------------------------------------------------------ writing

    def archive(self, ruleset: RuleSet) -> Path | None:
        """Copy the files of `ruleset` into `rules-archive/<digest>/` (once). None when the files on disk
        no longer have the digest they were loaded with (edited meanwhile: the next load archives them)."""
        from ..engine import FILE_NAMES
        from ..engine.ruleset import digest_of

        target = self.version_dir(ruleset.digest)
        if target.is_dir():
            return target
        raw = {kind: Path(path).read_bytes() for kind, path in ruleset.files.items() if Path(path).is_file()}
        if digest_of(raw) != ruleset.digest:
            return None
        self.folder.mkdir(exist_ok=True)
        staging = self.folder / f".{ruleset.digest}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for kind, data in raw.items():
            atomic_write_bytes(staging / FILE_NAMES[kind], data)
        try:
            os.rename(staging, target)
        except OSError:  # another process archived the same version first
            shutil.rmtree(staging, ignore_errors=True)
        fsync_dir(self.folder)
        return target

    def record(self, ruleset: RuleSet, *, event: str, actor: str, diff: RulesDiff | None = None) -> dict | None:
        """Archive `ruleset` and put it in use with a history line; None when it already is in use."""
        from ..engine import FILE_NAMES

        if self.archive(ruleset) is None:
            return None
        self.folder.mkdir(exist_ok=True)
        with hold(self.folder / ".history.lock", f"the rules history of {self.root}"):
            history = self.history()
            if history and history[-1]["digest"] == ruleset.digest:
                return None
            entry: dict[str, Any] = {
                "seq": len(history) + 1, "at": _now(), "event": event, "actor": actor,
                "digest": ruleset.digest, "previous": history[-1]["digest"] if history else None,
                "changes": [str(c) for c in (diff.changes if diff else [])],
                "files": {FILE_NAMES[kind]: file_facts(Path(path)) for kind, path in sorted(ruleset.files.items())},
                "prev": _last_hash(self.folder / HISTORY) or GENESIS,
            }
            entry["hash"] = hashlib.sha256(_canonical(entry)).hexdigest()
            path = self.folder / HISTORY
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            try:
                os.write(descriptor, orjson.dumps(entry) + b"\n")
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        return entry


def rules_signature(directory: Path) -> tuple:
    """(name, modification time, size) of every YAML file in a rules folder, without the rules engine:
    what tells a command that never loads the rules whether they may have changed."""
    found = []
    try:
        names = sorted(name for name in os.listdir(directory) if name.endswith((".yaml", ".yml")))
    except OSError:
        return ()
    for name in names:
        try:
            stat = os.stat(Path(directory) / name)
        except OSError:
            continue
        found.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def current_data(ruleset: RuleSet) -> dict[str, Any]:
    from ..engine import FILE_NAMES
    from ..engine.yamlsafe import load_file

    return {FILE_NAMES[kind]: load_file(Path(path), FILE_NAMES[kind]).data
            for kind, path in ruleset.files.items() if Path(path).is_file()}


def file_facts(path: Path) -> dict[str, Any]:
    """What can be known of a rule file's last edit: its modification time and owner."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    facts: dict[str, Any] = {"modified_at": datetime.fromtimestamp(stat.st_mtime, timezone.utc)
                             .isoformat(timespec="seconds").replace("+00:00", "Z"), "size": stat.st_size}
    try:
        import pwd

        facts["owner"] = pwd.getpwuid(stat.st_uid).pw_name
    except (ImportError, KeyError):
        facts["owner_uid"] = getattr(stat, "st_uid", None)
    return facts


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _last_hash(path: Path) -> str | None:
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        try:
            return orjson.loads(line).get("hash")
        except (orjson.JSONDecodeError, AttributeError):
            continue
    return None
