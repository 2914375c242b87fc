"""Use cases of the rules engine for the faces (CLI, GUI): check, explain, backtest, escalations due.

Functions take `(workspace, rules_dir, ...)` where the workspace is anything with the store's read API:
`.list_summaries()`, `.get(id)` (raising LookupError when there is no such incident) and
`.iter_incidents()`. Rule directories resolve through `default_rules_dir()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from ..domain.incident import Incident, Severity
from ..engine import (DEFAULT_NOTIFIERS, BacktestReport, DueEscalation, NextEscalation, Problem, RegulatoryClock,
                      RuleSet, RuleTestResult, SlaAssessment, backtest, criteria_lines, load_ruleset,
                      registry_rows, validate_file)
from ..engine import RulesError  # noqa: F401 - re-exported for the faces
from ..engine.conditions import ALL_OPS, OP_DESCRIPTIONS, ops_for
from ..engine.fields import FIELDS
from ..engine.rules_diff import RulesDiff
from .config import RULES_ENV, bundled_rules_dir, default_rules_dir  # noqa: F401 (re-exported)



class IncidentSource(Protocol):
    def list_summaries(self) -> list[Any]: ...
    def get(self, incident_id: str) -> Incident: ...
    def iter_incidents(self) -> Iterable[Incident]: ...


def load(rules_dir: Path | None = None, known_notifiers: set[str] | None = None) -> RuleSet:
    """Load a rule directory (RulesError lists every problem)."""
    return load_ruleset(rules_dir or default_rules_dir(),
                        known_notifiers=known_notifiers if known_notifiers is not None else set(DEFAULT_NOTIFIERS))


# ----------------------------------------------------------------------------- check


@dataclass
class CheckReport:
    rules_dir: Path
    digest: str
    warnings: list[Problem]
    tests: list[RuleTestResult]
    #: loud warnings about a rule set that may be incomplete (a level nothing classifies as, no tests)
    coverage: list[str] = field(default_factory=list)
    #: the workspace's rules version in use, and what the checked files change compared with it
    in_use: str | None = None
    diff: RulesDiff | None = None
    #: the rules history line written by `accept`
    accepted: dict[str, Any] | None = None

    @property
    def needs_confirmation(self) -> bool:
        """The files remove rules, tests or levels from the version in use, and nobody confirmed it."""
        return bool(self.diff is not None and self.diff.removals) and self.accepted is None

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tests) and not self.needs_confirmation


def check(rules_dir: Path, known_notifiers: set[str] | None = None, *, workspace_path: Path | None = None,
          accept: bool = False, actor: str = "") -> CheckReport:
    """Validate every file (playbooks, the maturity rubric and improvement rules included) and run the in-file
    tests; RulesError when a file is invalid. With a workspace, also compare with its rules version in use;
    `accept` puts the checked version in use (recorded with `actor`), which only the workspace's own rules
    directory can be."""
    problems, learning_tests = _learning_checks(Path(rules_dir))
    try:
        ruleset = load(rules_dir, known_notifiers)
    except RulesError as error:
        raise RulesError(error.problems + problems) from None
    if problems:
        raise RulesError(problems)
    report = CheckReport(Path(rules_dir), ruleset.digest, ruleset.warnings, ruleset.run_tests() + learning_tests,
                         coverage=coverage_warnings(ruleset))
    if workspace_path is None or not (Path(workspace_path) / "workspace.json").is_file():
        if accept:
            raise RulesError([Problem(str(rules_dir), 0, "", "--accept-changes needs a workspace")])
        return report
    from .rules_archive import RulesArchive

    archive = RulesArchive(Path(workspace_path))
    status = archive.status(ruleset)
    report.in_use, report.diff = status.in_use, status.diff
    if accept:
        own = default_rules_dir(workspace_path)
        if Path(rules_dir).resolve() != own.resolve():
            raise RulesError([Problem(str(rules_dir), 0, "", f"only the workspace's rules ({own}) can be put in "
                                                             "use with --accept-changes")])
        if not all(t.passed for t in report.tests):
            raise RulesError([Problem(str(rules_dir), 0, "", "the test cases must pass before the change is "
                                                             "accepted")])
        report.accepted = archive.record(ruleset, event="accepted", actor=actor, diff=status.diff)
    return report


def _learning_checks(rules_dir: Path) -> tuple[list[Problem], list[RuleTestResult]]:
    """Problems of the playbooks, maturity.yaml and improvements.yaml, and the rubric's own test results."""
    from ..engine.improvements import load_improvements
    from ..engine.maturity import load_rubric, run_tests
    from ..engine.playbooks import PLAYBOOKS_DIR, load_playbooks

    problems: list[Problem] = []
    tests: list[RuleTestResult] = []
    try:
        load_playbooks(rules_dir / PLAYBOOKS_DIR)
    except RulesError as error:
        problems += error.problems
    if (rules_dir / "maturity.yaml").exists():
        try:
            tests = [RuleTestResult(f"maturity: {t.name}", t.passed, "", "", None, [], t.line, t.file, t.message)
                     for t in run_tests(load_rubric(rules_dir / "maturity.yaml"))]
        except RulesError as error:
            problems += error.problems
    if (rules_dir / "improvements.yaml").exists():
        try:
            load_improvements(rules_dir / "improvements.yaml")
        except RulesError as error:
            problems += error.problems
    return problems, tests


def coverage_warnings(ruleset: RuleSet) -> list[str]:
    """What a truncated or gutted severity.yaml shows even when it still parses, beyond the engine's own
    warnings (a level no rule reaches)."""
    warnings = []  # a level no rule reaches is already a warning of the engine
    if not ruleset.tests:
        warnings.append("severity.yaml has no test cases: a rule that was cut off or stopped matching goes "
                        "unnoticed by `rules check`")
    return warnings


def validate(paths: Iterable[Path], known_notifiers: set[str] | None = None) -> dict[str, tuple[list[Problem], list[Problem]]]:
    """(errors, warnings) per file, each checked on its own (maturity.yaml, improvements.yaml and playbook
    files too: a file in a `playbooks` folder is a playbook)."""
    notifiers = known_notifiers or set(DEFAULT_NOTIFIERS)
    return {str(p): _learning_file(Path(p)) or validate_file(Path(p), known_notifiers=notifiers) for p in paths}


def _learning_file(path: Path) -> tuple[list[Problem], list[Problem]] | None:
    """Check a maturity, improvements or playbook file; None for the classifier's rule files."""
    from ..engine.improvements import load_improvements
    from ..engine.maturity import load_rubric
    from ..engine.playbooks import PLAYBOOKS_DIR, load_playbook_file

    stem = path.stem.lower()
    check: Callable[[Path], object]
    if path.parent.name == PLAYBOOKS_DIR:
        check = load_playbook_file
    elif stem.startswith("maturity"):
        check = load_rubric
    elif stem.startswith("improvements"):
        check = load_improvements
    else:
        return None
    if not path.exists():
        return [Problem(str(path), 0, "", "file not found")], []
    try:
        check(path)
    except RulesError as error:
        return list(error.problems), []
    return [], []


# ----------------------------------------------------------------------------- explain


@dataclass
class Explanation:
    incident_id: str
    title: str
    severity: Severity
    level_label: str
    criteria: list[str]
    rules: list[dict[str, Any]]
    sla: SlaAssessment
    regulatory: list[RegulatoryClock]
    override: dict[str, Any] | None = None
    digest: str = ""
    derived: list[Any] = field(default_factory=list)  # DerivedFact per derived field the rules read


def explain(workspace: IncidentSource, rules_dir: Path, incident_id: str, now: datetime | None = None,
            known_notifiers: set[str] | None = None) -> Explanation:
    """Why the rules give this incident its level: the deciding rules, every rule's result, SLA, clocks."""
    now = now or datetime.now(timezone.utc)
    ruleset = load(rules_dir, known_notifiers)
    incident = workspace.get(incident_id)
    severity = ruleset.classify(incident, now)
    rules = []
    for rule, result, criteria in ruleset.evaluate_all(incident, now):
        rules.append({"rule_id": rule.id, "level": rule.level, "description": rule.description,
                      "result": "matched" if result is True else "missing facts" if result is None else "no match",
                      "line": rule.line, "criteria": [c.json_data() for c in criteria]})
    name = ruleset.level_names.get(severity.computed or "", "")
    override = incident.severity.override
    return Explanation(incident.id, incident.title, severity, f"{severity.computed} ({name})" if name else
                       str(severity.computed), criteria_lines(severity), rules, ruleset.sla(incident),
                       ruleset.regulatory_clocks(incident, now),
                       override.model_dump(mode="json") if override else None, ruleset.digest,
                       ruleset.derived_facts(incident, now))


# ----------------------------------------------------------------------------- backtest


def backtest_history(workspace: IncidentSource, active_dir: Path, candidate_dir: Path,
                     now: datetime | None = None) -> BacktestReport:
    """Run the candidate rules over every incident (light summaries) against the active rules."""
    return backtest(load(active_dir), load(candidate_dir), workspace.list_summaries(), now)


# ----------------------------------------------------------------------------- escalations


@dataclass
class EscalationStatus:
    incident_id: str
    title: str
    due: list[DueEscalation] = field(default_factory=list)
    next: NextEscalation | None = None


def escalations_due(workspace: IncidentSource, rules_dir: Path, incident_id: str | None = None,
                    at: datetime | None = None, known_notifiers: set[str] | None = None) -> list[EscalationStatus]:
    """What would fire at `at` (default now), and when the next firing is, per active incident."""
    now = at or datetime.now(timezone.utc)
    ruleset = load(rules_dir, known_notifiers)
    if incident_id is not None:
        incidents: Iterable[Incident] = [workspace.get(incident_id)]
    else:
        incidents = (workspace.get(s.id) for s in workspace.list_summaries() if s.status.is_active
                     or s.status.value == "resolved")
    found = []
    for incident in incidents:
        found.append(EscalationStatus(incident.id, incident.title, ruleset.due_escalations(incident, now),
                                      ruleset.next_escalation(incident, now)))
    return found


# ----------------------------------------------------------------------------- fields


def fields_table() -> list[dict[str, Any]]:
    """The field registry with the operators each field takes."""
    rows = registry_rows()
    for row in rows:
        row["operators"] = list(ops_for(FIELDS[row["name"]]))
    return rows


def operators_table() -> list[dict[str, str]]:
    return [{"op": op, "meaning": OP_DESCRIPTIONS[op]} for op in ALL_OPS]


