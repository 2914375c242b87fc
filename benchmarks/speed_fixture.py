"""Large benchmark workspaces for the speed benchmarks (issue 10), built once and cached under /tmp.

    python benchmarks/speed_fixture.py 1000 10000 50000 [--events 20] [--cache DIR]

Each workspace is `<cache>/<N>x<events>-3perday-in-order/workspace`, written by `store_fixture.build` (incident files with a
valid audit chain, and the index); a `complete` marker says the build finished. Incidents start at a steady
rate of three a day (`MINUTES_PER_INCIDENT`) in the order of their ids, so a bigger workspace holds a
longer history, not a denser one: the 1,000-incident workspace covers about 11 months, the 50,000 one
about 45 years. Building 50,000 incidents takes several minutes on a 2-core machine, so benchmarks reuse
the cache and work on hard-linked copies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_fixture import build  # noqa: E402

from incident_desk.store import index  # noqa: E402

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "incident-desk-speed"
MINUTES_PER_INCIDENT = 480


def cached_workspace(incidents: int, events: int, cache: Path = DEFAULT_CACHE) -> Path:
    """The cached workspace of `incidents` x `events`, built first if missing."""
    base = cache / f"{incidents}x{events}-3perday-in-order"
    if not (base / "complete").exists():
        shutil.rmtree(base, ignore_errors=True)
        start = time.perf_counter()
        build(base / "workspace", None, incidents, events, span_minutes=incidents * MINUTES_PER_INCIDENT,
              in_order=True)
        (base / "complete").touch()
        print(f"built {incidents:,} incidents x {events} events in {time.perf_counter() - start:.0f} s at {base}",
              file=sys.stderr)
    current_layout(base / "workspace")
    return base / "workspace"


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
