"""Workspace-wide settings kept in `<workspace>/settings.yaml`: today the time zone of its calendar.

    time_zone: Europe/Berlin     # days, weeks, months of `metrics` are counted in this zone

The file is optional (UTC then); it is read safely and validated like the rule files, and a bad file is
reported as `settings.yaml:LINE: key: message`, never silently ignored.
"""

from __future__ import annotations

from datetime import timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator

from ..domain import DomainError
from ..engine.models import validate_model
from ..engine.yamlsafe import load_file

SETTINGS_FILE = "settings.yaml"


class WorkspaceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = "UTC"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_of(value)
        return value


def zone_of(name: str) -> tzinfo:
    """`UTC`, `local` (this machine's zone) or an IANA name such as `Europe/Paris`; ValueError otherwise."""
    if not name or name.upper() == "UTC":
        return timezone.utc
    if name.lower() == "local":
        from datetime import datetime

        return datetime.now().astimezone().tzinfo or timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'; use UTC, local or a name such as Europe/Paris") from None


def load_settings(workspace_path: Path) -> WorkspaceSettings:
    path = Path(workspace_path) / SETTINGS_FILE
    if not path.exists():
        return WorkspaceSettings()
    doc = load_file(path)
    model = validate_model(doc, WorkspaceSettings)
    if doc.problems or model is None:
        raise DomainError("; ".join(str(p) for p in doc.problems) or f"{path}: invalid settings")
    return model
