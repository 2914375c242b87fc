"""The escalation scheduler while the window is open: the same cycle as `incident-desk watch`, off the GUI thread.

Each cycle opens its own desk on the workspace (a worker never shares the window's objects), fires due
escalations through the outbox and delivers it. Firing keys make a step fire once even when a headless
`watch` serves the same workspace: the due steps are computed again under the incident's lock.
"""

from __future__ import annotations

from typing import Any

from .qt import QObject, QTimer, Signal
from .session import Session
from .tasks import TaskState


def run_cycle(workspace_path: Any, plugins: Any, clock: Any, actor: str) -> tuple[Any, list[Any]]:
    """One watch cycle on a desk of its own; returns the cycle (app.notify_service.WatchCycle) and what fired."""
    from ..app.escalations import fire_due_escalations, unsent_messages
    from ..app.notify_service import run_watch
    from .notifications import worker_service

    fired: list[Any] = []
    cycles: list[Any] = []
    with worker_service(workspace_path, plugins, clock, actor) as (desk, service):

        def escalate(svc: Any, now: Any) -> tuple[int, list[str]]:
            this_cycle = fire_due_escalations(desk, now, svc)
            fired.extend(this_cycle)
            return len(this_cycle), unsent_messages(this_cycle)

        run_watch(service, interval=0, once=True, escalate=escalate, on_cycle=cycles.append)
    return (cycles[0] if cycles else None), fired


class EscalationScheduler(QObject):
    """sig_fired(fired: list): escalation steps that fired in one cycle (FiredEscalation items).
    sig_cycle(text: str): a one-line summary of the cycle, for the status bar."""

    sig_fired = Signal(list)
    sig_cycle = Signal(str)

    def __init__(self, session: Session, interval_ms: int = 30000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run_once)
        self.running: TaskState | None = None
        self.cycles = 0

    def start(self, first_after_ms: int = 2000) -> None:
        self.timer.start()
        QTimer.singleShot(first_after_ms, self.run_once)

    def stop(self) -> None:
        self.timer.stop()

    def run_once(self) -> TaskState | None:
        if self.running is not None:
            return None  # the previous cycle is still working
        desk = self.session.desk
        path, plugins, clock = self.session.workspace_path, desk.plugins, desk.clock

        def done(outcome: tuple[Any, list[Any]]) -> None:
            self.running = None
            self.cycles += 1
            cycle, fired = outcome
            if fired:
                self.sig_fired.emit(list(fired))
            elif cycle is not None:  # a firing's own message is not overwritten
                report = cycle.report
                self.sig_cycle.emit(f"Escalations: {len(fired)} fired · outbox {len(report.sent)} sent, "
                                    f"{len(report.failed)} failed")

        def failed(error: BaseException) -> None:
            self.running = None
            self.sig_cycle.emit(f"Escalation scheduler: {type(error).__name__}: {error}")

        self.running = self.session.runner.run(lambda state: run_cycle(path, plugins, clock, "escalation"),
                                               on_success=done, on_failure=failed)
        return self.running
