"""A small task runner for long work (as Anki's CollectionOp/QueryOp and Orange's TaskState).

`TaskRunner.run(work, on_success=..., on_failure=...)` runs `work(state)` on a worker thread. The worker
never touches a widget: it reports progress through `state.progress(done, total, text)` and checks
`state.cancelled`; its result or exception comes back to the GUI thread by a queued signal, where the
callbacks run. `run_with_progress` adds a progress dialog with a Cancel button.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from .qt import QObject, QProgressDialog, QRunnable, Qt, QThreadPool, QWidget, Signal


class Cancelled(Exception):
    """Raised by `TaskState.check()` when the person pressed Cancel."""


class TaskState(QObject):
    """What a worker may use: progress reports and the cancel flag.

    sig_progress(done: int, total: int, text: str): progress, delivered on the GUI thread.
    sig_succeeded(result: object): the work's return value.
    sig_failed(error: object, trace: str): the exception it raised (Cancelled when cancelled).
    """

    sig_progress = Signal(int, int, str)
    sig_succeeded = Signal(object)
    sig_failed = Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.done = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        self.sig_progress.emit(done, total, text)


class _Job(QRunnable):
    def __init__(self, work: Callable[[TaskState], Any], state: TaskState) -> None:
        super().__init__()
        self.work, self.state = work, state
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(self.state)
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.state.sig_failed.emit(error, traceback.format_exc())
        else:
            self.state.sig_succeeded.emit(result)
        finally:
            self.state.done.set()


class TaskRunner(QObject):
    """Runs work off the GUI thread; keeps each running task's state alive until it reports back."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self.running: list[TaskState] = []

    def run(self, work: Callable[[TaskState], Any], *, on_success: Callable[[Any], object] | None = None,
            on_failure: Callable[[BaseException], object] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> TaskState:
        state = TaskState()
        state.moveToThread(self.thread())
        self.running.append(state)

        def finished() -> None:
            if state in self.running:
                self.running.remove(state)

        def succeeded(result: Any) -> None:
            finished()
            if on_success is not None and not state.cancelled:
                on_success(result)

        def failed(error: BaseException, trace: str) -> None:
            finished()
            if on_failure is not None:
                on_failure(error)
            elif not isinstance(error, Cancelled):
                raise error  # reaches the crash dialog (sys.excepthook)

        state.sig_succeeded.connect(succeeded, Qt.ConnectionType.QueuedConnection)
        state.sig_failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        if on_progress is not None:
            state.sig_progress.connect(on_progress, Qt.ConnectionType.QueuedConnection)
        self.pool.start(_Job(work, state))
        return state

    def wait(self, timeout_ms: int = 30000) -> bool:
        return self.pool.waitForDone(timeout_ms)


def run_with_progress(runner: TaskRunner, parent: QWidget, title: str, work: Callable[[TaskState], Any], *,
                      on_success: Callable[[Any], object] | None = None,
                      on_failure: Callable[[BaseException], object] | None = None) -> TaskState:
    """Run `work` with a (window-modal, non-blocking) progress dialog whose Cancel sets the cancel flag."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setObjectName("progress")
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(done)
        if text:
            dialog.setLabelText(text)

    def close() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    def succeeded(result: Any) -> None:
        close()
        if on_success is not None:
            on_success(result)

    def failed(error: BaseException) -> None:
        close()
        if isinstance(error, Cancelled):
            return
        if on_failure is not None:
            on_failure(error)
        else:
            raise error

    state = runner.run(work, on_success=succeeded, on_failure=failed, on_progress=progress)
    dialog.canceled.connect(state.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling..."))
    return state
