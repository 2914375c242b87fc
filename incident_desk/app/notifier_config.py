"""The notifiers a workspace configures (`<workspace>/notifiers.yaml`), each validated on its own.

One broken entry never takes the others down: an entry with a misspelt key (`mm.chanel`), a missing
field, a literal secret or a `type` whose plugin did not load is kept as a `BrokenNotifier` with every
problem as `file:line: name.field: what is wrong`; the other entries are configured as usual. Only a
file that cannot be read as a whole (not YAML, not a mapping) leaves no notifier configured, and that
is a notice too. `notices` is what every command, `outbox`, `watch` and the incident say about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain import Channel

if TYPE_CHECKING:  # the plugin machinery loads only when a notifiers.yaml is read
    from ..plugin import Plugins

NOTIFIERS_FILE = "notifiers.yaml"
MAX_SETTINGS_BYTES = 256 * 1024
#: keys of an entry that belong to the desk, not to the notifier's config model
RESERVED_KEYS = frozenset({"type", "channels", "time_limit"})
DEFAULT_TIME_LIMIT = 30.0
MAX_TIME_LIMIT = 600.0


class NotifyError(Exception):
    """A notification request that cannot be done; one line naming what is wrong."""

    def __init__(self, message: str, kind: str = "refused") -> None:
        super().__init__(message)
        self.kind = kind  # refused | not_found | config


@dataclass(frozen=True)
class ConfiguredNotifier:
    """A valid entry: its name, notifier type, raw settings (secrets still references) and limits."""

    name: str
    type: str
    raw: dict[str, Any]
    channels: frozenset[str] | None
    line: int
    description: str = ""
    time_limit: float = DEFAULT_TIME_LIMIT

    def serves(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass(frozen=True)
class BrokenNotifier:
    """An entry that cannot be used; nothing is sent through it until the file is fixed."""

    name: str
    line: int
    problems: tuple[str, ...]
    channels: frozenset[str] | None = None

    @property
    def reason(self) -> str:
        return f"notifier '{self.name}' is misconfigured: {'; '.join(self.problems)}"

    def serves(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass
class NotifierSettings:
    """The notifiers configured in a workspace's notifiers.yaml (none when the file does not exist)."""

    path: Path | None = None
    notifiers: dict[str, ConfiguredNotifier] = field(default_factory=dict)
    broken: dict[str, BrokenNotifier] = field(default_factory=dict)
    file_problem: str | None = None
    signature: tuple[int, int] | None = None

    @classmethod
    def from_file(cls, path: Path, plugins: Plugins) -> NotifierSettings:
        """Read `path`; each entry is validated on its own. Never raises for the file's content."""
        signature = file_signature(path)
        if signature is None:
            return cls(path, signature=None)
        settings = cls(path, signature=signature)
        if signature[1] > MAX_SETTINGS_BYTES:
            settings.file_problem = f"{path}: larger than {MAX_SETTINGS_BYTES // 1024} KB; refused"
            return settings
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        except YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            settings.file_problem = f"{path}{line}: not valid YAML: {getattr(error, 'problem', None) or error}"
            return settings
        except (OSError, UnicodeDecodeError) as error:
            settings.file_problem = f"{path}: cannot read: {error}"
            return settings
        if data is None:
            return settings
        if not isinstance(data, dict):
            settings.file_problem = f"{path}:1: expected a mapping of notifier name -> settings"
            return settings
        for name, body in data.items():
            entry = _read_entry(path, str(name), body, _line_of(data, name), plugins)
            if isinstance(entry, BrokenNotifier):
                settings.broken[entry.name] = entry
            else:
                settings.notifiers[entry.name] = entry
        return settings

    # ------------------------------------------------------------------ questions

    def names(self) -> set[str]:
        """Every name notifiers.yaml defines, usable or not (what escalation rules may refer to)."""
        return set(self.notifiers) | set(self.broken)

    @property
    def notices(self) -> list[str]:
        """One line per problem a person must hear about: the file, or each misconfigured notifier."""
        found = []
        if self.file_problem:
            found.append(f"{self.file_problem}; no notifier is configured, nothing can be sent")
        found += [f"{b.reason}; it sends nothing until fixed (the others are not affected)"
                  for b in self.broken.values()]
        return found

    def _where(self) -> str:
        return str(self.path or NOTIFIERS_FILE)

    def unusable_reason(self, name: str) -> str | None:
        """Why nothing can be sent through `name` (misconfigured, not configured), or None when it can."""
        if name in self.notifiers:
            return None
        if name in self.broken:
            return self.broken[name].reason
        if self.file_problem:
            return f"no notifier '{name}' is configured: {self.file_problem}"
        known = ", ".join(sorted(self.notifiers)) or "none"
        return f"no notifier '{name}' is configured in {self._where()}; configured: {known}"

    def get(self, name: str) -> ConfiguredNotifier:
        reason = self.unusable_reason(name)
        if reason is not None:
            raise NotifyError(reason, "config" if name in self.broken else "not_found")
        return self.notifiers[name]


def file_signature(path: Path) -> tuple[int, int] | None:
    """(modification time in ns, size) of a file, or None when it does not exist: cheap change check."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _read_entry(path: Path, name: str, body: Any, line: int, plugins: Plugins) -> ConfiguredNotifier | BrokenNotifier:
    where = f"{path}:{line}: {name}"
    if not name.replace("-", "").replace("_", "").isalnum():
        return BrokenNotifier(name, line, (f"{where}: a notifier name uses letters, digits, '-' and '_'",))
    if not isinstance(body, dict):
        return BrokenNotifier(name, line, (f"{where}: expected settings with at least 'type'",))
    problems: list[str] = []
    channels = body.get("channels")
    valid_channels: frozenset[str] | None = None
    if channels is not None:
        valid = {c.value for c in Channel}
        if not isinstance(channels, list) or not channels or not all(c in valid for c in channels):
            problems.append(f"{path}:{_line_of(body, 'channels', line)}: {name}.channels: a list of "
                            f"{', '.join(sorted(valid))}")
        else:
            valid_channels = frozenset(str(c) for c in channels)
    time_limit = body.get("time_limit")
    numeric = isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool)
    if time_limit is not None and not (numeric and 0 < time_limit <= MAX_TIME_LIMIT):
        problems.append(f"{path}:{_line_of(body, 'time_limit', line)}: {name}.time_limit: seconds one send may "
                        f"take, more than 0 and at most {MAX_TIME_LIMIT:g}")
        time_limit = None
    kind = body.get("type")
    if kind not in plugins.notifiers:
        known = ", ".join(sorted(plugins.notifiers)) or "none"
        what = "missing" if kind is None else f"unknown notifier type {kind!r}"
        load_failures = [f for f in plugins.failures if f.kind == "load"]
        hint = "".join(f"; plugin {f.plugin} failed to load: {f.error}" for f in load_failures[:3])
        problems.append(f"{path}:{_line_of(body, 'type', line)}: {name}.type: {what}; known types: {known}{hint}")
        return BrokenNotifier(name, line, tuple(problems), valid_channels)
    from pydantic import ValidationError

    from .secrets import SecretError, check_config

    raw = {str(k): _plain(v) for k, v in body.items() if k not in RESERVED_KEYS}
    try:
        model = check_config(plugins.notifiers[kind].config_model, raw)
    except SecretError as error:
        field_name = str(error).split(":", 1)[0]
        problems.append(f"{path}:{_line_of(body, field_name, line)}: {name}.{error}")
    except ValidationError as error:
        for item in error.errors():
            loc = [str(p) for p in item["loc"]]
            key = loc[0] if loc else ""
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{path}:{_line_of(body, key, line)}: {'.'.join([name, *loc])}: {message}")
    if problems:
        return BrokenNotifier(name, line, tuple(problems), valid_channels)
    if time_limit is None:  # the notifier's own timeout, with a margin for connecting and answering
        timeout = getattr(model, "timeout", None)
        usable = isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0
        time_limit = min(float(timeout) + 5.0, MAX_TIME_LIMIT) if usable and timeout is not None else DEFAULT_TIME_LIMIT
    return ConfiguredNotifier(name, kind, raw, valid_channels, line, time_limit=float(time_limit))


def _line_of(mapping: Any, key: Any, default: int = 1) -> int:
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return default


def _plain(value: Any) -> Any:
    """ruamel's commented containers and scalars as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value
