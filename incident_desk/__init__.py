"""Incident Desk: run incidents, classify severity with explainable rules, learn from post-mortems.

This module is the public API that plugins may use: the domain models and the version.
The plugin hook marker `hookimpl` is re-exported from `incident_desk.plugin` once plugins land.
"""

from .domain import *  # noqa: F403
from .domain import __all__ as _domain_all

__version__ = "0.1.0"
__all__ = ["__version__", *_domain_all]
