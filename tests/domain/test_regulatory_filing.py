"""Regulatory filings on the incident and the materiality determination on its clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from incident_desk.domain import Clock, DomainError, EventKind, Incident, RegulatoryFiling, operations


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=timezone.utc)


def incident() -> Incident:
    return Incident(id="INC-2026-007", title="PII exposed", type="security",
                    clock=Clock(started_at=at(2, 8), declared_at=at(2, 9)))


def test_record_filing_keeps_it_and_adds_a_timeline_event():
    case = incident()
    filing = operations.record_filing(case, "gdpr", "supervisory-authority", at(3, 10), reference=" DPA-1 ",
                                      author="carol", label="GDPR: Notify the supervisory authority")
    assert case.regulatory_filings == [filing]
    assert (filing.filed_at, filing.reference, filing.author) == (at(3, 10), "DPA-1", "carol")
    assert case.regulatory_filing("GDPR", "Supervisory-Authority") is filing
    event = case.timeline[-1]
    assert (event.at, event.kind, event.source, event.author) == (at(3, 10), EventKind.COMMUNICATION,
                                                                  "regulatory", "carol")
    assert event.text == "Regulatory filing: GDPR: Notify the supervisory authority (reference DPA-1)"


def test_a_second_filing_for_the_same_obligation_is_refused_and_nothing_changes():
    case = incident()
    operations.record_filing(case, "gdpr", "supervisory-authority", at(3, 10))
    with pytest.raises(DomainError, match="INC-2026-007 already has a filing for gdpr supervisory-authority, "
                                          "recorded as filed at 2026-03-03T10:00:00Z"):
        operations.record_filing(case, "GDPR", "supervisory-authority", at(4, 10))
    assert len(case.regulatory_filings) == 1 and len(case.timeline) == 1


@pytest.mark.parametrize("regime, obligation, when, message", [
    ("  ", "x", at(3, 10), "regulatory filing: regime: must not be empty"),
    ("gdpr", "", at(3, 10), "regulatory filing: obligation: must not be empty"),
    ("gdpr", "x", at(2, 7), "filed_at (2026-03-02T07:00:00Z) is before the incident started (2026-03-02T08:00:00Z)"),
])
def test_bad_filings_are_refused_with_the_field_named(regime, obligation, when, message):
    case = incident()
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")):
        operations.record_filing(case, regime, obligation, when)
    assert case.regulatory_filings == [] and case.timeline == []


def test_filing_model_refuses_unknown_keys():
    with pytest.raises(ValidationError, match="extra"):
        RegulatoryFiling(regime="gdpr", obligation="x", filed_at=at(3, 10), receipt="nope")


def test_materiality_determined_before_start_is_refused_like_other_clock_fields():
    with pytest.raises(DomainError, match=r"clock: materiality_determined \(2026-03-01T08:00:00Z\) is before "
                                          r"started \(2026-03-02T08:00:00Z\)"):
        operations.set_clock(incident(), {"materiality_determined_at": at(1, 8)})
    case = incident()
    operations.set_clock(case, {"materiality_determined_at": at(5, 15)})
    assert case.clock.materiality_determined_at == at(5, 15)


def test_incident_data_without_the_new_fields_gets_defaults():
    data = incident().model_dump(mode="json")
    del data["regulatory_filings"], data["clock"]["materiality_determined_at"]
    loaded = Incident.model_validate(data)
    assert loaded.regulatory_filings == [] and loaded.clock.materiality_determined_at is None
