"""The notification service as the window uses it: on the window's desk (previews, settings), or on a desk
of its own for a worker thread (send, deliver, escalate), so a worker never shares the window's objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..app.desk import Desk
from ..app.wiring import notify_service, open_desk


def service_for(desk: Desk) -> Any:
    """The service over `desk` (app.notify_service.NotifyService)."""
    return notify_service(desk)


@contextmanager
def worker_service(workspace_path: Path, plugins: Any, clock: Callable[[], datetime],
                   actor: str) -> Iterator[tuple[Desk, Any]]:
    """A desk and notification service of their own, for one piece of work on a worker thread."""
    desk = open_desk(workspace_path, actor=actor, plugins=plugins)
    desk.clock = clock
    try:
        yield desk, notify_service(desk)
    finally:
        desk.close()
