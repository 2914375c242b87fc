"""Benchmark of `audit verify` (issues 7 and 10): full and incremental, against the old verification.

Workspace: 50,000 incidents with 40 timeline events each (`--incidents N` to change; built once by
`store_fixture` and cached). Measures, in the same run:
- baseline: the per-incident verification that re-validates every incident with pydantic
  (`Workspace.verify_audit`), on `--baseline-sample` incidents, scaled to the whole workspace;
- `--full`: every record of every file hashed, no model validation, two processes (target <= 5 s at 50k);
- incremental after 100 appends (target <= 1 s at 50k), with an unsigned checkpoint as the reference;
- a checkpoint of every head.

    python benchmarks/bench_audit.py [--incidents 50000] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_desk.app import audit_service  # noqa: E402
from incident_desk.domain import TimelineEvent  # noqa: E402
from incident_desk.store import Workspace  # noqa: E402
from store_fixture import build  # noqa: E402


def seconds(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the verification's worker processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "incident-desk-bench-store")
    args = parser.parse_args()

    base = args.cache / f"{args.incidents}x{args.events}"
    root = base / "workspace"
    if not (base / "complete").exists():
        shutil.rmtree(base, ignore_errors=True)
        took, _ = seconds(lambda: build(root, base / "stock.json", args.incidents, args.events))
        (base / "complete").touch()
        print(f"built {args.incidents:,} incidents x {args.events} events in {took:.0f} s at {base}")
    work = base / "audit-run"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work / "workspace", copy_function=os.link)
    os.environ[audit_service.CACHE_DIR_ENV] = str(work / "verify-cache")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}, Python "
          f"{platform.python_version()}, {datetime.now(timezone.utc):%Y-%m-%d}")
    ws = Workspace.open(work / "workspace", auto_backup=False)
    ids = ws.incident_ids()
    print(f"workspace: {len(ids):,} incidents x {args.events} events, {args.events + 1} audit records each")

    rng = random.Random(3)
    sample = rng.sample(ids, min(args.baseline_sample, len(ids)))
    took, _ = seconds(lambda: [ws.verify_audit(incident_id) for incident_id in sample])
    baseline = took / len(sample) * len(ids)
    print(f"\nbaseline (pydantic re-validation, {len(sample):,} incidents scaled): {baseline:8.2f} s")

    cpu = cpu_seconds()
    full, outcome = seconds(lambda: audit_service.verify(ws, full=True))
    cpu = cpu_seconds() - cpu
    assert outcome.ok, outcome.result.failed[:1]
    print(f"verify --full (hashes only, no cache):          {full:8.2f} s   {baseline / full:5.1f}x faster  "
          f"target <= 5 s {'ok' if full <= 5 else 'MISSED'}  (CPU {cpu:.2f} s, 2 processes)")

    took, (entry, _) = seconds(lambda: audit_service.checkpoint(ws, actor="bench", at=datetime.now(timezone.utc),
                                                                key=None))
    print(f"audit checkpoint (unsigned, {entry['incidents']:,} heads):       {took:8.2f} s")

    quiet, outcome = seconds(lambda: audit_service.verify(ws))
    assert outcome.ok and outcome.result.checked == 0
    print(f"verify, nothing changed:                        {quiet:8.2f} s")
    changed = rng.sample(ids, args.changes)
    for n, incident_id in enumerate(changed):
        ws.append_event(incident_id, TimelineEvent(at=datetime.now(timezone.utc), text=f"change {n}",
                                                   author="bench"), actor="bench")
    cpu = cpu_seconds()
    quick, outcome = seconds(lambda: audit_service.verify(ws))
    cpu = cpu_seconds() - cpu
    assert outcome.ok and outcome.result.checked == args.changes, outcome.result.checked
    print(f"verify after {args.changes} changes (incremental):         {quick:8.2f} s   "
          f"{baseline / quick:5.0f}x faster than the baseline  target <= 1 s {'ok' if quick <= 1 else 'MISSED'}  "
          f"(CPU {cpu:.2f} s)")
    ws.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
