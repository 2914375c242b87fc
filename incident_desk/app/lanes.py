"""Delivery lanes: each notifier's messages in order, different notifiers side by side, few threads.

A lane is one notifier's queue of messages, sent one at a time and in order. A small set of worker
threads (`width`, 4 by default: more threads than that only fight over the interpreter lock) takes
the next message of any lane no other worker is sending for. A worker stuck in one send for longer
than `slow_after` seconds no longer counts: another worker starts, so a slow or hung receiver holds
its own lane and nothing else. Before each send, `blocked(lane)` may say why the lane cannot send
(an earlier send still hangs past its time limit); the lane's messages are then handed back untried.

Workers report on a queue: ("done", result), ("held", (item, reason)) or ("worker finished", None).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")


class Lanes(Generic[Item]):
    """Run `send(item)` for every item, lane by lane; results go to `results`."""

    def __init__(self, lanes: dict[str, list[Item]], send: Callable[[Item], Any],
                 blocked: Callable[[str], str | None] | None = None, *, width: int = 4,
                 slow_after: float = 0.5) -> None:
        self.results: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._queues = {name: deque(items) for name, items in lanes.items() if items}
        self._ready = deque(self._queues)
        self._send, self._blocked = send, blocked
        self._width, self._slow_after = max(1, width), slow_after
        self._lock = threading.Lock()
        self._sending_since: dict[int, float | None] = {}
        self.workers = 0

    def start(self) -> None:
        for _ in range(min(self._width, len(self._queues))):
            self._spawn()

    def top_up(self) -> None:
        """Start a worker for every one stuck in a slow send while lanes wait (call it now and then)."""
        now = time.monotonic()
        with self._lock:
            if not self._ready:
                return
            moving = sum(1 for since in self._sending_since.values() if since is None or now - since < self._slow_after)
            missing = min(self._width - moving, len(self._ready))
        for _ in range(max(0, missing)):
            self._spawn()

    def _spawn(self) -> None:
        with self._lock:
            self.workers += 1
            number = self.workers
            self._sending_since[number] = None
        threading.Thread(target=self._work, args=(number,), name=f"outbox-lane-worker-{number}", daemon=True).start()

    def _next(self) -> tuple[str, Item] | None:
        with self._lock:
            while self._ready:
                name = self._ready.popleft()
                if self._queues[name]:
                    return name, self._queues[name].popleft()
            return None

    def _work(self, number: int) -> None:
        try:
            while (taken := self._next()) is not None:
                name, item = taken
                reason = self._blocked(name) if self._blocked is not None else None
                if reason:
                    with self._lock:
                        rest = [item, *self._queues[name]]
                        self._queues[name].clear()
                    for held in rest:
                        self.results.put(("held", (held, reason)))
                    continue
                self._sending_since[number] = time.monotonic()
                try:
                    self.results.put(("done", self._send(item)))
                finally:
                    self._sending_since[number] = None
                    with self._lock:
                        if self._queues[name]:
                            self._ready.append(name)
        finally:
            with self._lock:
                self._sending_since.pop(number, None)
            self.results.put(("worker finished", None))
