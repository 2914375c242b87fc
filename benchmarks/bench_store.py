"""Benchmark of the store against stock TinyDB, in the same run (issue 2, "Measure").

Workspace: 10,000 incidents with 40 timeline events each (`--small`: 1,000). Measures, with stock TinyDB
(default JSONStorage, everything in one file) as the baseline:
- append one timeline event (durable, fsync'd) vs one stock insert: median, ratio (target >= 50x, <= 10 ms);
- load the incident list (target <= 300 ms), cold (new Workspace) and warm;
- fetch one incident by id (target <= 5 ms) vs a stock search by id.

    python benchmarks/bench_store.py [--small] [--cache DIR] [--rebuild]

The built workspaces are cached under --cache (default: a folder in the temp dir) for reruns.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tinydb import Query, TinyDB  # noqa: E402

from incident_desk.domain import TimelineEvent  # noqa: E402
from incident_desk.store import Workspace  # noqa: E402
from store_fixture import build  # noqa: E402


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1,000 incidents instead of 10,000")
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "incident-desk-bench-store")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached workspaces")
    parser.add_argument("--appends", type=int, default=50)
    parser.add_argument("--stock-repeat", type=int, default=3, help="stock TinyDB operations to time (each ~1 s)")
    args = parser.parse_args()

    incidents = 1_000 if args.small else 10_000
    base = args.cache / f"{incidents}x{args.events}"
    root, stock_path = base / "workspace", base / "stock.json"
    if args.rebuild and base.exists():
        shutil.rmtree(base)
    if not (base / "complete").exists():
        shutil.rmtree(base, ignore_errors=True)
        start = time.perf_counter()
        build(root, stock_path, incidents, args.events)
        (base / "complete").touch()
        print(f"built {incidents:,} incidents x {args.events} events in {time.perf_counter() - start:.1f} s at {base}")
    work = base / "run"  # appends change the workspace: measure on a fresh hard-linked copy each run
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work / "workspace", copy_function=os.link)
    shutil.copy(stock_path, work / "stock.json")
    size = sum(p.stat().st_size for p in (root / "incidents").rglob("*.json"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d}")
    print(f"workspace: {incidents:,} incidents x {args.events} events; incident files {size / 1e6:,.0f} MB "
          f"(mean {size / incidents / 1e3:.1f} KB); stock file {stock_path.stat().st_size / 1e6:,.0f} MB")

    rng = random.Random(1)
    ws = Workspace.open(work / "workspace", auto_backup=False)
    ids = ws.incident_ids()
    stock = TinyDB(work / "stock.json")  # stock defaults: JSONStorage, one file, no caching middleware

    # -- list
    cold, opens = [], []
    for _ in range(5):
        start = time.perf_counter()
        fresh = Workspace.open(work / "workspace", auto_backup=False)
        opened = time.perf_counter()
        fresh.list_summaries()
        opens.append(opened - start)
        cold.append(time.perf_counter() - opened)
    listed = ws.list_summaries()
    warm = timed(ws.list_summaries, 5)
    stock_all = timed(lambda: stock.table("incidents").all(), args.stock_repeat)
    assert len(listed) == incidents

    # -- get one incident
    sample = [rng.choice(ids) for _ in range(100)]
    gets = []
    for incident_id in sample:
        start = time.perf_counter()
        incident = ws.get(incident_id)
        gets.append(time.perf_counter() - start)
        assert len(incident.timeline) >= args.events
    stock_search = timed(lambda: stock.table("incidents").search(Query().id == rng.choice(ids)), args.stock_repeat)

    # -- append one event, durable
    appends = []
    for n in range(args.appends):
        incident_id = rng.choice(ids)
        event = TimelineEvent(at=datetime.now(timezone.utc), text=f"benchmark append {n}", author="bench")
        start = time.perf_counter()
        ws.append_event(incident_id, event, actor="bench")
        appends.append(time.perf_counter() - start)
    stock_insert = timed(lambda: stock.table("timeline").insert(
        {"incident": rng.choice(ids), "at": datetime.now(timezone.utc).isoformat(), "text": "stock append"}),
        args.stock_repeat)
    # -- the audit check every write runs first (issue 7): the same appends with and without it, interleaved
    checked, unchecked, check_alone = audit_check_cost(ws, ids, rng, args.appends)
    after = ws.list_summaries()
    assert sum(s.timeline_count for s in after) == incidents * args.events + 3 * args.appends
    report = ws.verify_audit(sample[0])[0]
    assert report.ok, report.problems

    # -- a snapshot of the whole workspace (taken automatically once a day on the first write)
    first_backup = timed(ws.backup, 1)[0]
    second_backup = timed(ws.backup, 1)[0]

    med = statistics.median
    rows = [
        ("append one timeline event (durable)", med(appends), med(stock_insert), 10e-3, "stock insert"),
        ("open workspace + list incidents, cold", med(cold) + med(opens), med(stock_all), 300e-3, "stock table.all()"),
        ("list incidents, cold (new Workspace)", med(cold), med(stock_all), 300e-3, "stock table.all()"),
        ("list incidents, warm (same Workspace)", med(warm), med(stock_all), 300e-3, "stock table.all()"),
        ("get one incident by id", med(gets), med(stock_search), 5e-3, "stock search by id"),
    ]
    print(f"\n{'operation':40} {'store':>12} {'stock TinyDB':>14} {'ratio':>8}  target")
    for name, ours, theirs, target, _ in rows:
        verdict = "ok" if ours <= target else "MISSED"
        print(f"{name:40} {ms(ours):>12} {ms(theirs):>14} {theirs / ours:>7.0f}x  <= {ms(target)} {verdict}")
    print(f"\nappend p90 {ms(sorted(appends)[int(len(appends) * 0.9)])}, max {ms(max(appends))}; "
          f"get p90 {ms(sorted(gets)[90])}; append ratio target >= 50x: "
          f"{'ok' if med(stock_insert) / med(appends) >= 50 else 'MISSED'}")
    print(f"full snapshot: first {first_backup:.1f} s (copies every file), next {second_backup:.2f} s "
          "(hard-links unchanged files to the previous snapshot)")
    print("stock TinyDB does not fsync; the store's appends do (file + folder).")
    print(f"\naudit check on write (issue 7, target <= +20%): append with the check {ms(med(checked))}, without "
          f"{ms(med(unchecked))}: ratio {med(checked) / med(unchecked):.3f}; the check alone "
          f"{med(check_alone) * 1e6:,.0f} µs ({med(check_alone) / med(unchecked):.1%} of an append)")
    ws.close()
    shutil.rmtree(work, ignore_errors=True)


def audit_check_cost(ws: Workspace, ids: list[str], rng: random.Random, count: int):
    """Durable appends with the write-path audit check and with it switched off (interleaved, so both see
    the same machine load), and the check alone on the stored form of an incident."""
    from incident_desk.store import incident_file

    real_check = incident_file.StoredIncident.check_sealed
    checked, unchecked = [], []
    for n in range(count):
        for with_check, times in ((True, checked), (False, unchecked)):
            incident_file.StoredIncident.check_sealed = real_check if with_check else (lambda self: None)
            event = TimelineEvent(at=datetime.now(timezone.utc), text=f"audit check {n}", author="bench")
            incident_id = rng.choice(ids)
            start = time.perf_counter()
            ws.append_event(incident_id, event, actor="bench")
            times.append(time.perf_counter() - start)
    incident_file.StoredIncident.check_sealed = real_check
    stored = incident_file.read_stored(ws.incident_path(ids[0]), ids[0])
    alone = timed(stored.check_sealed, 200)
    return checked, unchecked, alone


if __name__ == "__main__":
    main()
