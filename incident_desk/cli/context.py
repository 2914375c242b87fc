"""Opening the desk for a command, and turning every expected failure into one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click

from ..app.desk import Desk
from .. import DomainError
from ..app.face_support import InvalidIncidentId, parse_instant
from ..app.face_support import store_errors
from .common import (
    warn,
    EXIT_DATA,
    EXIT_USAGE,
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    AppContext,
    CliError,
)


def error_exit_code(error: Exception) -> int:
    if isinstance(error, InvalidIncidentId):
        return EXIT_USAGE
    if isinstance(error, store_errors.NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, (store_errors.StaleRevision, store_errors.DuplicateId, DomainError)):
        return EXIT_REFUSED
    return EXIT_DATA


@contextmanager
def translate_errors() -> Iterator[None]:
    """Known failures become `incident-desk: error: ...` with their exit code; nothing else is hidden."""
    try:
        yield
    except (DomainError, store_errors.StoreError) as error:
        raise CliError(str(error), error_exit_code(error)) from None


@contextmanager
def open_desk(app: AppContext, *, create: bool = False) -> Iterator[Desk]:
    with translate_errors():
        desk = app.cached("desk", lambda: _open(app, create))
        yield desk


def _open(app: AppContext, create: bool) -> Desk:
    from ..app.wiring import open_desk as wire

    desk = wire(app.workspace_path, create=create, actor=app.actor or None, plugins=app._cache.get("plugins"))

    def finish() -> None:
        for notice in desk.notices:
            warn(notice)
        desk.close()

    click.get_current_context().find_root().call_on_close(finish)
    return desk


def parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as error:
        raise CliError(f"{option}: {error}", 2) from None


def parse_pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    """`name=value` pairs from repeated options."""
    pairs = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"{option} expects name=value, got '{item}'", 2)
        pairs[name.strip()] = value
    return pairs


__all__ = ["open_desk", "parse_time", "parse_pairs", "translate_errors", "EXIT_REFUSED"]
