"""Process improvements and recommendations derived from the workspace's history by the rules in
`rules/improvements.yaml` (the workspace's, else the bundled file)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import DomainError
from ..domain.improvement_findings import Context
from ..engine import RulesError
from ..engine.improvements import DerivedItem, load_improvements
from .desk import Desk, SummaryQuery
from .rules_service import bundled_rules_dir

if TYPE_CHECKING:
    from ..domain import Incident

IMPROVEMENTS_FILE = "improvements.yaml"


def rules_path(desk: Desk) -> Path:
    if desk.rules is not None and (Path(desk.rules.directory) / IMPROVEMENTS_FILE).exists():
        return Path(desk.rules.directory) / IMPROVEMENTS_FILE
    return bundled_rules_dir() / IMPROVEMENTS_FILE


def derive(desk: Desk, now: datetime | None = None, *, part_of: Incident | None = None) -> list[DerivedItem]:
    """Every finding of the improvement rules; with `part_of`, at least every finding that incident can be part
    of (what its report shows), reading only the history those need."""
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
    # the overdue-items finding names only incidents with an item overdue today: an incident without one needs
    # none of the workspace's overdue items (however many years of history hold them)
    today = now.date()
    if part_of is None or any(item.is_overdue(today) for item in part_of.action_items):
        overdue = desk.summaries(SummaryQuery(overdue_on=today))
    else:
        overdue = []
    wanted = list({s.id: s for s in recent + overdue}.values())
    return run_rules(model, wanted, Context(now, types, targets))


def report_items(desk: Desk, incident: Incident | None = None) -> tuple[DerivedItem, ...]:
    """For an incident's report: the findings it is part of (all of them without an incident); empty when
    the rules cannot be read (`rules check` names the problem)."""
    try:
        items = derive(desk, part_of=incident)
    except DomainError:
        return ()
    return tuple(i for i in items if incident is None or incident.id in i.incidents)
