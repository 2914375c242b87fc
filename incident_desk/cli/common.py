"""Shared command-line plumbing: the context object, `--json` output, and errors as one clear line.

Exit codes (documented in README and `incident-desk --help`):
    0  success
    1  a check failed (audit verify, rules check, backtest with changes when --fail-on-change)
    2  usage error (bad option or argument)
    3  not found (no such incident, action item, template, notifier)
    4  refused (illegal transition, impossible data, stale revision, invalid rule file)
    5  data problem (damaged file, locked or unreadable workspace)
    6  delivery problem (a notifier or plugin failed)
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from collections.abc import Iterable
from typing import Any, Callable

import click

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_DATA, EXIT_DELIVERY = range(7)


class CliError(click.ClickException):
    """An error shown as one line `incident-desk: error: ...` with a specific exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares a class default; each error has its own

    def show(self, file: Any = None) -> None:
        click.echo(f"incident-desk: error: {shown(self.format_message(), keep_lines=True)}", err=True)


@dataclass
class AppContext:
    """What every command can reach: the workspace path and options of the top-level group."""

    workspace_path: Path | None = None
    actor: str = ""
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]


pass_app = click.make_pass_decorator(AppContext, ensure=True)

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _finite(value: Any) -> Any:
    """`value` with every non-finite float (inf, nan: not JSON) written as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_json(data: Any) -> str:
    """Strict JSON (RFC 8259: no Infinity or NaN), whatever the data holds."""
    try:
        return json.dumps(data, default=_default, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        plain = json.loads(json.dumps(data, default=_default))
        return json.dumps(_finite(plain), indent=2, ensure_ascii=False, allow_nan=False)


def emit_json(data: Any) -> None:
    click.echo(_scrub(to_json(data)))


def emit_json_stream(items: Iterable[Any]) -> None:
    """Print a JSON array one item at a time (the same text `emit_json` prints for the whole list), so a long
    list is never held in memory as a whole."""
    opened = False
    for item in items:
        text = json.dumps(item, default=_default, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        click.echo(("[\n  " if not opened else ",\n  ") + text, nl=False)
        opened = True
    click.echo("\n]" if opened else "[]")


def emit(data: Any, as_json: bool, human: Callable[[Any], str] | str) -> None:
    """Print `data` as JSON when asked, else the human rendering."""
    if as_json:
        emit_json(data)
    else:
        click.echo(shown(human(data) if callable(human) else human, keep_lines=True))


def shown(text: str, *, keep_lines: bool = False) -> str:
    """Text as it may reach a terminal: no secret this process knows (`app.secrets.scrub`), control and
    bidi characters escaped (`formatting.neutralize`)."""
    from .formatting import neutralize

    return neutralize(_scrub(text), keep_lines=keep_lines)


def _scrub(text: str) -> str:
    # secrets are only known once app.secrets has read one: no need to import it (and plugins) before
    secrets = sys.modules.get("incident_desk.app.secrets")
    return secrets.scrub(text) if secrets is not None else text


def warn(message: str) -> None:
    click.echo(f"incident-desk: warning: {shown(message, keep_lines=True)}", err=True)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
