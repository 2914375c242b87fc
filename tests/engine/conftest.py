"""Shared builders for engine tests: the seed incident, the default rules, rule directories from text."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from incident_desk.domain import Clock, Facts, Incident, Status
from incident_desk.engine import load_ruleset

RULES = Path(__file__).resolve().parents[2] / "rules"


def at(hour: int, minute: int = 0, second: int = 0, day: int = 15) -> datetime:
    return datetime(2025, 1, day, hour, minute, second, tzinfo=timezone.utc)


def seed_incident(**changes) -> Incident:
    """The seed's INC-2025-001 as the report describes it."""
    data = dict(
        id="INC-2025-001",
        title="Database cluster failover failure causing 100% API error rate",
        type="availability",
        status=Status.RESOLVED,
        clock=Clock(started_at=at(2, 30), alerted_at=at(2, 30), declared_at=at(2, 32, 15),
                    acknowledged_at=at(2, 35), resolved_at=at(4, 45)),
        facts=Facts(customer_impact_pct=100, revenue_per_hour=85_000, sla_target_pct=99.95, sla_actual_pct=99.12,
                    failed_transactions=15_842, support_tickets=8_750),
    )
    data.update(changes)
    return Incident(**data)


@pytest.fixture(scope="session")
def default_rules():
    return load_ruleset(RULES)


def write_rules(directory: Path, **files: str) -> Path:
    """Write rule files (severity=..., escalation=...) into `directory`, dedented."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind, text in files.items():
        (directory / f"{kind}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def copy_default_rules(directory: Path) -> Path:
    shutil.copytree(RULES, directory, ignore=shutil.ignore_patterns("templates", "playbooks"))
    return directory


LEVELS = """\
version: 1
levels:
  - {id: SEV-1, name: Critical}
  - {id: SEV-2, name: High}
  - {id: SEV-3, name: Medium}
  - {id: SEV-4, name: Low}
default: SEV-4
"""
