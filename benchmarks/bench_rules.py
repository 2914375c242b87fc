"""Rules engine benchmarks, each against a baseline measured in the same run (ratios printed).

1. Classify one incident (the seed) with full explanation vs the `rule-engine` library evaluating the
   same conditions; also compiled matchers alone vs rule-engine alone (the issue's measurement).
2. Backtest 10,000 incidents x 20 rules (target <= 250 ms) vs classifying each incident twice in full.
3. Load and validate all rule files (target <= 100 ms) vs a bare ruamel.yaml safe load of the same files.

Run: /work/venv/bin/python benchmarks/bench_rules.py
"""

from __future__ import annotations

import dataclasses
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
from pydantic import TypeAdapter  # noqa: E402

from incident_desk.domain.incident import CriterionResult, RuleMatch, Severity  # noqa: E402
from incident_desk.engine import FIELDS, FILE_NAMES, backtest, load_ruleset  # noqa: E402
from incident_desk.engine.codegen import compile_classifier  # noqa: E402
from incident_desk.engine.conditions import Leaf, leaves  # noqa: E402
from incident_desk.engine.explain import compile_sentence, frozen_dataclass_factory, frozen_expected  # noqa: E402
from incident_desk.engine.fields import build_row, duration_short  # noqa: E402
from incident_desk.engine.severity import new_severity  # noqa: E402

new_criterion = frozen_dataclass_factory(CriterionResult)
new_rule_match = frozen_dataclass_factory(RuleMatch)

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
    """One leaf in rule-engine's language, with the same outcome as ours for "does it match": a missing
    (null) fact never matches. Ordered comparisons and `!=` need a null guard (rule-engine raises on
    `null >= 1.0` and says `null != 1.0` is true); `==` does not (`null == true` is simply false), so it
    gets none: rule-engine does no more work than the semantics need."""
    f, op, v = leaf.field, leaf.op, leaf.value
    guard = f"{f} != null and "
    symbols = {"ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
    if op == "eq":
        return f"({f} == {_literal(v)})"
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


class RuleEngineClassifier:
    """The same classification and explanation with rule-engine evaluating every condition: each rule
    once (every rule, as ours), then each leaf of the deciding rules (an explanation needs every leaf's
    outcome). Field reading, sentences and domain objects are the engine's own, so both sides return an
    equal Severity and differ only in who evaluates the conditions."""

    def __init__(self, ruleset) -> None:
        context = rule_engine.Context(default_value=None)
        self.ruleset = ruleset
        self.rules = [(rule, rule_engine.Rule(node_expression(rule.node), context=context),
                       [self._leaf(leaf, context) for leaf in leaves(rule.node)])
                      for rule in ruleset.severity_rules.rules]
        self.plain = ruleset.severity_rules._plain

    @staticmethod
    def _leaf(leaf: Leaf, context):
        spec = FIELDS[leaf.field]
        return (leaf, rule_engine.Rule(leaf_expression(leaf), context=context), compile_sentence(leaf),
                spec.type, frozen_expected(leaf.raw))

    def classify(self, incident, now=None) -> Severity:
        ruleset = self.ruleset
        env = ruleset.env(now)
        row = build_row(incident, env, ruleset.severity_rules.fields)

        def lookup(name):
            if name not in row:
                row[name] = FIELDS[name].extract(incident, env)
            return row[name]
        level, explanation = None, []
        for rule, whole, parts in self.rules:
            if whole.matches(row) and (level is None or rule.level == level):
                level = rule.level
                criteria = []
                for leaf, matcher, sentence, kind, expected in parts:
                    actual = row[leaf.field]
                    result = None if actual is None else matcher.matches(row)
                    criteria.append(new_criterion(
                        leaf.field, leaf.op, expected,
                        duration_short(actual) if kind == "duration" and actual is not None
                        else tuple(actual) if kind == "list" else actual,
                        result is True, result is None, sentence(actual, result, level, lookup)))
                explanation.append(new_rule_match(rule.id, rule.level, rule.description, tuple(criteria)))
        return new_severity({"computed": level or ruleset.default_level, "explanation": tuple(explanation),
                             "missing_facts": [name for name in self.plain if row[name] is None],
                             "rules_digest": ruleset.digest, "override": None})


def seed_objects(severity: Severity) -> list[tuple[type, dict]]:
    """The seed's explanation dataclasses as (class, values), innermost first, to build them three ways."""
    out = []
    for match in severity.explanation:
        for criterion in match.criteria:
            out.append((CriterionResult, {f.name: getattr(criterion, f.name) for f in dataclasses.fields(criterion)}))
        out.append((RuleMatch, {"rule_id": match.rule_id, "level": match.level, "description": match.description,
                                "criteria": ()}))
    return out


def varied_seeds(n: int) -> list[Incident]:
    """The seed with different facts each time: nothing can be remembered from one call to the next."""
    rnd = random.Random(3)
    base = seed()
    out = []
    for _ in range(n):
        facts = Facts(customer_impact_pct=round(rnd.uniform(0, 100), 2), revenue_per_hour=rnd.uniform(0, 120_000),
                      sla_target_pct=99.95, sla_actual_pct=rnd.uniform(98, 100),
                      failed_transactions=rnd.randrange(0, 2000), support_tickets=rnd.randrange(0, 200))
        clock = base.clock.model_copy(update={"resolved_at": base.clock.started_at
                                              + timedelta(seconds=rnd.randrange(60, 400_000))})
        out.append(base.model_copy(update={"facts": facts, "clock": clock}))
    return out


def bench_classify() -> None:
    ruleset = load_ruleset(RULES)
    incident = seed()
    rules = ruleset.severity_rules.rules
    context = rule_engine.Context(default_value=None)
    compiled = [rule_engine.Rule(node_expression(r.node), context=context) for r in rules]
    row = ruleset.row(incident)
    matchers = [r.matcher for r in rules]
    assert [m(row) is True for m in matchers] == [c.matches(row) for c in compiled], "translation disagrees"
    theirs_classifier = RuleEngineClassifier(ruleset)
    assert theirs_classifier.classify(incident) == ruleset.classify(incident), "rule-engine classifier differs"
    fields = ruleset.severity_rules.fields

    ours_full = best_of(lambda: ruleset.classify(incident), 7, 2000)
    env = ruleset.env(None)
    reference = ruleset.severity_rules.severity_of_reference
    assert reference(incident, env, ruleset.digest, None) == ruleset.classify(incident)
    ours_closures = best_of(lambda: reference(incident, env, ruleset.digest, None), 7, 2000)
    severity_rules = ruleset.severity_rules
    unremembered = compile_classifier(severity_rules.rules, severity_rules.default, severity_rules.fields,
                                      severity_rules._plain, remember=False)
    assert unremembered(incident, env, ruleset.digest, None) == ruleset.classify(incident)
    ours_unremembered = best_of(lambda: unremembered(incident, env, ruleset.digest, None), 7, 2000)
    ours_matchers = best_of(lambda: [m(row) for m in matchers], 5, 20000)
    theirs = best_of(lambda: [c.matches(row) for c in compiled], 7, 500)

    def theirs_from_incident():
        facts = build_row(incident, ruleset.env(None), fields)
        return [c.matches(facts) for c in compiled]
    theirs_with_row = best_of(theirs_from_incident, 7, 500)
    theirs_full = best_of(lambda: theirs_classifier.classify(incident), 7, 300)
    print(f"1. classify the seed, {len(rules)} rules / {sum(1 for r in rules for _ in leaves(r.node))} leaves")
    print(f"   compiled matchers, every rule                 {ours_matchers * 1e6:8.2f} us")
    print(f"   rule-engine, every rule                       {theirs * 1e6:8.2f} us   ratio {theirs / ours_matchers:6.1f}x")
    print(f"   classify + full explanation (RuleSet.classify){ours_full * 1e6:7.2f} us   (generated function)")
    print(f"   same, without remembering the last sentences   {ours_unremembered * 1e6:7.2f} us")
    print(f"   same by the closure-based reference            {ours_closures * 1e6:7.2f} us")
    print(f"   vs rule-engine, every rule, row given, no explanation    {theirs * 1e6:8.2f} us   ratio "
          f"{theirs / ours_full:6.1f}x")
    print(f"   vs rule-engine, every rule, row read from the incident   {theirs_with_row * 1e6:8.2f} us   ratio "
          f"{theirs_with_row / ours_full:6.1f}x")
    print(f"   vs rule-engine classifier, same Severity                 {theirs_full * 1e6:8.2f} us   ratio "
          f"{theirs_full / ours_full:6.1f}x")
    print(f"   without remembered sentences, vs rule-engine, row given  {theirs * 1e6:8.2f} us   ratio "
          f"{theirs / ours_unremembered:6.1f}x")

    incidents = varied_seeds(2000)
    for one in incidents[:200]:
        assert theirs_classifier.classify(one) == ruleset.classify(one), one.facts
    rows = [ruleset.row(one) for one in incidents]
    n = len(incidents)
    ours_varied = best_of(lambda: [ruleset.classify(one) for one in incidents], 5, 1) / n
    closures_varied = best_of(lambda: [reference(one, env, ruleset.digest, None) for one in incidents], 5, 1) / n
    unremembered_varied = best_of(lambda: [unremembered(one, env, ruleset.digest, None) for one in incidents],
                                  5, 1) / n
    theirs_varied = best_of(lambda: [c.matches(r) for r in rows for c in compiled], 3, 1) / n
    theirs_full_varied = best_of(lambda: [theirs_classifier.classify(one) for one in incidents], 3, 1) / n
    print(f"   {n:,} different incidents (nothing repeats), per incident:")
    print(f"     classify + full explanation                  {ours_varied * 1e6:8.2f} us")
    print(f"     same, without remembering the last sentences {unremembered_varied * 1e6:8.2f} us")
    print(f"     same by the closure-based reference          {closures_varied * 1e6:8.2f} us")
    print(f"     vs rule-engine, every rule, row given        {theirs_varied * 1e6:8.2f} us   ratio "
          f"{theirs_varied / ours_varied:6.1f}x")
    print(f"     vs rule-engine classifier, same Severity     {theirs_full_varied * 1e6:8.2f} us   ratio "
          f"{theirs_full_varied / ours_varied:6.1f}x")

    objects = seed_objects(ruleset.classify(incident))
    adapters = {cls: TypeAdapter(cls) for cls, _ in objects}
    validated = best_of(lambda: [adapters[cls].validate_python(values) for cls, values in objects], 5, 2000)
    constructed = best_of(lambda: [cls(**values) for cls, values in objects], 5, 2000)
    factories = {cls: frozen_dataclass_factory(cls) for cls, _ in objects}
    positional = [(factories[cls], tuple(values.values())) for cls, values in objects]
    direct = best_of(lambda: [make(*values) for make, values in positional], 5, 2000)
    print(f"   the seed's {len(objects)} explanation dataclasses: validated {validated * 1e6:.2f} us, "
          f"constructor {constructed * 1e6:.2f} us, slots set directly {direct * 1e6:.2f} us")


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
    count = len(active.severity_rules.rules)  # 20 before the data-loss rules (issue 9) joined the defaults
    assert count >= 20
    incidents = history(10_000)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    report = backtest(active, candidate, incidents, now)
    ours = best_of(lambda: backtest(active, candidate, incidents, now), 3, 1)
    naive = best_of(lambda: [(active.classify(i, now).computed, candidate.classify(i, now).computed)
                             for i in incidents], 1, 1)
    print(f"2. backtest 10,000 incidents x {count} rules: {len(report.moves)} moves")
    print(f"   backtest                             {ours * 1e3:8.1f} ms   (target <= 250 ms)")
    print(f"   classify each twice in full          {naive * 1e3:8.1f} ms   ratio {naive / ours:6.1f}x")


def bench_load() -> None:
    files = [RULES / name for name in FILE_NAMES.values()]  # the files load_ruleset reads, nothing else
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
