"""The measurable signals the maturity rubric scores, as pure functions over incident summaries.

Each signal is a number with its evidence (what was counted, which incidents). Signals are measured over
a trailing window (default 365 days) ending at `now`; production incidents only, except `drills`.
`None` means the signal cannot be measured (nothing to count), which never meets a threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .incident import WorkStatus
from .metrics import clock_tta
from .summary import IncidentSummary

POSTMORTEM_DUE = timedelta(hours=48)


@dataclass(frozen=True)
class SignalSpec:
    name: str
    unit: str
    higher_is_better: bool
    description: str


SIGNALS: dict[str, SignalSpec] = {s.name: s for s in (
    SignalSpec("postmortem_rate", "%", True, "resolved incidents past their 48 h due time whose post-mortem was held"),
    SignalSpec("postmortem_timeliness", "%", True, "of those, post-mortems held within 48 h of resolution"),
    SignalSpec("action_item_closure", "%", True, "action items created in the window (not cancelled) that are done"),
    SignalSpec("overdue_action_items", "%", False, "open action items past their due date"),
    SignalSpec("mtta_trend", "%", False, "change of mean time to acknowledge, last quarter of the window "
                                         "against the quarter before (negative = faster)"),
    SignalSpec("playbook_coverage", "%", True, "incident types seen in the window that have a playbook"),
    SignalSpec("drills", "count", True, "drills (exercise incidents) recorded in the window"),
    SignalSpec("response_targets_met", "%", True, "incidents acknowledged within their level's target"),
    SignalSpec("checklist_usage", "%", True, "incidents with a playbook checklist attached"),
    SignalSpec("timestamps_complete", "%", True, "incidents with start, alert, acknowledgement and resolution "
                                                 "times all recorded (resolved incidents)"),
)}


@dataclass(frozen=True)
class Signal:
    name: str
    value: float | None
    evidence: str
    incidents: tuple[str, ...] = ()


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _ids(summaries: Iterable[IncidentSummary], limit: int = 10) -> tuple[str, ...]:
    return tuple(s.id for s in summaries)[:limit]


def _listed(summaries: list[IncidentSummary], limit: int = 10) -> str:
    """`INC-1, INC-2 and 3 more`: the first incidents by id, and how many are left out."""
    shown = ", ".join(s.id for s in summaries[:limit])
    return shown + (f" and {len(summaries) - limit} more" if len(summaries) > limit else "")


def measure(summaries: Iterable[IncidentSummary], now: datetime, *, window_days: int = 365,
            playbook_types: Iterable[str] = (), ack_targets: Mapping[str, timedelta] | None = None) -> dict[str, Signal]:
    """Every signal of `SIGNALS`, measured over the `window_days` days ending at `now`."""
    start = now - timedelta(days=window_days)
    everything = [s for s in summaries if s.clock.started_at is not None and start <= s.clock.started_at <= now]
    production = [s for s in everything if not s.drill]
    drills = [s for s in everything if s.drill]
    found: dict[str, Signal] = {}

    due = [s for s in production if s.clock.resolved_at is not None and
           (s.postmortem_delay_seconds is not None or s.clock.resolved_at + POSTMORTEM_DUE <= now)]
    held = [s for s in due if s.postmortem_delay_seconds is not None]
    timely = [s for s in held if (s.postmortem_delay_seconds or 0.0) <= POSTMORTEM_DUE.total_seconds()]
    missing = [s for s in due if s.postmortem_delay_seconds is None]
    found["postmortem_rate"] = Signal("postmortem_rate", _pct(len(held), len(due)),
                                      f"{len(held)} of {len(due)} resolved incidents had a post-mortem"
                                      + (f"; none yet for {_listed(missing)}" if missing else ""),
                                      _ids(missing))
    late = [s for s in held if s not in timely]
    found["postmortem_timeliness"] = Signal("postmortem_timeliness", _pct(len(timely), len(due)),
                                            f"{len(timely)} of {len(due)} held within 48 h"
                                            + (f"; late: {_listed(late)}" if late else ""), _ids(late))

    items = [(s, a) for s in production for a in s.action_items
             if a.status is not WorkStatus.CANCELLED and (a.created_at or s.clock.declared_at or now) >= start]
    done = [(s, a) for s, a in items if a.status is WorkStatus.DONE]
    found["action_item_closure"] = Signal("action_item_closure", _pct(len(done), len(items)),
                                          f"{len(done)} of {len(items)} action items done")
    open_items = [(s, a) for s, a in items if a.status.is_open]
    overdue = [(s, a) for s, a in open_items if a.due is not None and a.due < now.date()]
    found["overdue_action_items"] = Signal(
        "overdue_action_items", _pct(len(overdue), len(open_items)),
        f"{len(overdue)} of {len(open_items)} open action items overdue"
        + (": " + ", ".join(f"{s.id} {a.id}" for s, a in overdue[:10])
           + (f" and {len(overdue) - 10} more" if len(overdue) > 10 else "") if overdue else ""),
        tuple(dict.fromkeys(s.id for s, _ in overdue))[:10])

    quarter = timedelta(days=91)
    starts = [(s.clock.started_at, t) for s in production
              if (t := clock_tta(s.clock)) is not None and s.clock.started_at is not None]
    recent = [t for started, t in starts if started > now - quarter]
    before = [t for started, t in starts if now - 2 * quarter < started <= now - quarter]
    trend = None
    if recent and before:
        recent_mean = sum(t.total_seconds() for t in recent) / len(recent)
        before_mean = sum(t.total_seconds() for t in before) / len(before)
        trend = round(100.0 * (recent_mean - before_mean) / before_mean, 2) if before_mean else None
        text = (f"MTTA {recent_mean / 60:.1f} min over the last 91 days ({len(recent)} incidents) against "
                f"{before_mean / 60:.1f} min the 91 days before ({len(before)})")
    else:
        text = "not enough acknowledged incidents in the last two quarters to see a trend"
    found["mtta_trend"] = Signal("mtta_trend", trend, text)

    types = sorted({s.type for s in production})
    covered = set(playbook_types)
    uncovered = [t for t in types if t not in covered]
    found["playbook_coverage"] = Signal("playbook_coverage", _pct(len(types) - len(uncovered), len(types)),
                                        f"{len(types) - len(uncovered)} of {len(types)} incident types seen have a "
                                        "playbook" + (f"; none for {', '.join(uncovered)}" if uncovered else ""))
    found["drills"] = Signal("drills", float(len(drills)), f"{len(drills)} drills recorded"
                             + (f": {_listed(drills)}" if drills else ""), _ids(drills))

    targets = ack_targets or {}
    judged = [(s, tta, targets[s.severity]) for s in production
              if s.severity is not None and s.severity in targets and (tta := clock_tta(s.clock)) is not None]
    slow = [s for s, tta, target in judged if tta > target]
    found["response_targets_met"] = Signal("response_targets_met", _pct(len(judged) - len(slow), len(judged)),
                                           f"{len(judged) - len(slow)} of {len(judged)} incidents acknowledged "
                                           "within their level's target"
                                           + (f"; slower: {_listed(slow)}" if slow else ""), _ids(slow))
    with_checklist = [s for s in production if s.checklist_steps]
    found["checklist_usage"] = Signal("checklist_usage", _pct(len(with_checklist), len(production)),
                                      f"{len(with_checklist)} of {len(production)} incidents used a playbook checklist")
    resolved = [s for s in production if s.clock.resolved_at is not None]
    complete = [s for s in resolved if s.clock.alerted_at and s.clock.acknowledged_at and s.clock.started_at]
    found["timestamps_complete"] = Signal("timestamps_complete", _pct(len(complete), len(resolved)),
                                          f"{len(complete)} of {len(resolved)} resolved incidents have every "
                                          "response time recorded")
    return found
