"""Built-in playbook generator: renders a `PlaybookDocument` (a playbook file joined with the live
severity levels and escalation policies) as Markdown. A team copies this plugin to write its own layout."""

from __future__ import annotations

import incident_desk
from incident_desk import PlaybookDocument

PHASES = (("immediate", "Immediate (during the incident)"), ("short_term", "Short-term (24 hours)"),
          ("long_term", "Long-term (30 days)"))


def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def render_markdown(document: PlaybookDocument) -> str:
    out = [f"# {document.title}", "", f"Incident type: `{document.type}`", ""]
    if document.summary:
        out += [document.summary, ""]
    out += ["## Severity levels", ""]
    if document.severity_levels:
        out += ["| Level | Name | Acknowledge within | Update every | Resolve within | Description |",
                "|---|---|---|---|---|---|"]
        out += [f"| {r.level} | {_cell(r.name)} | {r.acknowledge_within or '-'} | {r.update_every or '-'} | "
                f"{r.resolve_within or '-'} | {_cell(r.description)} |" for r in document.severity_levels]
    else:
        out.append("The rule files are invalid; see `incident-desk rules check`.")
    out += ["", "## Escalation policies", ""]
    for row in document.escalations:
        out.append(f"- **{row.policy}**: {row.description}. When {row.applies_when}; after {row.trigger}:")
        out += [f"  - {action}" for action in row.actions]
    if not document.escalations:
        out.append("No escalation policies are active.")
    out += ["", "## Roles", ""]
    out += [f"- **{_label(r.role)}**: {r.duties}" for r in document.roles]
    out += ["", "## Communications", ""]
    for c in document.communications:
        template = f" (template `{c.template}`)" if c.template else ""
        audience = f" to {c.audience}" if c.audience else ""
        out.append(f"- {c.when}: {_label(c.channel)}{audience}{template}")
    out += ["", "## Checklist", ""]
    for phase, title in PHASES:
        steps = [s for s in document.steps if s.phase == phase]
        if steps:
            out += [f"### {title}", ""]
            out += [f"- [ ] `{s.id}` {s.text}" + (f" *({_label(s.role)})*" if s.role else "") for s in steps]
            out.append("")
    if document.decisions:
        out += ["## Decision points", ""]
        for d in document.decisions:
            out += [f"- **{d.question}**", f"  - Yes: {d.yes}", f"  - No: {d.no}"]
        out.append("")
    out.append(f"_Generated from {document.source or 'the playbook file'} with rules {document.rules_digest or 'none'}._")
    return "\n".join(out) + "\n"


@incident_desk.hookimpl
def register_playbook_generators(register):
    register("markdown", render_markdown, description="Markdown playbook with the live severity table and "
                                                      "escalation policies", suffix=".md")
