"""Large benchmark workspaces for the speed benchmarks (issue 10), built once and cached under /tmp.

    python benchmarks/speed_fixture.py 1000 10000 50000 [--events 20] [--cache DIR]

Each workspace is a history that ends on the day it is built, as a real desk's does: incidents start at a
steady three a day (`MINUTES_PER_INCIDENT`), the newest half a day before the build, so a bigger workspace
holds a longer history, not a denser one (1,000 incidents cover 11 months, 50,000 about 45 years) while
the last days, weeks and months (the windows a report, the metrics and the maturity assessment read) hold
the same incidents at every size. Ids are numbered per year of their start, in start order, as `declare`
numbers them. Action items are closed as a team closes them: every item of an incident older than a year
is done, 90 % of those of the year before the last 90 days, none of the last 90 days (so about 300 items are
overdue at every size of a year or more).

Written by `store_fixture.build` (incident files with a valid audit chain, and the index) at
`<cache>/<N>x<events>-history-to-<day>/workspace`; a `complete` marker says the build finished. A build
is reused for `MAX_AGE_DAYS` (its windows drift by a day a day), then built again. Building 50,000
incidents takes several minutes on a 2-core machine, so benchmarks reuse the cache and work on
hard-linked copies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_fixture import build  # noqa: E402

from incident_desk.store import index  # noqa: E402

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "incident-desk-speed"
MINUTES_PER_INCIDENT = 480
MAX_AGE_DAYS = 7


def cached_workspace(incidents: int, events: int, cache: Path = DEFAULT_CACHE) -> Path:
    """The cached workspace of `incidents` x `events` whose history ends at most `MAX_AGE_DAYS` ago, built
    first if there is none."""
    today = datetime.now(timezone.utc).date()
    for candidate in sorted(cache.glob(f"{incidents}x{events}-history-to-*"), reverse=True):
        built = date.fromisoformat(candidate.name.rsplit("-to-", 1)[1])
        if (candidate / "complete").exists() and (today - built).days <= MAX_AGE_DAYS:
            current_layout(candidate / "workspace")
            return candidate / "workspace"
    base = cache / f"{incidents}x{events}-history-to-{today.isoformat()}"
    shutil.rmtree(base, ignore_errors=True)
    started = time.perf_counter()
    end = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(hours=12)
    build(base / "workspace", None, incidents, events, plan=history_plan(incidents, end))
    (base / "complete").touch()
    print(f"built {incidents:,} incidents x {events} events in {time.perf_counter() - started:.0f} s at {base}",
          file=sys.stderr)
    return base / "workspace"


def history_plan(incidents: int, end: datetime) -> Callable[[int], tuple[str, datetime, float]]:
    """Incident `number` of a history of `incidents` ending at `end`: its id, start and the share of its
    action items done (by the age of the incident at `end`)."""
    starts = [end - timedelta(minutes=MINUTES_PER_INCIDENT * (incidents - 1 - n)) for n in range(incidents)]
    per_year: dict[int, int] = {}
    plans = []
    for start in starts:
        per_year[start.year] = per_year.get(start.year, 0) + 1
        age = end - start
        done = 1.0 if age > timedelta(days=365) else 0.9 if age > timedelta(days=90) else 0.0
        plans.append((f"INC-{start.year}-{per_year[start.year]:03d}", start, done))
    return plans.__getitem__


def current_layout(root: Path) -> None:
    """Rewrite index shards of an older layout (or without their span file) in the current one (a cache built
    by an older checkout)."""
    for shard in sorted((root / "index").glob("summaries-*.json")):
        raw = shard.read_bytes()
        if not raw.startswith(index.FORMAT) or not index.span_path(shard).exists():
            rows = index.rows_from_bytes(raw, shard)
            index.write_shard_rows(shard, {int(i[9:]): entry for i, entry in rows.items()}, fsync=False)


def working_copy(source: Path, target: Path) -> Path:
    """A copy of a cached workspace made of hard links (every write replaces a file by rename, so the cache
    stays untouched), except the index journal, which is appended in place: copied."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=os.link, ignore=shutil.ignore_patterns("journal.jsonl"))
    if (source / "index" / "journal.jsonl").exists():  # the only file written in place (appended)
        shutil.copy(source / "index" / "journal.jsonl", target / "index" / "journal.jsonl")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    for size in args.sizes:
        print(cached_workspace(size, args.events, args.cache))


if __name__ == "__main__":
    main()
