"""Process improvements and recommendations derived from the workspace's history by the rules in
`rules/improvements.yaml` (the workspace's, else the bundled file)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ..domain import DomainError
from ..domain.improvement_findings import Context
from ..engine import RulesError
from ..engine.improvements import DerivedItem, load_improvements
from .desk import Desk, SummaryQuery
from .rules_service import bundled_rules_dir

IMPROVEMENTS_FILE = "improvements.yaml"


def rules_path(desk: Desk) -> Path:
    if desk.rules is not None and (Path(desk.rules.directory) / IMPROVEMENTS_FILE).exists():
        return Path(desk.rules.directory) / IMPROVEMENTS_FILE
    return bundled_rules_dir() / IMPROVEMENTS_FILE


def derive(desk: Desk, now: datetime | None = None) -> list[DerivedItem]:
    from ..engine.improvements import derive as run_rules
    from . import playbook_service

    try:
        model = load_improvements(rules_path(desk))
    except RulesError as error:
        raise DomainError(str(error)) from None
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    targets = {level.id: level.response.acknowledge_within for level in ruleset.levels
               if level.response is not None} if ruleset is not None else {}
    try:
        types = frozenset(playbook_service.playbooks(desk))
    except DomainError:
        types = frozenset()
    now = now or desk.clock()
    # only what the rules read: the window's incidents, and those with an action item overdue today
    recent = desk.summaries(SummaryQuery(started_from=now - timedelta(days=model.window_days),
                                         started_before=now + timedelta(microseconds=1)))
    overdue = desk.summaries(SummaryQuery(overdue_on=now.date()))
    wanted = list({s.id: s for s in recent + overdue}.values())
    return run_rules(model, wanted, Context(now, types, targets))


def report_items(desk: Desk, incident_id: str | None = None) -> tuple[DerivedItem, ...]:
    """For an incident's report: the findings it is part of (all of them without an incident); empty when
    the rules cannot be read (`rules check` names the problem)."""
    try:
        items = derive(desk)
    except DomainError:
        return ()
    return tuple(i for i in items if incident_id is None or incident_id in i.incidents)
