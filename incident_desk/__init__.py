"""Incident Desk: run incidents, classify severity with explainable rules, learn from post-mortems.

This module is the public API that plugins may use: the domain models, the version and the plugin
hook marker `hookimpl` (the notifier types are in `incident_desk.plugin`).

The names load on first use (PEP 562), so `incident-desk --help` does not pay for pydantic and pluggy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        return import_module(f"{__name__}.plugin.markers").hookimpl
    domain = import_module(f"{__name__}.domain")

    if name == "__all__":
        return ["__version__", "hookimpl", *domain.__all__]
    if name in domain.__all__:
        return getattr(domain, name)
    raise AttributeError(f"module 'incident_desk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))
