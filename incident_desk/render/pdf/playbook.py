"""A response playbook as a PDF: the live severity table and escalation policies, roles, communications,
the step checklist by phase and the decision points, the same content as the Markdown playbook.

Built from a `PlaybookDocument` (domain/playbook.py); every string in it passes through `fonts.markup`
(via the blocks) before it reaches Paragraph markup.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from ...domain.playbook import PlaybookDocument
from .blocks import BULLET, SMALL, SUBTITLE, TITLE, bullets, fields, gap, none_recorded, section, subheading, table, text
from .document import PageFrame, build_pdf
from .fonts import MONO, REGULAR, markup

PHASES = (("immediate", "Immediate (during the incident)"), ("short_term", "Short-term (24 hours)"),
          ("long_term", "Long-term (30 days)"))
BOX = "☐"
STEP = ParagraphStyle("step", parent=BULLET, bulletFontName=REGULAR, bulletFontSize=11, spaceAfter=3)


def _label(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").capitalize()


def _severity(document: PlaybookDocument) -> list[Any]:
    if not document.severity_levels:
        return [text("The rule files are invalid; see `incident-desk rules check`.")]
    rows = [[r.level, r.name, r.acknowledge_within or "-", r.update_every or "-", r.resolve_within or "-",
             r.description] for r in document.severity_levels]
    return [table(["Level", "Name", "Acknowledge within", "Update every", "Resolve within", "Description"], rows,
                  [0.08, 0.14, 0.16, 0.11, 0.12, 0.39])]


def _escalations(document: PlaybookDocument) -> list[Any]:
    if not document.escalations:
        return [text("No escalation policies are active.")]
    story: list[Any] = []
    for row in document.escalations:
        story.append(subheading(row.policy))
        story.append(text(f"{row.description}. When {row.applies_when}; after {row.trigger}:"))
        story += bullets(list(row.actions))
    return story


def _checklist(document: PlaybookDocument) -> list[Any]:
    story: list[Any] = []
    for phase, title in PHASES:
        steps = [s for s in document.steps if s.phase == phase]
        if not steps:
            continue
        story.append(subheading(title))
        for step in steps:
            role = f' <font color="#5f6b7a"><i>({markup(_label(step.role))})</i></font>' if step.role else ""
            story.append(Paragraph(f'<font name="{MONO}">{markup(step.id)}</font>  {markup(step.text)}{role}',
                                   STEP, bulletText=BOX))
    return story or [none_recorded()]


def _decisions(document: PlaybookDocument) -> list[Any]:
    story: list[Any] = []
    for decision in document.decisions:
        story.append(subheading(decision.question))
        story.append(fields([("Yes", decision.yes), ("No", decision.no)], label_width=0.1))
    return story


def playbook_story(document: PlaybookDocument) -> list[Any]:
    story: list[Any] = [
        Paragraph(markup(document.title), TITLE),
        Paragraph(markup(f"Response playbook · incident type {document.type}"), SUBTITLE),
    ]
    if document.summary:
        story.append(text(document.summary))
    story += [*section("Severity Levels"), *_severity(document)]
    story += [*section("Escalation Policies"), *_escalations(document)]
    story += [*section("Roles"),
              table(["Role", "Duties"], [[_label(r.role), r.duties] for r in document.roles], [0.25, 0.75])]
    comms = [[c.when, _label(c.channel), c.audience or "-", c.template or "-"] for c in document.communications]
    story += [*section("Communications"), table(["When", "Channel", "Audience", "Template"], comms,
                                                [0.34, 0.16, 0.25, 0.25])]
    story += [*section("Checklist"), *_checklist(document)]
    if document.decisions:
        story += [*section("Decision Points"), *_decisions(document)]
    story.append(gap(4))
    story.append(text(f"Generated from {document.source or 'the playbook file'} with rules "
                      f"{document.rules_digest or 'none'}.", SMALL))
    return story


def render_playbook_pdf(document: PlaybookDocument, generated: str) -> bytes:
    """The playbook as PDF bytes; `generated` is the time printed in the footer."""
    frame = PageFrame(
        header_left=f"Playbook · {document.title}",
        header_right=f"incident type {document.type}",
        generated=generated,
        rules_version=document.rules_digest,
        audit_head=document.source,
        audit_label="playbook file",
        title=f"Playbook: {document.title}",
        author="Incident Desk",
        subject=f"Response playbook for {document.type} incidents",
        keywords=("playbook", document.type),
        info={"IncidentDeskReport": "playbook", "IncidentDeskPlaybookType": document.type,
              "IncidentDeskRulesVersion": document.rules_digest},
    )
    return build_pdf(playbook_story(document), frame)
