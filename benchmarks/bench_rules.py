"""Rules engine benchmarks, each against a baseline measured in the same run (ratios printed).

1. Classify one incident (the seed) with full explanation vs the `rule-engine` library evaluating the
   same conditions; also compiled matchers alone vs rule-engine alone (the issue's measurement).
2. Backtest 10,000 incidents x 20 rules (target <= 250 ms) vs classifying each incident twice in full.
3. Load and validate all rule files (target <= 100 ms) vs a bare ruamel.yaml safe load of the same files.

Run: /work/venv/bin/python benchmarks/bench_rules.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rule_engine  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

from incident_desk.domain import Clock, Facts, Incident, IncidentSummary, Status  # noqa: E402
from incident_desk.engine import backtest, load_ruleset  # noqa: E402
from incident_desk.engine.conditions import Leaf, leaves  # noqa: E402

RULES = ROOT / "rules"
UTC = timezone.utc


def best_of(fn, repeat: int, number: int) -> float:
    """Best mean seconds per call over `repeat` rounds of `number` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def seed() -> Incident:
    t = datetime(2025, 1, 15, 2, 30, tzinfo=UTC)
    return Incident(id="INC-2025-001", title="Database cluster failover failure causing 100% API error rate",
                    status=Status.RESOLVED,
                    clock=Clock(started_at=t, alerted_at=t, declared_at=t + timedelta(minutes=2, seconds=15),
                                acknowledged_at=t + timedelta(minutes=5), resolved_at=t + timedelta(hours=2, minutes=15)),
                    facts=Facts(customer_impact_pct=100, revenue_per_hour=85_000, sla_target_pct=99.95,
                                sla_actual_pct=99.12))


# ----------------------------------------------------------------------------- rule-engine translation


def _literal(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return repr(float(value))


def leaf_expression(leaf: Leaf) -> str:
    f, op, v = leaf.field, leaf.op, leaf.value
    guard = f"{f} != null and "
    symbols = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
    if op in symbols:
        return f"({guard}{f} {symbols[op]} {_literal(v)})"
    if op == "contains":
        return f"({_literal(v)} in {f})"
    if op == "contains_any":
        return "(" + " or ".join(f"{_literal(x)} in {f}" for x in sorted(v)) + ")"
    if op == "between":
        return f"({guard}{f} >= {_literal(v[0])} and {f} <= {_literal(v[1])})"
    raise ValueError(f"no translation for {op}")


def node_expression(node) -> str:
    if isinstance(node, Leaf):
        return leaf_expression(node)
    if node.kind == "not":
        return f"not {node_expression(node.children[0])}"
    joiner = " and " if node.kind == "all" else " or "
    return "(" + joiner.join(node_expression(c) for c in node.children) + ")"


def bench_classify() -> None:
    ruleset = load_ruleset(RULES)
    incident = seed()
    rules = ruleset.severity_rules.rules
    context = rule_engine.Context(default_value=None)
    compiled = [rule_engine.Rule(node_expression(r.node), context=context) for r in rules]
    leaf_rules = [rule_engine.Rule(leaf_expression(leaf), context=context) for r in rules for leaf in leaves(r.node)]
    row = ruleset.row(incident)
    matchers = [r.matcher for r in rules]
    assert [m(row) is True for m in matchers] == [c.matches(row) for c in compiled], "translation disagrees"

    ours_full = best_of(lambda: ruleset.classify(incident), 5, 2000)
    ours_matchers = best_of(lambda: [m(row) for m in matchers], 5, 20000)
    theirs = best_of(lambda: [c.matches(row) for c in compiled], 5, 500)
    theirs_leaves = best_of(lambda: [c.matches(row) for c in leaf_rules], 5, 500)
    n_leaves = len(leaf_rules)
    print(f"1. classify the seed, {len(rules)} rules / {n_leaves} leaves")
    print(f"   compiled matchers, every rule        {ours_matchers * 1e6:8.2f} us")
    print(f"   rule-engine, every rule              {theirs * 1e6:8.2f} us   ratio {theirs / ours_matchers:6.1f}x")
    print(f"   classify + full explanation          {ours_full * 1e6:8.2f} us")
    print(f"   rule-engine, every rule (no explain) {theirs * 1e6:8.2f} us   ratio {theirs / ours_full:6.1f}x")
    print(f"   rule-engine, leaf by leaf (to explain){theirs_leaves * 1e6:7.2f} us   ratio "
          f"{theirs_leaves / ours_full:6.1f}x")


# ----------------------------------------------------------------------------- backtest

EXTRA_RULES = """
  - {id: x-tickets-sev2, level: SEV-2, when: {field: support_tickets, op: gte, value: 500}}
  - {id: x-customers-sev2, level: SEV-2, when: {field: customers_affected, op: gte, value: 10000}}
  - {id: x-records-sev1, level: SEV-1, when: {field: records_exposed, op: gte, value: 100000}}
  - {id: x-payments, level: SEV-2, when: {all: [{field: services, op: contains, value: payments}, {field: duration, op: gt, value: 15m}]}}
  - {id: x-eu-data, level: SEV-2, when: {all: [{field: regions, op: contains, value: EU}, {field: data_categories, op: contains_any, value: [personal, health]}]}}
  - {id: x-long-outage, level: SEV-2, when: {field: duration, op: gt, value: 4h}}
  - {id: x-tagged-vip, level: SEV-3, when: {field: tags, op: contains, value: vip}}
  - {id: x-slow-ack, level: SEV-3, when: {field: time_unacknowledged, op: gt, value: 30m}}
  - {id: x-security-type, level: SEV-3, when: {any: [{field: type, op: eq, value: security}, {field: type, op: eq, value: data-loss}]}}
"""


def twenty_rule_dirs(tmp: Path) -> tuple[Path, Path]:
    text = (RULES / "severity.yaml").read_text()
    text = text.replace("\ntests:", EXTRA_RULES + "\ntests:", 1)
    active, candidate = tmp / "active", tmp / "candidate"
    for directory, body in ((active, text), (candidate, text.replace("value: 10}", "value: 5}"))):
        directory.mkdir()
        (directory / "severity.yaml").write_text(body)
    return active, candidate


def history(n: int) -> list[IncidentSummary]:
    rnd = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        began = start + timedelta(minutes=rnd.randrange(0, 500_000))
        resolved = began + timedelta(minutes=rnd.randrange(5, 600))
        facts = Facts(customer_impact_pct=rnd.choice([None, rnd.uniform(0, 100)]),
                      revenue_per_hour=rnd.choice([None, rnd.uniform(0, 100_000)]),
                      support_tickets=rnd.choice([None, rnd.randrange(0, 2000)]),
                      sla_target_pct=99.95, sla_actual_pct=rnd.choice([None, rnd.uniform(98, 100)]),
                      data_categories=rnd.sample(["personal", "payment", "health"], rnd.randrange(0, 2)),
                      regions=rnd.sample(["EU", "US"], rnd.randrange(0, 2)))
        out.append(IncidentSummary(
            id=f"INC-2024-{i + 1:05d}", revision=1, title=f"incident {i}", type=rnd.choice(["availability", "security",
                                                                                           "performance"]),
            status=Status.RESOLVED, services=rnd.sample(["api", "payments", "search"], 1), tags=[],
            clock=Clock(started_at=began, alerted_at=began, declared_at=began + timedelta(minutes=2),
                        acknowledged_at=began + timedelta(minutes=rnd.randrange(3, 60)), resolved_at=resolved),
            facts=facts))
    return out


def bench_backtest() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        active_dir, candidate_dir = twenty_rule_dirs(Path(tmp))
        active, candidate = load_ruleset(active_dir), load_ruleset(candidate_dir)
    assert len(active.severity_rules.rules) == 20
    incidents = history(10_000)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    report = backtest(active, candidate, incidents, now)
    ours = best_of(lambda: backtest(active, candidate, incidents, now), 3, 1)
    naive = best_of(lambda: [(active.classify(i, now).computed, candidate.classify(i, now).computed)
                             for i in incidents], 1, 1)
    print(f"2. backtest 10,000 incidents x 20 rules: {len(report.moves)} moves")
    print(f"   backtest                             {ours * 1e3:8.1f} ms   (target <= 250 ms)")
    print(f"   classify each twice in full          {naive * 1e3:8.1f} ms   ratio {naive / ours:6.1f}x")


def bench_load() -> None:
    files = sorted(RULES.glob("*.yaml"))
    ours = best_of(lambda: load_ruleset(RULES), 5, 5)

    def bare():
        for path in files:
            YAML(typ="safe", pure=True).load(path.read_text())
    theirs = best_of(bare, 5, 5)
    print(f"3. load + validate {len(files)} rule files")
    print(f"   load_ruleset                         {ours * 1e3:8.1f} ms   (target <= 100 ms)")
    print(f"   bare ruamel safe load, no checks     {theirs * 1e3:8.1f} ms   overhead {ours / theirs:6.2f}x")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}, rule-engine {rule_engine.__version__}")
    bench_classify()
    bench_backtest()
    bench_load()
