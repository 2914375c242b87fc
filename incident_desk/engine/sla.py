"""SLA assessment: availability against target, and the credit owed from the tiers in sla.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..domain.timeutil import format_duration
from .fields import Env, _outage, availability_from_outage, money_text, number_text
from .models import SlaFile


@dataclass(frozen=True)
class SlaAssessment:
    target: float
    actual: float | None  # None when neither measured nor computable
    actual_source: str  # "measured" | "computed" | "unknown"
    violated: bool | None
    credit_pct: float | None
    credit_amount: float | None
    monthly_fee: float
    period: timedelta
    explanation: str


class SlaPolicy:
    def __init__(self, model: SlaFile) -> None:
        self.model = model

    def target_for(self, incident: Any) -> float:
        """facts.sla_target_pct, else the strictest target of the affected services listed, else the default."""
        if incident.facts.sla_target_pct is not None:
            return incident.facts.sla_target_pct
        targets = [s.target_pct for name, s in self.model.services.items()
                   if name in incident.services and s.target_pct is not None]
        return max(targets) if targets else self.model.default_target_pct

    def fee_for(self, incident: Any) -> float:
        fees = [s.monthly_fee for name, s in self.model.services.items()
                if name in incident.services and s.monthly_fee is not None]
        return sum(fees) if fees else self.model.monthly_fee

    def credit_pct_for(self, actual: float) -> float:
        return max((t.credit_pct for t in self.model.credit_tiers if actual < t.below), default=0.0)

    def assess(self, incident: Any, period: timedelta | None = None) -> SlaAssessment:
        period = period or self.model.period
        target = self.target_for(incident)
        fee = self.fee_for(incident)
        actual = incident.facts.sla_actual_pct
        source = "measured"
        if actual is None:
            outage = _outage(incident, Env())
            if outage is None:
                return SlaAssessment(target, None, "unknown", None, None, None, fee, period,
                                     f"Availability unknown: no measured availability (facts.sla_actual_pct) "
                                     f"and no resolved outage to compute it from; target {number_text(target)}%")
            actual = availability_from_outage(outage, period.total_seconds())
            source = f"computed from {format_duration(timedelta(seconds=outage))} of outage over " \
                     f"{format_duration(period)}"
        violated = actual < target
        credit_pct = self.credit_pct_for(actual) if violated else 0.0
        amount = round(fee * credit_pct / 100, 2)
        if violated:
            text = (f"SLA violation: availability {number_text(actual)}% ({source}) below the "
                    f"{number_text(target)}% target; credit {number_text(credit_pct)}% of the "
                    f"{money_text(fee)} monthly fee = {money_text(amount)}")
        else:
            text = f"SLA met: availability {number_text(actual)}% ({source}) against {number_text(target)}% target"
        return SlaAssessment(target, actual, "measured" if source == "measured" else "computed", violated,
                             credit_pct, amount, fee, period, text)
