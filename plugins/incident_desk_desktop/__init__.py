"""Desktop notifier: hands the message to the desktop app's notification area.

Messages go into an in-process inbox (`INBOX`). The GUI subscribes with `INBOX.subscribe(callback)` and
shows each one; with no subscriber (a headless `incident-desk watch`) each message is written as a log
line on the `incident_desk.desktop` logger instead, so it is never silently dropped.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Callable, Literal

from incident_desk.plugin import BaseNotifier, DeliveryResult, Message, NotifierConfig, hookimpl

log = logging.getLogger("incident_desk.desktop")


class DesktopConfig(NotifierConfig):
    urgency: Literal["low", "normal", "critical"] = "normal"


class DesktopInbox:
    """Thread-safe queue of recent desktop notifications with subscribers (the GUI)."""

    def __init__(self, size: int = 200) -> None:
        self._recent: deque[tuple[Message, str]] = deque(maxlen=size)
        self._subscribers: list[Callable[[Message, str], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[Message, str], None]) -> Callable[[], None]:
        """Call `callback(message, urgency)` for each new notification; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[[Message, str], None]) -> None:
        with self._lock:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def post(self, message: Message, urgency: str) -> int:
        """Queue a notification; returns how many subscribers were told."""
        with self._lock:
            self._recent.append((message, urgency))
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(message, urgency)
        return len(subscribers)

    def recent(self) -> list[tuple[Message, str]]:
        with self._lock:
            return list(self._recent)


INBOX = DesktopInbox()


class DesktopNotifier(BaseNotifier):
    """Show the message as a desktop notification (a log line when no desktop app is listening)."""

    name = "desktop"
    config_model = DesktopConfig
    description = "Desktop notification in the Incident Desk app (log line when headless)"

    def send(self, message: Message, config: DesktopConfig) -> DeliveryResult:
        told = INBOX.post(message, config.urgency)
        if told:
            return DeliveryResult.sent(detail=f"shown in {told} window(s)")
        level = logging.WARNING if config.urgency == "critical" else logging.INFO
        log.log(level, "[%s] %s: %s", message.incident_id, message.subject, message.text.replace("\n", " ")[:500])
        return DeliveryResult.sent(detail="no desktop app listening; written to the log")


@hookimpl
def register_notifiers(register):
    register(DesktopNotifier())
