"""Loading a rule directory into a validated, compiled RuleSet, and the RuleSet's public operations.

`load_ruleset(directory)` reads severity.yaml (required), escalation.yaml, sla.yaml and regulatory.yaml
(optional), collects every problem of every file at once and raises `RulesError` when there is any;
suspicious but legal rules (shadowed, unreachable) become `RuleSet.warnings`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..domain.incident import Severity, normalize_severity
from ..domain.levels import level_rank
from .conditions import Node, ParseContext, compile_node, describe_node_fields, implies, parse_condition
from .errors import Problem, RulesError
from .escalation import DueEscalation, NextEscalation, Policy, due, upcoming
from .explain import describe_node
from .derivation import DerivedFact, derived_facts
from .fields import FIELDS, NUMERIC_TYPES, Env, build_row
from .models import (ANCHORS, EscalationFile, LevelModel, RegulatoryFile, SeverityFile, SlaFile,
                     validate_model)
from .regulatory import Deadline, Obligation, Regime, RegulatoryClock, clocks, find_obligation
from .severity import Classification, SeverityRule, SeverityRules
from .sla import SlaAssessment, SlaPolicy
from .suggest import unknown
from .yamlsafe import Document, load_file

FILE_NAMES = {"severity": "severity.yaml", "escalation": "escalation.yaml", "sla": "sla.yaml",
              "regulatory": "regulatory.yaml"}
DEFAULT_NOTIFIERS = frozenset({"email", "webhook", "slack", "teams", "desktop", "log"})
#: pass as `known_notifiers` to accept every notifier name (the caller reports unknown ones at fire time)
ANY_NOTIFIER = frozenset({"*"})
DEFAULT_LEVELS = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


@dataclass(frozen=True)
class RuleTestResult:
    """One in-file test case of severity.yaml, run against the rules."""

    name: str
    passed: bool
    expected_level: str
    actual_level: str
    expected_rules: list[str] | None
    actual_rules: list[str]
    line: int
    file: str
    message: str


@dataclass
class RuleSet:
    """Validated, compiled rules: classify, escalate, SLA, regulatory clocks, in-file tests."""

    directory: Path | None
    levels: list[LevelModel]
    severity_rules: SeverityRules
    policies: list[Policy]
    sla_policy: SlaPolicy
    regimes: list[Regime]
    digest: str
    warnings: list[Problem] = field(default_factory=list)
    tests: list[tuple[str, dict[str, Any], str, list[str] | None, int]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    _env: Env | None = field(default=None, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ levels

    @property
    def level_names(self) -> dict[str, str]:
        return {level.id: level.name for level in self.levels}

    @property
    def default_level(self) -> str:
        return self.severity_rules.default

    def level(self, level_id: str) -> LevelModel | None:
        return next((level for level in self.levels if level.id == level_id), None)

    # ------------------------------------------------------------------ severity

    def env(self, now: datetime | None) -> Env:
        env = self._env  # the last one: live classification asks again and again for the same instant
        if env is None or env.now != now:
            env = self._env = Env(now=now, sla_target=self.sla_policy.target_for,
                                  sla_period=self.sla_policy.model.period.total_seconds())
        return env

    def row(self, incident: Any, now: datetime | None = None, names: tuple[str, ...] | None = None) -> dict:
        return build_row(incident, self.env(now), names if names is not None else self.severity_rules.fields)

    def _lookup(self, incident: Any, row: dict, env: Env):
        def lookup(name: str) -> Any:
            return row[name] if name in row else FIELDS[name].extract(incident, env)
        return lookup

    def classification(self, incident: Any, now: datetime | None = None) -> Classification:
        env = self.env(now)
        row = build_row(incident, env, self.severity_rules.fields)
        return self.severity_rules.classify_row(row, self._lookup(incident, row, env))

    def classify(self, incident: Any, now: datetime | None = None) -> Severity:
        """The computed level with its explanation. The incident's override is carried over untouched.

        Time-based fields (duration of an open incident) need `now`; without it they are missing.
        """
        current = getattr(incident, "severity", None)
        override = current.override if isinstance(current, Severity) else None
        if override is not None:
            override = override.model_copy()  # the result shares nothing mutable with the incident
        return self.severity_rules.severity_of(incident, self.env(now), self.digest, override)

    def derived_facts(self, incident: Any, now: datetime | None = None) -> list[DerivedFact]:
        """Each derived fact the severity rules read, with how it was derived (for explanations)."""
        return derived_facts(incident, self.env(now), self.severity_rules.fields)

    def evaluate_all(self, incident: Any, now: datetime | None = None):
        """Every severity rule with its result and every leaf (matched or not), for `rules explain`."""
        env = self.env(now)
        row = build_row(incident, env, self.severity_rules.fields)
        return self.severity_rules.evaluate_all(row, self._lookup(incident, row, env))

    # ------------------------------------------------------------------ escalation

    def _escalation_row(self, incident: Any, now: datetime) -> dict:
        names = tuple(sorted({f for p in self.policies if p.node for f in describe_node_fields(p.node)}))
        return build_row(incident, self.env(now), names)

    def due_escalations(self, incident: Any, now: datetime) -> list[DueEscalation]:
        return due(self.policies, incident, self._escalation_row(incident, now), now)

    def next_escalation(self, incident: Any, now: datetime) -> NextEscalation | None:
        return upcoming(self.policies, incident, self._escalation_row(incident, now), now)

    # ------------------------------------------------------------------ SLA and regulatory

    def sla(self, incident: Any, period: timedelta | None = None) -> SlaAssessment:
        return self.sla_policy.assess(incident, period)

    def regulatory_clocks(self, incident: Any, now: datetime) -> list[RegulatoryClock]:
        names = tuple(sorted({f for r in self.regimes for f in describe_node_fields(r.node)}))
        return clocks(self.regimes, incident, build_row(incident, self.env(now), names), now)

    def regulatory_obligation(self, regime: str, obligation: str) -> tuple[Regime, Obligation]:
        """The regime (id or name) and obligation (id) of regulatory.yaml; LookupError with did-you-mean."""
        return find_obligation(self.regimes, regime, obligation)

    # ------------------------------------------------------------------ in-file tests

    def run_tests(self) -> list[RuleTestResult]:
        results = []
        fields = self.severity_rules.fields
        file = self.files.get("severity", "severity.yaml")
        for name, given, level, rules, line in self.tests:
            row: dict[str, Any] = {f: ([] if FIELDS[f].type == "list" else None) for f in fields}
            row.update(given)
            _derive_sla(row, given)
            outcome = self.severity_rules.classify_row(row)
            actual_rules = [m.rule_id for m in outcome.explanation]
            problems = []
            if outcome.level != level:
                problems.append(f"expected {level}, got {outcome.level}")
            if rules is not None and sorted(rules) != sorted(actual_rules):
                problems.append(f"expected rules {', '.join(rules) or '(none)'}, "
                                f"got {', '.join(actual_rules) or '(none)'}")
            results.append(RuleTestResult(name, not problems, level, outcome.level, rules, actual_rules, line,
                                          file, "; ".join(problems) or "ok"))
        return results


# ============================================================================ loading


def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        return []
    return [(i, item) for i, item in enumerate(data[key]) if isinstance(item, dict)]


def _norm_level(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    try:
        return normalize_severity(str(value))
    except ValueError:
        return None


class _Loader:
    def __init__(self, known_notifiers: Iterable[str] | None) -> None:
        self.known_notifiers = frozenset(known_notifiers) if known_notifiers is not None else DEFAULT_NOTIFIERS
        self.docs: dict[str, Document] = {}
        self.warnings: list[Problem] = []

    def problems(self) -> list[Problem]:
        return [p for doc in self.docs.values() for p in doc.problems]

    def warn(self, doc: Document, path: tuple, message: str) -> None:
        self.warnings.append(Problem(doc.file, doc.line_of(path), _dotted(path), message))

    # ------------------------------------------------------------------ severity.yaml

    def severity(self, doc: Document) -> tuple[SeverityFile | None, tuple[str, ...], list[SeverityRule], list]:
        model = validate_model(doc, SeverityFile)
        data = doc.data if isinstance(doc.data, dict) and not doc.unreadable else {}
        levels: list[str] = []
        for i, item in _items(data, "levels"):
            level = _norm_level(item.get("id"))
            if level is None:
                continue
            if level in levels:
                doc.problem(("levels", i, "id"), f"duplicate level '{level}'")
            levels.append(level)
        level_set = tuple(levels)
        default = _norm_level(data.get("default"))
        if default is not None and level_set and default not in level_set:
            doc.problem(("default",), unknown("severity", data.get("default"), level_set))
        ctx = ParseContext(levels=level_set, allow_severity_field=False)
        rules: list[SeverityRule] = []
        seen: dict[str, int] = {}
        for i, item in _items(data, "rules"):
            rule_id = item.get("id")
            if isinstance(rule_id, str):
                if rule_id in seen:
                    doc.problem(("rules", i, "id"), f"duplicate rule id '{rule_id}' (first at line {seen[rule_id]})")
                else:
                    seen[rule_id] = doc.line_of(("rules", i))
            level = _norm_level(item.get("level"))
            if level is not None and level_set and level not in level_set:
                doc.problem(("rules", i, "level"), unknown("severity", item.get("level"), level_set))
            if "when" not in item:
                continue
            node = parse_condition(item["when"], ("rules", i, "when"), doc, ctx)
            if node is not None and model is not None and item.get("enabled", True) is not False:
                rule_model = model.rules[i]
                rules.append(SeverityRule.build(rule_model.id, rule_model.level, rule_model.description, node,
                                                doc.line_of(("rules", i))))
        tests = self._tests(doc, data, level_set, set(seen))
        return model, level_set, rules, tests

    def _tests(self, doc: Document, data: dict, levels: tuple[str, ...], rule_ids: set[str]) -> list:
        tests = []
        for i, item in _items(data, "tests"):
            given = item.get("given")
            values: dict[str, Any] = {}
            if isinstance(given, dict):
                for name, value in given.items():
                    path = ("tests", i, "given", name)
                    if name not in FIELDS:
                        doc.problem(path, unknown("field", name, FIELDS))
                        continue
                    try:
                        values[name] = _given_value(name, value)
                    except ValueError as error:
                        doc.problem(path, str(error))
            given = item.get("expect")
            expect: dict = given if isinstance(given, dict) else {}
            level = _norm_level(expect.get("level"))
            if level is not None and levels and level not in levels:
                doc.problem(("tests", i, "expect", "level"), unknown("severity", expect.get("level"), levels))
            expected_rules = expect.get("rules")
            if isinstance(expected_rules, list):
                for j, rule_id in enumerate(expected_rules):
                    if isinstance(rule_id, str) and rule_id not in rule_ids:
                        doc.problem(("tests", i, "expect", "rules", j), unknown("rule", rule_id, rule_ids))
            if level is not None:
                tests.append((str(item.get("name", f"test {i + 1}")), values, level,
                              list(expected_rules) if isinstance(expected_rules, list) else None,
                              doc.line_of(("tests", i))))
        return tests

    # ------------------------------------------------------------------ escalation.yaml

    def escalation(self, doc: Document, levels: tuple[str, ...]) -> list[Policy]:
        model = validate_model(doc, EscalationFile)
        data = doc.data if isinstance(doc.data, dict) and not doc.unreadable else {}
        ctx = ParseContext(levels=levels, allow_severity_field=True, purpose="policy")
        policies = []
        seen: dict[str, int] = {}
        for i, item in _items(data, "policies"):
            policy_id = item.get("id")
            if isinstance(policy_id, str):
                if policy_id in seen:
                    doc.problem(("policies", i, "id"), f"duplicate policy id '{policy_id}' "
                                                       f"(first at line {seen[policy_id]})")
                else:
                    seen[policy_id] = doc.line_of(("policies", i))
            for j, action in _items(item, "actions"):
                notify = action.get("notify")
                if isinstance(notify, dict) and isinstance(notify.get("notifier"), str) \
                        and notify["notifier"] not in self.known_notifiers and self.known_notifiers != ANY_NOTIFIER:
                    doc.problem(("policies", i, "actions", j, "notify", "notifier"),
                                unknown("notifier", notify["notifier"], self.known_notifiers)
                                if self.known_notifiers else
                                f"unknown notifier '{notify['notifier']}': no notifier is configured")
                level = _norm_level(action.get("raise_severity"))
                if level is not None and levels and level not in levels:
                    doc.problem(("policies", i, "actions", j, "raise_severity"),
                                unknown("severity", action.get("raise_severity"), levels))
            node = None
            if item.get("when") is not None:
                node = parse_condition(item["when"], ("policies", i, "when"), doc, ctx)
                if node is None:
                    continue
            if model is not None and model.policies[i].enabled:
                policies.append(Policy.build(model.policies[i], node, compile_node(node) if node else None,
                                             doc.line_of(("policies", i))))
        return policies

    # ------------------------------------------------------------------ sla.yaml

    def sla(self, doc: Document | None) -> SlaPolicy:
        if doc is None:
            return SlaPolicy(SlaFile())
        model = validate_model(doc, SlaFile)
        data = doc.data if isinstance(doc.data, dict) and not doc.unreadable else {}
        seen: dict[float, int] = {}
        for i, item in _items(data, "credit_tiers"):
            below = item.get("below")
            if isinstance(below, (int, float)) and below in seen:
                doc.problem(("credit_tiers", i, "below"), f"duplicate tier below {below}")
            elif isinstance(below, (int, float)):
                seen[below] = i
        if model is None:
            return SlaPolicy(SlaFile())
        tiers = sorted(enumerate(model.credit_tiers), key=lambda t: -t[1].below)
        for (_, higher), (j, lower) in zip(tiers, tiers[1:], strict=False):
            if lower.credit_pct < higher.credit_pct:
                self.warn(doc, ("credit_tiers", j), f"tier below {lower.below}% credits less "
                                                    f"({lower.credit_pct}%) than the tier below {higher.below}% "
                                                    f"({higher.credit_pct}%); worse availability earns the "
                                                    "larger credit anyway")
        return SlaPolicy(model)

    # ------------------------------------------------------------------ regulatory.yaml

    def regulatory(self, doc: Document, levels: tuple[str, ...]) -> list[Regime]:
        model = validate_model(doc, RegulatoryFile)
        data = doc.data if isinstance(doc.data, dict) and not doc.unreadable else {}
        ctx = ParseContext(levels=levels, allow_severity_field=True, purpose="regime")
        regimes = []
        seen: set[str] = set()
        for i, item in _items(data, "regimes"):
            regime_id = item.get("id")
            if isinstance(regime_id, str):
                if regime_id in seen:
                    doc.problem(("regimes", i, "id"), f"duplicate regime id '{regime_id}'")
                seen.add(regime_id)
            earlier: list[str] = []
            for j, obligation in _items(item, "obligations"):
                due_raw = obligation.get("due")
                deadlines = [(None, due_raw)] if isinstance(due_raw, dict) else \
                    list(enumerate(due_raw)) if isinstance(due_raw, list) else []
                for k, deadline in deadlines:
                    if not isinstance(deadline, dict) or not isinstance(deadline.get("from"), str):
                        continue
                    path = ("regimes", i, "obligations", j, "due") + ((k,) if k is not None else ()) + ("from",)
                    if deadline["from"] not in ANCHORS and deadline["from"] not in earlier:
                        doc.problem(path, unknown("anchor", deadline["from"], ANCHORS + tuple(earlier)))
                if isinstance(obligation.get("id"), str):
                    if obligation["id"] in earlier:
                        doc.problem(("regimes", i, "obligations", j, "id"),
                                    f"duplicate obligation id '{obligation['id']}'")
                    earlier.append(obligation["id"])
            if "when" not in item:
                continue
            node = parse_condition(item["when"], ("regimes", i, "when"), doc, ctx)
            if node is None or model is None or not model.regimes[i].enabled:
                continue
            regime = model.regimes[i]
            obligations = tuple(
                Obligation(o.id, o.name, tuple(Deadline(d.from_, d.within) for d in o.due))
                for o in regime.obligations)
            regimes.append(Regime(regime.id, regime.name, regime.description, node, compile_node(node),
                                  obligations, doc.line_of(("regimes", i))))
        return regimes

    # ------------------------------------------------------------------ warnings

    def severity_warnings(self, doc: Document, levels: tuple[str, ...], default: str | None,
                          rules: list[SeverityRule]) -> None:
        ordered = sorted(rules, key=lambda r: (r.rank, r.line))
        for index, rule in enumerate(ordered):
            for other in ordered[:index]:
                if other.rank == rule.rank and other.node.key() == rule.node.key():
                    self.warnings.append(Problem(doc.file, rule.line, f"rules.{rule.id}",
                                                 f"same condition as rule '{other.id}' (line {other.line}) at "
                                                 f"the same level; one of them is redundant"))
                    break
                if other.rank < rule.rank and implies(rule.node, other.node):
                    self.warnings.append(Problem(doc.file, rule.line, f"rules.{rule.id}",
                                                 f"shadowed: whenever it matches, rule '{other.id}' "
                                                 f"(line {other.line}, {other.level}) matches too, so it never "
                                                 f"decides the level"))
                    break
        used = {rule.level for rule in rules} | ({default} if default else set())
        for level in levels:
            if level not in used:
                self.warnings.append(Problem(doc.file, 0, "levels", f"level {level} has no rules and is not "
                                                                    "the default; no incident can reach it"))


def _dotted(path: tuple) -> str:
    from .yamlsafe import dotted
    return dotted(path)


def _given_value(name: str, value: Any) -> Any:
    """A test-case value, normalised like the row an incident would give."""
    from .spans import parse_duration_text as parse_duration

    spec = FIELDS[name]
    if value is None:
        return None
    if spec.type == "duration":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"'{value}' is not a duration such as 5m, 2h or 3d")
        return parse_duration(value).total_seconds()
    if spec.type in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"field '{name}' is {'an' if spec.type[0] in 'aeiou' else 'a'} {spec.type}; "
                             f"{value!r} is not a number")
        return value
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"field '{name}' is a boolean; {value!r} is not true or false")
        return value
    if spec.type == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"field '{name}' is a list of text; give a list such as [a, b]")
        return value
    if not isinstance(value, str):
        raise ValueError(f"field '{name}' holds text; {value!r} is not text")
    if spec.allowed is not None and value not in spec.allowed:
        raise ValueError(unknown(f"{name} value", value, spec.allowed))
    return value


def _derive_sla(row: dict[str, Any], given: dict[str, Any]) -> None:
    """In test cases, derive availability and the SLA fields from target and actual unless given directly."""
    target, actual = given.get("sla_target_pct"), given.get("availability_pct", given.get("sla_actual_pct"))
    if actual is not None and "availability_pct" in row and "availability_pct" not in given:
        row["availability_pct"] = actual
    if target is None or actual is None:
        return
    if "sla_breached" in row and "sla_breached" not in given:
        row["sla_breached"] = actual < target
    if "sla_shortfall_pct" in row and "sla_shortfall_pct" not in given:
        row["sla_shortfall_pct"] = round(max(target - actual, 0.0), 6)


def digest_of(raw: dict[str, bytes]) -> str:
    """The rules version of rule files given as {kind: bytes} (what classifications record)."""
    return _digest(raw)


def _digest(raw: dict[str, bytes]) -> str:
    hasher = hashlib.sha256()
    for kind in sorted(raw):
        hasher.update(kind.encode() + b"\0" + raw[kind] + b"\0")
    return hasher.hexdigest()[:16]


def _read(path: Path) -> tuple[Document, bytes]:
    doc = load_file(path, str(path))
    try:
        raw = path.read_bytes() if not doc.problems or doc.data is not None else b""
    except OSError:
        raw = b""
    return doc, raw


def load_files(paths: dict[str, Path | None], *, known_notifiers: Iterable[str] | None = None,
               directory: Path | None = None, fallback_levels: bool = False) -> RuleSet:
    """Load rule files by kind (severity, escalation, sla, regulatory); severity is required unless
    `fallback_levels` lets a lone file be checked against the default levels SEV-1..SEV-4."""
    loader = _Loader(known_notifiers)
    raw: dict[str, bytes] = {}
    for kind, path in paths.items():
        if path is None:
            continue
        if not path.exists():
            loader.docs[kind] = Document(str(path), problems=[Problem(str(path), 0, "", "file not found")])
            continue
        loader.docs[kind], raw[kind] = _read(path)
    severity_doc = loader.docs.get("severity")
    rules: list[SeverityRule] = []
    tests: list = []
    severity_model = None
    if severity_doc is not None:
        severity_model, levels, rules, tests = loader.severity(severity_doc)
    elif fallback_levels:
        levels = DEFAULT_LEVELS
    else:
        name = str((directory or Path(".")) / FILE_NAMES["severity"])
        raise RulesError([Problem(name, 0, "", "file not found; severity.yaml is required")])
    policies = loader.escalation(loader.docs["escalation"], levels) if "escalation" in loader.docs else []
    sla_policy = loader.sla(loader.docs.get("sla"))
    regimes = loader.regulatory(loader.docs["regulatory"], levels) if "regulatory" in loader.docs else []
    problems = loader.problems()
    if problems:
        raise RulesError(problems)
    if severity_model is not None and severity_doc is not None:
        loader.severity_warnings(severity_doc, levels, severity_model.default, rules)
        level_models = sorted(severity_model.levels, key=lambda level: level_rank(level.id))
        default = severity_model.default
    else:
        level_models = [LevelModel(id=level, name=level) for level in levels]
        default = levels[-1]
    return RuleSet(directory, level_models, SeverityRules(rules, default), policies, sla_policy, regimes,
                   _digest(raw), loader.warnings, tests, {kind: doc.file for kind, doc in loader.docs.items()})


def load_ruleset(directory: Path, *, known_notifiers: set[str] | None = None) -> RuleSet:
    """Load and validate a rule directory; raises RulesError listing every problem of every file."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RulesError([Problem(str(directory), 0, "", "rules directory not found")])
    paths: dict[str, Path | None] = {}
    for kind, name in FILE_NAMES.items():
        path = directory / name
        paths[kind] = path if path.exists() or kind == "severity" else None
    return load_files(paths, known_notifiers=known_notifiers, directory=directory)


def kind_of(path: Path, doc_data: Any = None) -> str | None:
    """Which rule file this is, by name (severity.yaml ...) or else by its top-level keys."""
    stem = path.stem.lower()
    for kind in FILE_NAMES:
        if stem.startswith(kind):
            return kind
    if isinstance(doc_data, dict):
        for kind, key in (("severity", "levels"), ("escalation", "policies"), ("regulatory", "regimes"),
                          ("sla", "credit_tiers")):
            if key in doc_data:
                return kind
    return None


def validate_file(path: Path, *, known_notifiers: Iterable[str] | None = None) -> tuple[list[Problem], list[Problem]]:
    """Check one file on its own: (errors, warnings). Levels come from a sibling severity.yaml when the
    file is not itself a severity file."""
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), 0, "", "file not found")], []
    doc = load_file(path, str(path))
    kind = kind_of(path, doc.data)
    if doc.problems and kind is None:
        return doc.problems, []
    if kind is None:
        return [Problem(str(path), 1, "", "cannot tell which rule file this is: name it severity.yaml, "
                                          "escalation.yaml, sla.yaml or regulatory.yaml")], []
    paths: dict[str, Path | None] = {kind: path}
    sibling = path.parent / FILE_NAMES["severity"]
    if kind != "severity" and sibling.exists():
        paths["severity"] = sibling
    try:
        ruleset = load_files(paths, known_notifiers=known_notifiers, directory=path.parent,
                             fallback_levels="severity" not in paths)
    except RulesError as error:
        return [p for p in error.problems if p.file == str(path)] or error.problems, []
    return [], [w for w in ruleset.warnings if w.file == str(path)]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["RuleSet", "RuleTestResult", "load_ruleset", "load_files", "validate_file", "describe_node", "Node"]
