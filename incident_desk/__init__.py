"""Incident Desk: run incidents, classify severity with explainable rules, learn from post-mortems.

This module is the public API that plugins may use: the domain models, the version and the plugin
hook marker `hookimpl` (the notifier types are in `incident_desk.plugin`).
"""

from .domain import *  # noqa: F403
from .domain import __all__ as _domain_all
from .plugin.markers import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl", *_domain_all]
