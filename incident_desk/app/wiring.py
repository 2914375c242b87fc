"""Builds a ready `Desk`: the workspace opened, and the rules and plugins wired in once they exist."""

from __future__ import annotations

from pathlib import Path

from .desk import Desk


def open_desk(path: str | Path | None = None, *, create: bool = False, actor: str | None = None) -> Desk:
    return Desk.open(path, create=create, actor=actor)
