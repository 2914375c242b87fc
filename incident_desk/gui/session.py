"""What every screen of one window shares: the desk, the task runner, messages and the display settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..app.desk import Desk
from ..app.face_support import DEFAULT_LEVEL_NAMES
from .messages import Messages
from .tasks import TaskRunner


@dataclass
class Session:
    desk: Desk
    runner: TaskRunner
    messages: Messages
    level_names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVEL_NAMES))

    @property
    def workspace_path(self) -> Path:
        return Path(self.desk.workspace.path)

    def today(self) -> date:
        return self.desk.clock().date()

    def load_level_names(self) -> None:
        ruleset = self.desk.rules.ruleset if self.desk.rules is not None else None
        if ruleset is not None:
            self.level_names = dict(ruleset.level_names) or self.level_names
