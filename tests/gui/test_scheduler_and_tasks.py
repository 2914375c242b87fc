"""The escalation scheduler inside the window, next to a headless `watch`; the task runner's contract."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from incident_desk.gui.tasks import Cancelled, TaskRunner, TaskState


def test_the_window_fires_a_due_escalation_once_even_with_a_watch_process(qtbot, make_window, desk, clock,
                                                                        workspace_path):
    clock.now = datetime.now(timezone.utc).replace(microsecond=0)
    incident = desk.declare(title="Checkout down", facts={"customer_impact_pct": 100},
                            started_at=clock.now - timedelta(minutes=7), declared_at=clock.now - timedelta(minutes=6))
    window = make_window(desk, scheduler=True)
    window.scheduler.stop()  # driven by hand below
    with qtbot.waitSignal(window.scheduler.sig_fired, timeout=20000) as fired:
        window.scheduler.run_once()
    assert [f.key for f in fired.args[0]] == ["sev1-unacknowledged#0"]
    assert "Escalation fired" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.scheduler.running is None, timeout=20000)

    # a headless watcher serving the same workspace at the same moment does not fire it again
    env = {**os.environ, "INCIDENT_DESK_WORKSPACE": str(workspace_path)}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "watch", "--once"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    window.scheduler.run_once()
    qtbot.waitUntil(lambda: window.scheduler.running is None, timeout=20000)
    keys = [r.key for r in desk.get(incident.id).escalations]
    assert keys.count("sev1-unacknowledged#0") == 1 and len(keys) == len(set(keys))
    # and the open page shows the firing, arrived through the change feed
    window.open_incident(incident.id)
    assert any("sev1-unacknowledged" in e.text for e in window.page.tab_pages["Timeline"].model.rows) or \
        any(e.source == "escalation" for e in window.page.incident.timeline)


def test_task_runner_delivers_results_and_failures_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    results, errors, threads = [], [], []
    gui_thread = threading.current_thread()
    runner.run(lambda state: threading.current_thread(), on_success=lambda r: (results.append(r),
                                                                                threads.append(threading.current_thread())))
    runner.run(lambda state: 1 / 0, on_failure=errors.append)
    qtbot.waitUntil(lambda: bool(results and errors), timeout=10000)
    assert results[0] is not gui_thread and threads[0] is gui_thread  # work off, callbacks on the GUI thread
    assert isinstance(errors[0], ZeroDivisionError)


def test_task_runner_cancel_stops_the_work_and_reports_it(qtbot):
    runner = TaskRunner()
    started, progress, errors, successes = threading.Event(), [], [], []

    def work(state: TaskState) -> int:
        started.set()
        for step in range(10_000):
            state.check()
            state.progress(step, 10_000)
            state._cancel.wait(0.001)
        return 1

    state = runner.run(work, on_success=successes.append, on_failure=errors.append,
                       on_progress=lambda done, total, text: progress.append(done))
    assert started.wait(10)
    qtbot.waitUntil(lambda: bool(progress), timeout=10000)
    state.cancel()
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert isinstance(errors[0], Cancelled) and successes == []


@pytest.mark.parametrize("action", ["backup", "verify_all"])
def test_long_work_runs_with_progress_and_reports_back(qtbot, window, desk, action):
    from .conftest import declare

    declare(desk)
    window.list.set_summaries(desk.summaries())
    state = getattr(window, action)()
    qtbot.waitUntil(lambda: state.done.is_set(), timeout=20000)
    qtbot.waitUntil(lambda: "Backup written" in window.statusBar().currentMessage()
                    or "verified: intact" in window.statusBar().currentMessage(), timeout=10000)
