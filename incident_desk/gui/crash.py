"""Unhandled exceptions in a slot: the traceback goes to a crash log, the person sees a friendly dialog.

Every change is saved atomically by the store before a slot returns, so a bug in the window never
leaves a half-written file; the dialog says so and where the details are.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

LOG_DIR_ENV = "INCIDENT_DESK_LOG_DIR"


def crash_log_path() -> Path:
    folder = os.environ.get(LOG_DIR_ENV)
    if folder:
        return Path(folder) / "crash.log"
    import platformdirs

    return Path(platformdirs.user_log_dir("incident-desk", appauthor=False)) / "crash.log"


def write_crash_log(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    path = crash_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(timezone.utc).isoformat()} (desktop window)\n")
            handle.write("".join(traceback.format_exception(kind, error, tb)) + "\n")
        return str(path)
    except OSError:
        return "(log folder not writable)"


def install_excepthook(show: Callable[[str, str], None]) -> Callable[[], None]:
    """Route unhandled exceptions to the crash log and `show(title, text)`; returns a function undoing it."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        log = write_crash_log(kind, error, tb)
        try:
            show("Something went wrong",
                 f"Incident Desk hit a bug: {kind.__name__}: {error}\n\nYour data is safe: every change was "
                 f"saved before this happened, and nothing was half-written.\nDetails were written to {log}; "
                 "please send them with a report.")
        except Exception:  # noqa: BLE001 - the hook itself must never raise
            previous(kind, error, tb)

    sys.excepthook = hook

    def undo() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous
    return undo
