"""Benchmark of workspace metrics for a year (issue 13, "Measure"): 10,000 incidents (<= 300 ms) and
50,000 incidents (<= 1 s), with a baseline in the same run.

Measured per workspace size:
- `figures`: every figure of `incident-desk metrics --period yearly` (this year and the year before, with
  trends) over summaries already in memory (the desk's warm list);
- `warm desk`: the whole `metrics_service.compute` through an open desk (list from the warm cache + figures);
- `cold desk`: the same on a newly opened workspace (index read from disk + figures);
- baseline: the same figures computed from the full incidents read one by one (`workspace.get`), which
  is what metrics would cost without the summary index; the ratio is baseline / cold desk.

    python benchmarks/bench_metrics.py [--sizes 10000 50000] [--cache DIR] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_desk.app.metrics_service import MetricsRequest, compute  # noqa: E402
from incident_desk.app.desk import Desk  # noqa: E402
from incident_desk.app.rules_provider import RulesProvider  # noqa: E402
from incident_desk.store import Workspace  # noqa: E402
from incident_desk.domain import summarize  # noqa: E402
from store_fixture import build  # noqa: E402

NOW = datetime(2026, 1, 15, tzinfo=timezone.utc)
REQUEST = MetricsRequest(period="yearly", at="2025-06-01", tz="Europe/Berlin")


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def desk_at(path: Path):
    """A desk as `wiring.open_desk` builds it, without the daily automatic backup (not what is measured)."""
    rules = RulesProvider.for_workspace(path)
    return Desk(Workspace.open(path, auto_backup=False), rules=rules, classifier=rules.classify, clock=lambda: NOW)


def measure(path: Path, repeat: int) -> dict[str, float]:
    desk = desk_at(path)
    summaries = desk.summaries()
    figures, report = timed(lambda: compute(desk, REQUEST, summaries), repeat)
    warm, _ = timed(lambda: compute(desk, REQUEST), repeat)
    desk.close()

    def cold():
        fresh = desk_at(path)
        try:
            return compute(fresh, REQUEST)
        finally:
            fresh.close()

    cold_time, _ = timed(cold, max(1, repeat // 2))

    def baseline():
        fresh = desk_at(path)
        try:
            full = [summarize(fresh.workspace.get(s.id)) for s in fresh.workspace.list_summaries()]
            return compute(fresh, REQUEST, full)
        finally:
            fresh.close()

    base_time, base_report = timed(baseline, 1)
    assert base_report.current.count == report.current.count  # same figures either way
    return {"incidents": len(summaries), "in_year": report.current.count, "figures": figures, "warm": warm,
            "cold": cold_time, "baseline": base_time}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--events", type=int, default=2, help="timeline events per incident (metrics never read them)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "incident-desk-bench-metrics")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d}")
    targets = {10_000: 0.300, 50_000: 1.0}
    for size in args.sizes:
        root = args.cache / f"{size}x{args.events}"
        if args.rebuild or not (root / "workspace").exists():
            import shutil
            shutil.rmtree(root, ignore_errors=True)
            started = time.perf_counter()
            build(root / "workspace", root / "stock.json", size, args.events)
            print(f"built {size:,} incidents in {time.perf_counter() - started:.0f} s")
        result = measure(root / "workspace", args.repeat)
        target = targets.get(size)
        verdict = "" if target is None else f" (target <= {ms(target)}: {'met' if result['cold'] <= target else 'MISSED'})"
        print(f"{result['incidents']:,} incidents, {result['in_year']:,} in 2025 (Europe/Berlin):")
        print(f"  figures over listed summaries  {ms(result['figures'])}")
        print(f"  warm desk (list + figures)     {ms(result['warm'])}")
        print(f"  cold desk (open + list + fig.) {ms(result['cold'])}{verdict}")
        print(f"  baseline: full incidents       {ms(result['baseline'])}  ratio {result['baseline'] / result['cold']:.1f}x")


if __name__ == "__main__":
    main()
