"""Message templates render the incident in a sandbox; escapes, mistakes and floods are refused with file:line."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from incident_desk.domain import Clock, Incident, Role, Status, operations
from incident_desk.render.templates import (
    DEFAULT_TEMPLATES_DIR,
    TemplateError,
    TemplateNotFound,
    TemplateSet,
    incident_context,
    parse_template,
    render_template,
)

DEFAULTS = ["customer_email", "escalation", "executive_escalation", "executive_summary", "internal_alert",
            "postmortem_reminder", "regulator_notification", "status_identified", "status_investigating",
            "status_monitoring", "status_resolved", "status_update_reminder"]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, 15, hour, minute, tzinfo=timezone.utc)


def seed_incident() -> Incident:
    incident = Incident(id="INC-2025-001", title="Database cluster failover failure",
                        services=["API", "Checkout"],
                        clock=Clock(started_at=at(2, 30), alerted_at=at(2, 30), declared_at=at(2, 32)))
    operations.set_facts(incident, {"customer_impact_pct": 100, "customers_affected": 15000,
                                    "revenue_per_hour": 85000, "data_categories": ["personal"]})
    incident.severity.computed = "SEV-1"
    operations.assign_role(incident, Role.INCIDENT_COMMANDER, "Dana", at(2, 33))
    return incident


def context(incident: Incident | None = None, **extra) -> dict:
    return incident_context(incident or seed_incident(), now=at(3), next_update_at=at(3, 30), extra=extra)


def test_all_default_templates_exist_and_render_from_an_incident():
    templates = TemplateSet()
    assert templates.names() == DEFAULTS
    assert templates.check_all(context()) == []
    alert = templates.render("internal_alert", context())
    assert alert.subject == "[SEV-1] INC-2025-001: Database cluster failover failure (Declared)"
    assert alert.channel == "internal"
    assert "SEV-1 (Critical) incident INC-2025-001 is declared." in alert.text
    assert "Customer impact: 100% (15000 customers)" in alert.text
    assert "Incident commander: Dana" in alert.text and "Next update: 2025-01-15 03:30 UTC" in alert.text
    assert "\n\n\n" not in alert.text


def test_status_page_updates_follow_the_incident():
    incident = seed_incident()
    operations.transition(incident, Status.RESOLVED, at(4, 45))
    incident.resolution = "Failover was completed by hand."
    resolved = TemplateSet().render("status_resolved", context(incident))
    assert resolved.channel == "status_page" and resolved.subject == "Resolved - Database cluster failover failure"
    assert "API, Checkout are operating normally since 2025-01-15 04:45 UTC." in resolved.text
    assert "Failover was completed by hand." in resolved.text
    summary = TemplateSet().render("executive_summary", context(incident))
    assert "Duration: 2 hours 15 minutes" in summary.text and "Estimated revenue loss: 191,250" in summary.text


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ title.__class__.__base__.__subclasses__() }}",
    "{{ services.append('x') }}",
    "{{ ''.format.__globals__ }}",
    "{% set x = lipsum.__globals__ %}{{ x }}",
])
def test_sandbox_escapes_are_refused_and_reported_with_the_line(payload):
    template = parse_template("evil", f"---\nsubject: hi\n---\nfirst line\n{payload}\n", "ws/templates/evil.j2")
    with pytest.raises(TemplateError) as error:
        render_template(template, context())
    assert str(error.value).startswith("ws/templates/evil.j2:5: refused by the sandbox")


def test_unknown_names_and_syntax_errors_name_file_and_line():
    misspelt = parse_template("t", "---\nsubject: {{ titel }}\n---\nbody\n", "t.j2")
    with pytest.raises(TemplateError, match=r"^t\.j2:2: 'titel' is undefined \(known names: .*title"):
        render_template(misspelt, context())
    broken = parse_template("t", "---\nsubject: s\n---\nline\n{% if severity %}\n", "t.j2")
    with pytest.raises(TemplateError, match=r"^t\.j2:\d: syntax error: Unexpected end of template"):
        render_template(broken, context())


@pytest.mark.parametrize("body", [
    "{% for i in range(99999) %}{{ title }}{% endfor %}",
    "{{ 'x' * 10000000 }}",
    "{{ 9 ** 99999999 }}",
])
def test_output_floods_are_refused(body):
    template = parse_template("flood", f"---\nsubject: s\n---\n{body}\n", "flood.j2")
    with pytest.raises(TemplateError):
        render_template(template, context(), max_output=10_000)


@pytest.mark.parametrize(("text", "expected"), [
    ("subject: x\n---\n", "flood.j2:1: a template starts with a front matter block"),
    ("---\nsubject: x\nbody\n", "never closed"),
    ("---\ncolour: red\n---\n", "flood.j2:2: expected one of channel, description, subject"),
    ("---\nsubject: x\nchannel: pigeon\n---\n", "flood.j2:3: unknown channel 'pigeon'"),
    ("---\nchannel: internal\n---\n", "no subject line"),
])
def test_front_matter_mistakes_are_refused(text, expected):
    with pytest.raises(TemplateError, match=expected):
        parse_template("flood", text, "flood.j2")


def test_workspace_templates_override_defaults_and_unknown_names_list_the_known(tmp_path):
    (tmp_path / "internal_alert.j2").write_text("---\nsubject: custom {{ id }}\n---\nours\n")
    templates = TemplateSet([tmp_path, DEFAULT_TEMPLATES_DIR])
    assert templates.render("internal_alert", context()).subject == "custom INC-2025-001"
    with pytest.raises(TemplateNotFound, match="known templates: customer_email, escalation, executive_escalation, executive_summary"):
        templates.get("sms")


def test_every_template_named_by_the_bundled_escalation_rules_exists():
    from pathlib import Path

    from incident_desk.engine import load_ruleset

    rules = Path(__file__).resolve().parents[2] / "rules"
    ruleset = load_ruleset(rules)
    named = {a.template for p in ruleset.policies for a in p.actions if a.kind == "notify"}
    assert named and named <= set(TemplateSet().names())
