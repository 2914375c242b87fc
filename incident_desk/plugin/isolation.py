"""Run plugin code with a time limit: each call goes to a daemon worker thread and is waited for.

A call that does not finish in time is abandoned (Python cannot stop a thread); its worker stays busy
until the plugin returns, and the pool starts another worker for the next call. Workers are daemon
threads, so a plugin that never returns does not keep the process alive at exit.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable

MAX_IDLE_WORKERS = 16


class WorkerPool:
    """A pool of daemon threads that grows when every worker is busy (or hung)."""

    def __init__(self, name: str = "incident-desk-plugin") -> None:
        self._name = name
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], dict[str, Any]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._started = 0

    def submit(self, function: Callable[..., Any], kwargs: dict[str, Any]) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._idle:
                self._idle -= 1  # reserve an idle worker for this task
                spawn = False
            else:
                self._started += 1
                spawn = True
        self._tasks.put((future, function, kwargs))
        if spawn:
            threading.Thread(target=self._work, name=f"{self._name}-{self._started}", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            future, function, kwargs = self._tasks.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function(**kwargs))
                except BaseException as error:  # noqa: BLE001 - a plugin's failure is data here
                    future.set_exception(error)
            with self._lock:
                if self._idle >= MAX_IDLE_WORKERS:
                    return
                self._idle += 1
