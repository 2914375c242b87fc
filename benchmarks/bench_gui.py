#!/usr/bin/env python3
"""Desktop window speed at 10,000 incidents, each against a baseline measured in the same run.

    python benchmarks/bench_gui.py [--incidents 10000] [--cache DIR]

- cold start: a fresh process imports the app, opens the workspace and shows the window with the list
  filled; 10,000 incidents vs an empty workspace (ratio), and the process's peak memory;
- filter as you type over 10,000 rows, per keystroke; baseline: Qt's own fixed-string proxy filter over
  the same model;
- open an incident with 1,000 timeline events (page and tabs shown); baseline: reading it from the store;
- add a scribe note to it until the row shows; baseline: the store's append alone.
Runs offscreen. Workspaces are built once with benchmarks/store_fixture.py and cached.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INCIDENT_DESK_ENTRY_POINTS", "0")

COLD_START = r"""
import sys, time, json
start = time.perf_counter()
from incident_desk.app.wiring import open_desk
from incident_desk.gui.app import application
from incident_desk.gui.main_window import MainWindow
from incident_desk.gui.qt import QSettings
app = application()
desk = open_desk(sys.argv[1], actor="bench")
store = {"seconds": 0.0}
read_summaries = desk.summaries
def timed_summaries():
    began = time.perf_counter()
    try:
        return read_summaries()
    finally:
        store["seconds"] += time.perf_counter() - began
desk.summaries = timed_summaries
window = MainWindow(desk, settings=QSettings(sys.argv[2], QSettings.Format.IniFormat), scheduler=False)
window.show()
window.start(background=False)
app.processEvents()
ready = time.perf_counter() - start
rows = window.list.proxy.rowCount()
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": ready, "rows": rows, "max_rss_mb": peak / 1024, "store_seconds": store["seconds"]}))
"""


BARE_QT = r"""
import sys, time, json
start = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication([sys.argv[0]])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.show()
app.processEvents()
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def bare_qt(repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", BARE_QT], capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
    return median(runs)


def cold_start(workspace: Path, settings: Path, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", COLD_START, str(workspace), str(settings)], capture_output=True,
                              text=True, env={**os.environ}, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "incident-desk-bench-gui")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from store_fixture import build

    big = args.cache / f"{args.incidents}x{args.events}"
    if not (big / "complete").exists():
        shutil.rmtree(big, ignore_errors=True)
        started = time.perf_counter()
        build(big / "workspace", big / "stock.json", args.incidents, args.events)
        (big / "complete").touch()
        print(f"built {args.incidents:,} incidents in {time.perf_counter() - started:.0f} s")
    long_one = args.cache / "1x1000"
    if not (long_one / "complete").exists():
        shutil.rmtree(long_one, ignore_errors=True)
        build(long_one / "workspace", long_one / "stock.json", 1, 1000)
        (long_one / "complete").touch()
    work = args.cache / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(long_one / "workspace", work / "long")  # notes are added to it: measure on a copy
    empty = work / "empty"
    from incident_desk.app.wiring import open_desk

    open_desk(empty, create=True).close()
    for folder in (big / "workspace", work / "long"):  # rules for the workspaces the fixture built
        rules = folder / "rules"
        if not rules.exists():
            shutil.copytree(empty / "rules", rules)
    settings = work / "settings.ini"

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d}")

    # -- cold start
    empty_runs = cold_start(empty, settings, args.repeat)
    big_runs = cold_start(big / "workspace", settings, args.repeat)
    bare_s = bare_qt(args.repeat)
    empty_s = median([r["seconds"] for r in empty_runs])
    big_s = median([r["seconds"] for r in big_runs])
    print(f"cold start to window ready, list filled: empty {empty_s:.2f} s; {args.incidents:,} incidents "
          f"{big_s:.2f} s ({big_runs[0]['rows']:,} rows) = {big_s / empty_s:.1f}x empty; a bare Qt window with a "
          f"table {bare_s:.2f} s (ours {big_s / bare_s:.1f}x that); target <= 2 s")
    store_s = median([r["store_seconds"] for r in big_runs])
    print(f"  of which the store's summaries() read {store_s:.2f} s; the window's own share {big_s - store_s:.2f} s")
    print(f"peak memory with {args.incidents:,} incidents open: {median([r['max_rss_mb'] for r in big_runs]):.0f} MB "
          f"(empty workspace {median([r['max_rss_mb'] for r in empty_runs]):.0f} MB)")

    # -- in-process measurements
    from incident_desk.gui.app import application
    from incident_desk.gui.main_window import MainWindow
    from incident_desk.gui.qt import QSettings, QSortFilterProxyModel

    app = application()
    desk = open_desk(big / "workspace", actor="bench")
    window = MainWindow(desk, settings=QSettings(str(settings), QSettings.Format.IniFormat), scheduler=False)
    window.show()
    window.start(background=False)
    app.processEvents()
    query = "checkout api"
    keystrokes = []
    for _ in range(args.repeat):
        for n in range(1, len(query) + 1):
            started = time.perf_counter()
            window.list.search.setText(query[:n])
            app.processEvents()
            keystrokes.append(time.perf_counter() - started)
        window.list.search.setText("")
        app.processEvents()
    stock = QSortFilterProxyModel()
    stock.setSourceModel(window.list.model)
    stock.setFilterKeyColumn(3)
    baseline = []
    for _ in range(args.repeat):
        for n in range(1, len(query) + 1):
            started = time.perf_counter()
            stock.setFilterFixedString(query[:n])
            stock.rowCount()
            baseline.append(time.perf_counter() - started)
        stock.setFilterFixedString("")
    mean_key, worst_key = statistics.mean(keystrokes), max(keystrokes)
    print(f"filter as you type over {window.list.model.rowCount():,} rows: mean {mean_key * 1e3:.1f} ms, worst "
          f"{worst_key * 1e3:.1f} ms per keystroke (widget updated); Qt fixed-string filter on one column "
          f"{statistics.mean(baseline) * 1e3:.1f} ms = {mean_key / statistics.mean(baseline):.1f}x; target <= 50 ms")
    window.close()
    desk.close()

    desk = open_desk(work / "long", actor="bench")
    window = MainWindow(desk, settings=QSettings(str(settings), QSettings.Format.IniFormat), scheduler=False)
    window.resize(1600, 960)
    window.show()
    window.start(background=False)
    app.processEvents()
    (incident_id,) = [s.id for s in desk.summaries()]
    opens, reads = [], []
    page = window.page
    page.tabs.setCurrentWidget(page.tab_pages["Timeline"])
    for _ in range(args.repeat * 2):
        page.incident = None
        page.tab_pages["Timeline"]._shown = None
        started = time.perf_counter()
        page.open_incident(incident_id)
        app.processEvents()
        opens.append(time.perf_counter() - started)
        started = time.perf_counter()
        desk.get(incident_id)
        reads.append(time.perf_counter() - started)
    events = page.tab_pages["Timeline"].model.rowCount()
    print(f"open an incident with {events:,} timeline events (header, clocks, timeline tab shown): "
          f"{median(opens) * 1e3:.0f} ms; reading it from the store {median(reads) * 1e3:.0f} ms = "
          f"{median(opens) / median(reads):.1f}x; target <= 300 ms")
    timeline = page.tab_pages["Timeline"]
    notes, appends = [], []
    for number in range(args.repeat * 5):
        timeline.scribe.setText(f"scribe note {number}")
        started = time.perf_counter()
        timeline.add_note()
        app.processEvents()
        notes.append(time.perf_counter() - started)
    window.feed.stop()  # the store-only appends below would otherwise reload the open page
    for number in range(args.repeat * 5):
        started = time.perf_counter()
        desk.add_event(incident_id, f"store-only note {number}")
        appends.append(time.perf_counter() - started)
    print(f"add a scribe note until it shows: {median(notes) * 1e3:.1f} ms; the store's append alone "
          f"{median(appends) * 1e3:.1f} ms = {median(notes) / median(appends):.2f}x; target <= 50 ms")
    window.close()
    desk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
