"""The maturity assessment of a workspace: the rubric from `rules/maturity.yaml`, signals measured from
its incidents, playbooks and the level targets of severity.yaml, scored with evidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ..domain import DomainError
from ..domain.maturity_signals import measure
from ..engine import RulesError
from ..engine.maturity import Assessment, Rubric, load_rubric, score
from .desk import Desk, SummaryQuery
from .rules_service import bundled_rules_dir

MATURITY_FILE = "maturity.yaml"


def rubric_path(desk: Desk) -> Path:
    """The workspace's maturity.yaml, else the bundled one (workspaces made before it existed)."""
    if desk.rules is not None and (Path(desk.rules.directory) / MATURITY_FILE).exists():
        return Path(desk.rules.directory) / MATURITY_FILE
    return bundled_rules_dir() / MATURITY_FILE


def rubric(desk: Desk) -> Rubric:
    try:
        return load_rubric(rubric_path(desk))
    except RulesError as error:
        raise DomainError(str(error)) from None


def assess(desk: Desk, now: datetime | None = None) -> Assessment:
    from . import playbook_service

    model = rubric(desk)
    ruleset = desk.rules.ruleset if desk.rules is not None else None
    targets = {level.id: level.response.acknowledge_within for level in ruleset.levels
               if level.response is not None} if ruleset is not None else {}
    try:
        types = set(playbook_service.playbooks(desk))
    except DomainError:
        types = set()  # a broken playbook file counts as no playbook; `rules check` names it
    now = now or desk.clock()
    window = timedelta(days=model.model.window_days)
    recent = desk.summaries(SummaryQuery(started_from=now - window, started_before=now + timedelta(microseconds=1)))
    signals = measure(recent, now, window_days=model.model.window_days, playbook_types=types, ack_targets=targets)
    return score(model, signals)


def report_view(desk: Desk):
    """The assessment as the text report prints it, or None when the rubric cannot be read."""
    from ..render.context import MaturityLevel, MaturityView

    try:
        result = assess(desk)
    except DomainError:
        return None
    current = MaturityLevel(result.level, result.level_name,
                            dimensions=tuple((d.name, d.description) for d in result.dimensions))
    target = MaturityLevel(result.target, result.target_name, dimensions=result.target_descriptions)
    return MaturityView(current, target)
