"""Severity classification: compiled rules, most-severe-match-wins, and the explanation of the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.incident import CriterionResult, RuleMatch, Severity
from ..domain.levels import level_rank
from .codegen import compile_classifier
from .conditions import Matcher, Node, Row, compile_node, fields_of
from .explain import Explainer, compile_explainer, model_factory
from .fields import FIELDS, Env

new_severity = model_factory(Severity)


@dataclass(frozen=True)
class SeverityRule:
    id: str
    level: str
    rank: int
    description: str
    node: Node
    matcher: Matcher
    line: int
    explainer: Explainer

    @classmethod
    def build(cls, rule_id: str, level: str, description: str, node: Node, line: int) -> SeverityRule:
        return cls(rule_id, level, level_rank(level), description, node, compile_node(node), line,
                   compile_explainer(node))


@dataclass(frozen=True)
class Classification:
    """The outcome on one row: the level, the rules that decided it, and what was unknown."""

    level: str
    explanation: tuple[RuleMatch, ...]
    missing_facts: list[str]
    matched_rule_ids: list[str]  # every matching rule, at any level


class SeverityRules:
    """The compiled severity rules of one rule set."""

    def __init__(self, rules: list[SeverityRule], default: str) -> None:
        self.rules = sorted(rules, key=lambda r: r.rank)  # stable: file order within a level
        self.default = default
        self.fields: tuple[str, ...] = tuple(sorted(set().union(*(fields_of(r.node) for r in rules))))
        self._plain = tuple(name for name in self.fields if FIELDS[name].type != "list")
        self._fast = tuple((rule.matcher, rule.level) for rule in self.rules)
        self._extractors = tuple((name, FIELDS[name].extract) for name in self.fields)
        self._checks = tuple((rule.matcher, rule) for rule in self.rules)
        self._generated = compile_classifier(self.rules, default, self.fields, self._plain)

    def level_of(self, row: Row) -> str:
        """The level alone, stopping at the first (most severe) match: the backtest's fast path."""
        for matcher, level in self._fast:
            if matcher(row) is True:
                return level
        return self.default

    def _explain(self, rule: SeverityRule, row: Row, level: str, lookup: Callable[[str], Any]) -> RuleMatch:
        criteria: list[CriterionResult] = []
        rule.explainer(row, level, lookup, criteria)
        return RuleMatch(rule_id=rule.id, level=rule.level, description=rule.description, criteria=tuple(criteria))

    def classify_row(self, row: Row, lookup: Callable[[str], Any] | None = None) -> Classification:
        """Evaluate every rule; the most severe match wins; explain the rules that decided it."""
        matched = [rule for rule in self.rules if rule.matcher(row) is True]
        level = matched[0].level if matched else self.default
        lookup = lookup or row.get
        explanation = []
        for rule in matched:
            if rule.level != level:
                break
            explanation.append(self._explain(rule, row, level, lookup))
        missing = [name for name in self._plain if row.get(name) is None]
        return Classification(level, tuple(explanation), missing, [rule.id for rule in matched])

    def severity_of(self, incident: Any, env: Env, digest: str | None, override: Any) -> Severity:
        """The domain Severity of an incident, by the function generated from these rules when they were
        loaded (`codegen`): each field read once, every rule evaluated, explanation objects built only
        for the rules of the winning level. Equal to `severity_of_reference`."""
        return self._generated(incident, env, digest, override)

    def severity_of_reference(self, incident: Any, env: Env, digest: str | None, override: Any) -> Severity:
        """`severity_of` by the compiled closures (matchers and explainers): the reference evaluator
        the generated function is tested against."""
        row = {name: extract(incident, env) for name, extract in self._extractors}

        def lookup(name: str) -> Any:  # fields a sentence reads beyond the rules' own, read once
            if name not in row:
                row[name] = FIELDS[name].extract(incident, env)
            return row[name]

        level = None
        explanation = []
        for rule in self.rules:
            if rule.matcher(row) is True:
                if level is None:
                    level = rule.level
                if rule.level == level:
                    explanation.append(self._explain(rule, row, level, lookup))
        return new_severity({"computed": level or self.default, "explanation": tuple(explanation),
                             "missing_facts": [name for name in self._plain if row[name] is None],
                             "rules_digest": digest, "override": override})

    def evaluate_all(self, row: Row, lookup: Callable[[str], Any] | None = None) -> list[tuple[SeverityRule, Any, list[CriterionResult]]]:
        """Every rule with its result and full leaf detail (for `rules explain`)."""
        out = []
        for rule in self.rules:
            criteria: list[CriterionResult] = []
            result = rule.explainer(row, rule.level, lookup or row.get, criteria)
            out.append((rule, result, criteria))
        return out


def rank_of(level: str) -> int:
    return level_rank(level)
