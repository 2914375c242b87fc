"""Fixtures for the desktop window: a real workspace on disk, a clock the test moves, the real main window."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from incident_desk.app.wiring import open_desk
from incident_desk.gui.qt import QSettings

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


class FakeClock:
    """The desk's clock, moved by the test (never the machine's speed)."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def workspace_path(tmp_path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def desk(workspace_path, clock):
    desk = open_desk(workspace_path, create=True, actor="Dana")
    desk.clock = clock
    yield desk
    desk.close()


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, settings):
    from incident_desk.gui.main_window import MainWindow

    windows = []

    def make(desk, **kwargs):
        window = MainWindow(desk, settings=settings, scheduler=kwargs.pop("scheduler", False), **kwargs)
        qtbot.addWidget(window)
        window.show()
        window.start(background=False)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.feed.stop()
        window.runner.wait(10000)


@pytest.fixture
def window(make_window, desk):
    return make_window(desk)


def declare(desk, title: str = "Checkout returns 500", **facts):
    return desk.declare(title=title, services=["checkout"], facts=facts or {"customer_impact_pct": 20},
                        started_at=desk.clock() - timedelta(minutes=5), commander="Dana")
