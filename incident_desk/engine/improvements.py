"""Improvement rules (`rules/improvements.yaml`): which patterns in the history become PROCESS
IMPROVEMENTS or RECOMMENDATIONS, with what sentence. Validated like the other rule files; the
detectors themselves are fixed code (`domain.improvement_findings`), so nothing in the file runs code."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..domain.improvement_findings import DETECTORS, Context, production_window
from ..domain.summary import IncidentSummary
from .errors import Problem, RulesError
from .models import RuleId, Strict, Text, validate_model
from .suggest import unknown
from .yamlsafe import load_file

SECTIONS = ("process_improvements", "recommendations")


class ImprovementRule(Strict):
    id: RuleId
    finding: str
    section: Literal["process_improvements", "recommendations"]
    text: Text
    params: dict[str, float] = Field(default_factory=dict)
    enabled: bool = True


class ImprovementsFile(Strict):
    version: Literal[1] = 1
    window_days: int = Field(90, ge=1, le=3660)
    max_per_rule: int = Field(5, ge=1, le=100, description="Findings kept per rule, largest first")
    rules: list[ImprovementRule] = Field(default_factory=list)


@dataclass(frozen=True)
class DerivedItem:
    rule_id: str
    section: str
    text: str
    evidence: str
    incidents: tuple[str, ...]


def load_improvements(path: Path) -> ImprovementsFile:
    """Read and validate improvements.yaml; RulesError with every problem located."""
    doc = load_file(path, str(path))
    model = validate_model(doc, ImprovementsFile)
    if model is not None:
        seen: set[str] = set()
        for i, rule in enumerate(model.rules):
            if rule.id in seen:
                doc.problem(("rules", i, "id"), f"duplicate rule id '{rule.id}'")
            seen.add(rule.id)
            if rule.finding not in DETECTORS:
                doc.problem(("rules", i, "finding"), unknown("finding", rule.finding, DETECTORS))
                continue
            _, defaults, placeholders = DETECTORS[rule.finding]
            for name in rule.params:
                if name not in defaults:
                    doc.problem(("rules", i, "params", name), unknown("parameter", name, defaults))
            try:
                names = [field for _, field, _, _ in string.Formatter().parse(rule.text) if field is not None]
            except ValueError as error:
                doc.problem(("rules", i, "text"), f"bad placeholder: {error}")
                continue
            for name in names:
                if name not in placeholders:
                    doc.problem(("rules", i, "text"), unknown("placeholder", "{" + name + "}",
                                                              ["{" + p + "}" for p in placeholders]))
    if doc.problems or model is None:
        raise RulesError(doc.problems or [Problem(str(path), 0, "", "invalid improvement rules")])
    return model


def derive(model: ImprovementsFile, summaries: list[IncidentSummary], context: Context) -> list[DerivedItem]:
    """Every enabled rule's findings as sentences with their evidence, in the file's order."""
    recent = production_window(summaries, context.now, model.window_days)
    everything = [s for s in summaries if not s.drill]
    items = []
    for rule in model.rules:
        if not rule.enabled:
            continue
        detector, defaults, _ = DETECTORS[rule.finding]
        params = {**defaults, **rule.params}
        source = everything if rule.finding == "overdue_action_items" else recent
        for finding in detector(source, context, **params)[:model.max_per_rule]:
            items.append(DerivedItem(rule.id, rule.section, rule.text.format(**finding.values), finding.evidence,
                                     finding.incidents))
    return items
