"""What severity an incident would get if declared now: the draft classified, every rule explained.

The declare dialog calls this on every keystroke. Nothing is stored: a draft `Incident` is built from
the typed values and classified by the workspace's rules, and each severity rule is reported with
its result and every criterion (expected and actual), matched or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..domain import Clock, DomainError, Facts, Incident, format_incident_id
from ..domain.operations import validation_problems
from .desk import Desk, coerce_facts


@dataclass(frozen=True)
class CriterionLine:
    text: str
    matched: bool
    missing: bool


@dataclass(frozen=True)
class RuleLine:
    rule_id: str
    level: str
    description: str
    result: str  # "matched", "no match" or "missing facts"
    criteria: tuple[CriterionLine, ...]


@dataclass
class DeclarationPreview:
    level: str | None
    level_name: str
    rules: list[RuleLine] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
    #: fact name -> what is wrong with the typed value (shown beside the field)
    problems: dict[str, str] = field(default_factory=dict)
    notice: str = ""


def fact_problems(raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed facts that are valid, and a message per fact that is not (validated one by one)."""
    good: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in coerce_facts(raw).items():
        if name not in Facts.model_fields:
            problems[name] = "not a known fact"
            continue
        try:
            Facts.model_validate({name: value})
        except ValidationError as error:
            problems[name] = "; ".join(message for _, message in validation_problems(error))
            continue
        good[name] = value
    return good, problems


def preview_declaration(desk: Desk, *, facts: dict[str, str], type: str = "availability",
                        started_at: datetime | None = None, title: str = "draft") -> DeclarationPreview:
    """Classify a draft with the workspace's rules; bad fact values are reported, the rest still count."""
    now = desk.clock()
    good, problems = fact_problems(facts)
    try:
        draft = Incident(id=format_incident_id(now.year, 1), title=title.strip() or "draft", type=type or "availability",
                         facts=Facts.model_validate(good),
                         clock=Clock(started_at=started_at or now, declared_at=max(now, started_at or now)))
    except (ValidationError, DomainError) as error:
        return DeclarationPreview(None, "", problems=problems, notice=str(error).splitlines()[0])
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    if ruleset is None:
        notice = desk.rules.notices[-1] if desk.rules is not None and desk.rules.notices else "no rules loaded"
        return DeclarationPreview(None, "", problems=problems, notice=notice)
    severity = ruleset.classify(draft, now)
    lines = []
    for rule, result, criteria in ruleset.evaluate_all(draft, now):
        outcome = "matched" if result is True else "missing facts" if result is None else "no match"
        lines.append(RuleLine(rule.id, rule.level, rule.description, outcome, tuple(
            CriterionLine(_criterion_text(c), c.matched, c.missing) for c in criteria)))
    name = ruleset.level_names.get(severity.computed or "", "")
    return DeclarationPreview(severity.computed, name, lines, list(severity.missing_facts), problems)


def _criterion_text(criterion: Any) -> str:
    if criterion.text:
        return criterion.text
    actual = "missing" if criterion.missing else criterion.actual
    return f"{criterion.field} {criterion.op} {criterion.expected} (actual {actual})"
