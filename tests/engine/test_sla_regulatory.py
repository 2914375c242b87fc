"""SLA credits and regulatory clocks from the default rule files."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from incident_desk.domain import Clock, Facts, ImpactKind, ImpactWindow, Status

from .conftest import at, seed_incident


def test_seed_sla_credit_is_42500(default_rules):
    assessment = default_rules.sla(seed_incident())
    assert (assessment.target, assessment.actual, assessment.violated) == (99.95, 99.12, True)
    assert assessment.credit_pct == 10 and assessment.credit_amount == 42_500
    assert "$42,500" in assessment.explanation


def test_sla_actual_computed_from_outage_when_not_measured(default_rules):
    incident = seed_incident(facts=Facts())
    assessment = default_rules.sla(incident)
    assert assessment.actual_source == "computed"
    assert assessment.actual == round(100 * (1 - 2.25 / 720), 4)  # 2 h 15 min of 30 days
    assert assessment.credit_amount == 42_500
    long = seed_incident(facts=Facts())
    long.impact.windows = [ImpactWindow(kind=ImpactKind.COMPLETE_OUTAGE, start=at(2, 30), end=at(2, 30, day=16))]
    assert default_rules.sla(long).credit_pct == 25  # 96.67% is below 99.0 but not 95.0
    assert default_rules.sla(long).actual == round(100 * (1 - 24 / 720), 4)


def test_sla_unknown_is_not_zero(default_rules):
    incident = seed_incident(facts=Facts(), status=Status.INVESTIGATING,
                             clock=Clock(started_at=at(2, 30), declared_at=at(2, 32)))
    assessment = default_rules.sla(incident)
    assert assessment.actual is None and assessment.violated is None and assessment.credit_amount is None


def test_sla_met_owes_nothing(default_rules):
    assessment = default_rules.sla(seed_incident(facts=Facts(sla_actual_pct=99.99)))
    assert assessment.violated is False and assessment.credit_amount == 0


def clocks_by_key(ruleset, incident, now):
    return {(c.regime, c.obligation): c for c in ruleset.regulatory_clocks(incident, now)}


def test_gdpr_72_hours_from_awareness(default_rules):
    incident = seed_incident(facts=Facts(data_categories=["personal"]))
    found = clocks_by_key(default_rules, incident, at(3))
    gdpr = found[("gdpr", "supervisory-authority")]
    assert gdpr.due_at == at(2, 30, day=18)  # first alert + 72 h
    assert gdpr.time_left == timedelta(hours=71, minutes=30) and not gdpr.overdue
    assert "personal" in gdpr.why
    late = clocks_by_key(default_rules, incident, at(3, day=18))[("gdpr", "supervisory-authority")]
    assert late.overdue and late.time_left == -timedelta(minutes=30)
    assert ("hipaa", "individual-notice") not in found


def test_no_personal_data_no_gdpr(default_rules):
    assert default_rules.regulatory_clocks(seed_incident(), at(3)) == []


def test_nis2_three_deadlines(default_rules):
    incident = seed_incident(facts=Facts(regions=["EU"], customer_impact_pct=100))
    incident.severity = default_rules.classify(incident)
    found = clocks_by_key(default_rules, incident, at(3))
    assert found[("nis2", "early-warning")].due_at == at(2, 30, day=16)
    assert found[("nis2", "notification")].due_at == at(2, 30, day=18)
    assert found[("nis2", "final-report")].due_at == datetime(2025, 2, 18, 2, 30, tzinfo=timezone.utc)


def test_dora_initial_is_the_earlier_of_two_deadlines(default_rules):
    incident = seed_incident(tags=["dora"], facts=Facts(customer_impact_pct=100))
    incident.severity = default_rules.classify(incident)
    found = clocks_by_key(default_rules, incident, at(3))
    assert found[("dora", "initial")].due_at == at(6, 32, 15)  # classified (declared) + 4 h < aware + 24 h
    assert found[("dora", "intermediate")].due_at == at(6, 32, 15, day=18)


def test_sec_four_business_days_after_the_recorded_determination_skip_the_weekend(default_rules):
    # materiality determined on Thursday 2025-01-16 10:00: Fri, Mon, Tue, Wed -> due Wednesday 2025-01-22 10:00
    thursday = datetime(2025, 1, 16, 10, tzinfo=timezone.utc)
    clock = Clock(started_at=thursday - timedelta(days=2), declared_at=thursday - timedelta(days=2),
                  materiality_determined_at=thursday)
    incident = seed_incident(type="security", tags=[], clock=clock)  # the recorded time alone applies SEC
    sec = clocks_by_key(default_rules, incident, thursday)[("sec", "form-8k")]
    assert sec.due_at == datetime(2025, 1, 22, 10, tzinfo=timezone.utc)
    assert "from materiality_determined (2025-01-16T10:00:00Z)" in sec.why


def test_sec_tagged_material_without_determination_is_not_yet_known(default_rules):
    incident = seed_incident(type="security", tags=["material"])
    sec = clocks_by_key(default_rules, incident, at(3))[("sec", "form-8k")]
    assert sec.due_at is None and sec.time_left is None and not sec.overdue
    assert sec.state == "not yet known" and "materiality_determined (not yet known)" in sec.why
    assert ("sec", "form-8k") not in clocks_by_key(default_rules, seed_incident(type="security"), at(3))


def test_a_filing_meets_the_obligation_and_later_deadlines_run_from_it(default_rules):
    from incident_desk.domain import operations

    incident = seed_incident(facts=Facts(regions=["EU"], customer_impact_pct=100))
    incident.severity = default_rules.classify(incident)
    operations.record_filing(incident, "nis2", "notification", at(9, day=16), reference="CSIRT-7")
    found = clocks_by_key(default_rules, incident, at(3, day=20))
    notification = found[("nis2", "notification")]
    assert notification.state == "filed on time" and not notification.overdue and notification.time_left is None
    assert notification.filing_reference == "CSIRT-7"
    # the final report is due one month after the notification was submitted, not after its deadline
    assert found[("nis2", "final-report")].due_at == datetime(2025, 2, 16, 9, tzinfo=timezone.utc)
    assert "1 month from notification filed (2025-01-16T09:00:00Z)" in found[("nis2", "final-report")].why
    early = found[("nis2", "early-warning")]
    assert early.overdue and early.state == "overdue"  # not filed: still overdue


def test_materiality_determined_field_reads_the_clock(default_rules):
    from incident_desk.engine import FIELDS
    from incident_desk.engine.fields import Env

    spec = FIELDS["materiality_determined"]
    assert spec.extract(seed_incident(), Env()) is False
    determined = seed_incident(clock=Clock(started_at=at(2, 30), materiality_determined_at=at(5)))
    assert spec.extract(determined, Env()) is True


def test_hipaa_60_days(default_rules):
    incident = seed_incident(facts=Facts(data_categories=["health"]))
    found = clocks_by_key(default_rules, incident, at(3))
    assert found[("hipaa", "individual-notice")].due_at == at(2, 30) + timedelta(days=60)
    assert ("gdpr", "supervisory-authority") in found  # health data is personal data too


def test_why_sec_applies_names_only_the_branch_that_matched(default_rules):
    tagged = seed_incident(type="security", tags=["material"])
    why = clocks_by_key(default_rules, tagged, at(3))[("sec", "form-8k")].why
    assert "tags contains 'material' (found material)" in why and "materiality_determined" not in \
        why.split(". Due")[0]
    determined = seed_incident(type="security", clock=Clock(started_at=at(2, 30), materiality_determined_at=at(5)))
    why = clocks_by_key(default_rules, determined, at(6))[("sec", "form-8k")].why
    assert "materiality_determined = true (found yes)" in why and "tags contains" not in why
