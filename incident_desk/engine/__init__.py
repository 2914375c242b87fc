"""The rules engine: declarative YAML rule files -> validated models -> compiled closures, and for severity
one generated classifier function (`codegen`).

Public API (imports only incident_desk.domain): `load_ruleset(directory, known_notifiers=...)` returns a
`RuleSet` with `classify`, `due_escalations`, `next_escalation`, `sla`, `regulatory_clocks`, `run_tests`;
`backtest(active, candidate, incidents)` compares two rule sets over history; `FIELDS` is the field
registry; `criteria_lines(severity)` gives the report's "Criteria" lines.
"""

from .backtest import BacktestReport, LevelMove, backtest
from .conditions import ALL_OPS, OP_DESCRIPTIONS, ops_for
from .errors import Problem, RulesError
from .escalation import DueEscalation, EscalationAction, NextEscalation
from .explain import criteria_lines
from .fields import FIELDS, FieldSpec, registry_rows
from .regulatory import RegulatoryClock
from .ruleset import ANY_NOTIFIER, DEFAULT_NOTIFIERS, FILE_NAMES, RuleSet, RuleTestResult, load_ruleset, validate_file
from .sla import SlaAssessment

__all__ = [
    "ALL_OPS", "ANY_NOTIFIER", "BacktestReport", "DEFAULT_NOTIFIERS", "DueEscalation", "EscalationAction", "FIELDS", "FILE_NAMES",
    "FieldSpec", "LevelMove", "NextEscalation", "OP_DESCRIPTIONS", "Problem", "RegulatoryClock", "RuleSet",
    "RuleTestResult", "RulesError", "SlaAssessment", "backtest", "criteria_lines", "load_ruleset", "ops_for",
    "registry_rows", "validate_file",
]
