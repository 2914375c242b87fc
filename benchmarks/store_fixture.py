"""Builds large benchmark workspaces fast: incident files, index and a stock-TinyDB twin, written in bulk.

The incident files have exactly the shape `Workspace` writes (core, timeline, communications and a valid
audit chain of one record per write: the declaration plus one per timeline event), so the workspace opens,
lists, reads, appends and verifies normally. Only the intermediate audit records' `state_hash` values are
synthetic (computing the real one for each of 400,000 historical states would dominate the build); the
chain hashes and the last record's state hash are real, so `verify_audit` passes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

from incident_desk.domain import Incident, incident_number, summarize
from incident_desk.store import audit, incident_file, index, schema
from incident_desk.store.storage import atomic_write_bytes

TYPES = ["availability", "performance", "security", "data-loss", "degradation"]
SERVICES = ["api", "checkout", "search", "auth", "billing", "db", "cdn", "queue"]
STATUSES = ["resolved", "closed", "post-mortem", "investigating", "monitoring"]
KINDS = ["alert", "status", "action", "decision", "communication", "note"]


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def incident_tables(incident_id: str, number: int, events: int, rng: random.Random,
                    span_minutes: int = 700_000, minute: int | None = None, *, started: datetime | None = None,
                    items_done: float = 0.0) -> tuple[dict, dict]:
    """(TinyDB tables of the incident file, the incident as a plain dict for the stock twin). The start is
    `started` if given, else `minute` minutes after 2024-06-01, else a random minute within `span_minutes`.
    Each action item (due 14 days after the start) is done with the probability `items_done`."""
    if started is None:
        offset = rng.randrange(0, span_minutes) if minute is None else minute
        started = datetime(2024, 6, 1, tzinfo=timezone.utc) + timedelta(minutes=offset)
    status = rng.choice(STATUSES)
    resolved = started + timedelta(minutes=rng.randrange(10, 600)) if status in ("resolved", "closed", "post-mortem") else None
    incident = Incident(
        id=incident_id, title=f"Incident {number}: {rng.choice(SERVICES)} errors above threshold",
        summary="Synthetic benchmark incident with a realistic amount of text in its summary field.",
        type=rng.choice(TYPES), tags=[f"team-{rng.randrange(8)}"], services=rng.sample(SERVICES, 2),
        affected_systems=[f"cluster-{rng.randrange(20)}"], status=status,
        facts={"customer_impact_pct": rng.randrange(0, 101), "customers_affected": rng.randrange(0, 50_000),
               "revenue_per_hour": float(rng.randrange(0, 100_000))},
        clock={"started_at": started, "alerted_at": started + timedelta(minutes=2),
               "declared_at": started + timedelta(minutes=3), "resolved_at": resolved},
        severity={"computed": f"SEV-{rng.randrange(1, 5)}"},
        action_items=[{"id": f"AI-{k}", "title": f"Follow-up {k}", "owner": "owner", "priority": "high",
                       "due": (started + timedelta(days=14)).date(),
                       **({"status": "done", "completed_at": started + timedelta(days=10)}
                          if rng.random() < items_done else {})}
                      for k in range(rng.randrange(0, 3))],
        created_by="bench",
    )
    core = incident.model_dump(mode="json", exclude={"timeline", "communications"})
    timeline = [{"id": f"{number:06d}{k:06d}", "at": _iso(started + timedelta(minutes=k)), "kind": rng.choice(KINDS),
                 "text": f"Timeline entry {k}: checked dashboards, paged the on-call, noted error rates.",
                 "source": "manual", "author": "scribe"} for k in range(events)]
    core["revision"] = events + 1
    audit_docs: dict[str, dict] = {}
    prev = audit.genesis_hash(incident_id)
    final_state = audit.state_hash(core, timeline, [])
    for seq in range(1, events + 2):
        state = final_state if seq == events + 1 else audit.genesis_hash(f"{incident_id}@{seq}")
        doc = audit.new_record_doc(seq=seq, at=started + timedelta(minutes=seq), actor="scribe",
                                   action="declare" if seq == 1 else "timeline.add", revision=seq,
                                   changed=["incident"] if seq == 1 else ["timeline"], state=state, prev_hash=prev)
        prev = doc["hash"]
        audit_docs[str(seq)] = doc
    tables = {incident_file.CORE: {"1": core},
              incident_file.TIMELINE: {str(k + 1): e for k, e in enumerate(timeline)},
              incident_file.COMMUNICATIONS: {}, incident_file.AUDIT: audit_docs}
    plain = dict(core, timeline=timeline, communications=[])
    return tables, plain


def build(root: Path, stock_path: Path | None, incidents: int, events: int, seed: int = 7,
          span_minutes: int = 700_000, in_order: bool = False,
          plan: Callable[[int], tuple[str, datetime, float]] | None = None) -> None:
    """Write a workspace of `incidents` x `events` at `root`, and the same data as one stock TinyDB file
    (unless `stock_path` is None: at 50,000 incidents the twin would need gigabytes of memory). Start times
    spread uniformly over `span_minutes` from 2024-06-01: at random, or `in_order` of the ids (each year's
    ids in the order of their start times, as declared incidents are) with up to 10 hours of jitter; or as
    `plan(number)` says: (id, start, probability that each of its action items is done)."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for folder in ("incidents", "index", "intents", "locks", "backups"):
        (root / folder).mkdir()
    schema.write_meta(root, schema.new_meta())
    shards: dict[str, dict[int, tuple]] = {}
    stock: dict[str, dict] = {}
    per_year = (incidents + 1) // 2
    for number in range(incidents):
        if plan is not None:  # the caller's id, start and share of action items done
            incident_id, started, items_done = plan(number)
            year, seq = incident_number(incident_id)
            tables, plain = incident_tables(incident_id, number, events, rng, started=started, items_done=items_done)
        else:
            year, seq = (2025, number + 1) if number < per_year else (2026, number - per_year + 1)
            incident_id = f"INC-{year}-{seq:03d}"
            ordered = (year - 2025) + 2 * (seq - 1)  # interleave the two years so both cover the whole span
            minute = ordered * span_minutes // (incidents + 1) + rng.randrange(0, 600) if in_order else None
            tables, plain = incident_tables(incident_id, number, events, rng, span_minutes, minute)
        path = root / "incidents" / str(year) / f"{incident_id}.json"
        path.parent.mkdir(exist_ok=True)
        stat = atomic_write_bytes(path, orjson.dumps(tables), fsync=False)
        summary = summarize(Incident.model_validate(plain))
        shards.setdefault(index.shard_name(incident_id), {})[seq] = (summary, index.stamp_of(stat))
        if stock_path is not None:
            stock[str(number + 1)] = plain
    for name, entries in shards.items():
        index.write_shard(root / "index" / name, entries, fsync=False)
    if stock_path is not None:
        stock_path.write_text(json.dumps({"incidents": stock}), encoding="utf-8")
