"""Reading a post-mortem written in the Markdown layout the desk exports (`import --postmortem FILE.md`).

The document is parsed section by section back into an incident: the overview table (identity, clock,
meeting), summary, impact (lines the desk generates from facts are told apart from the team's own lines),
facts, severity override, timeline, communication log, regulatory filings, root cause and 5 whys,
findings, remediation, action items and responders. The incident is classified by the workspace's rules
and stored as one audited import. Exporting it again gives the same document.

What the layout does not show is not invented: timeline authors and sources, role notes, remediation
owners and the escalation record come back empty. Problems are reported as `FILE:LINE: message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from datetime import date, datetime, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from ..domain import (
    Channel,
    DomainError,
    EventKind,
    Facts,
    Incident,
    Phase,
    Priority,
    SeverityOverride,
    Status,
    WorkStatus,
)
from ..domain.operations import describe_validation_error
from ..domain.timeutil import parse_instant
from ..render.markdown import CLOCK_ROWS
from ..render.text_report import REMEDIATION_SUFFIX, impact_lines
from .desk import Desk

MAX_BYTES = 4 * 1024 * 1024
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_UNESCAPE = re.compile(r"\\(.)")
_NUMBERED = re.compile(r"^\d+\.\s+")
_WHY = re.compile(r"^\d+\.\s+\*\*(.+?)(?<!\\)\*\*\s?(.*)$")
_OVERRIDE = re.compile(r"^\*\*Override:\*\* set by (.+?) at (\S+): (.*) \(computed level [^)]*\)$")
_CREDIT = re.compile(r"^SLA credits: \D?([\d,]+(?:\.\d+)?) \(estimated\)$")
_TITLE = re.compile(r"^# Post-mortem: (INC-\d{4}-\d{3,}) - (.*)$")


class PostmortemFormatError(DomainError):
    """The document is not in the layout the desk exports (with the file and line)."""


def unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text.strip())


@dataclass
class _Section:
    title: str
    line: int  # 1-based line of the heading
    lines: list[tuple[int, str]] = field(default_factory=list)

    def subsections(self) -> dict[str, list[tuple[int, str]]]:
        parts: dict[str, list[tuple[int, str]]] = {"": []}
        current = ""
        for number, text in self.lines:
            if text.startswith("### "):
                current = text[4:].strip()
                parts[current] = []
            else:
                parts[current].append((number, text))
        return parts


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.split("\n")
        self.sections: dict[str, _Section] = {}
        self.head: list[tuple[int, str]] = []
        current: _Section | None = None
        for number, line in enumerate(self.lines, start=1):
            if line.startswith("## "):
                current = _Section(line[3:].strip(), number)
                self.sections[current.title] = current
            elif current is None:
                self.head.append((number, line))
            else:
                current.lines.append((number, line))

    def fail(self, line: int, message: str) -> PostmortemFormatError:
        return PostmortemFormatError(f"{self.source}:{line}: {message}")

    def section(self, title: str) -> _Section:
        found = self.sections.get(title)
        if found is None:
            raise self.fail(len(self.lines), f"section '## {title}' is missing; is this a post-mortem exported "
                                             f"by incident-desk?")
        return found

    def table(self, lines: list[tuple[int, str]], columns: int) -> list[tuple[int, list[str]]]:
        rows = [(n, t) for n, t in lines if t.startswith("|")]
        out = []
        for index, (number, text) in enumerate(rows):
            if index < 2:  # header and separator
                continue
            cells = [unescape(cell) for cell in _CELL_SPLIT.split(text.strip())[1:-1]]
            if len(cells) != columns:
                raise self.fail(number, f"expected a table row of {columns} cells, found {len(cells)}")
            out.append((number, cells))
        return out

    @staticmethod
    def items(lines: list[tuple[int, str]]) -> list[str]:
        found = []
        for _, text in lines:
            if text.startswith("- "):
                found.append(unescape(text[2:]))
            elif _NUMBERED.match(text):
                found.append(unescape(_NUMBERED.sub("", text, count=1)))
        return found


def _instant(reader: _Reader, line: int, text: str) -> datetime | None:
    if text in ("not recorded", "-", ""):
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise reader.fail(line, str(error)) from None


def _local_time(reader: _Reader, line: int, text: str, tz: tzinfo, day: date | None) -> datetime:
    """`02:30:00` on the reference day, or `2025-01-16 09:00:00`, in the document's time zone -> UTC."""
    try:
        if " " in text:
            local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        else:
            if day is None:
                raise ValueError("a time without a date needs the Started instant")
            clock = datetime.strptime(text, "%H:%M:%S").time()
            local = datetime.combine(day, clock)
    except ValueError as error:
        raise reader.fail(line, f"'{text}' is not a time such as 02:30:00 ({error})") from None
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def _zone(reader: _Reader, section: _Section) -> tzinfo:
    header = next((t for _, t in section.lines if t.startswith("| Time (")), "| Time (UTC) |")
    name = header.split("Time (", 1)[1].split(")", 1)[0]
    if name in ("UTC", "Etc/UTC"):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail(section.line, f"unknown time zone '{name}'") from None


def _by_label(reader: _Reader, line: int, enum: type[Enum], text: str, what: str) -> Any:
    for member in enum:
        if getattr(member, "label", member.value) == text or member.value == text:
            return member
    raise reader.fail(line, f"unknown {what} '{text}'")


@dataclass
class _Parsed:
    fields: dict[str, Any]
    override: dict[str, Any] | None


def parse_postmortem(text: str, source: str = "post-mortem.md") -> _Parsed:
    """The incident fields a post-mortem document holds (the impact notes still include generated lines)."""
    reader = _Reader(text, source)
    title_line = next(((n, t) for n, t in reader.head if t.startswith("# ")), None)
    match = _TITLE.match(title_line[1]) if title_line else None
    if not match:
        raise reader.fail(title_line[0] if title_line else 1,
                          "expected the title line '# Post-mortem: INC-YYYY-NNN - title'")
    fields: dict[str, Any] = {"id": match.group(1), "title": unescape(match.group(2))}

    overview = {cells[0]: (n, cells[1]) for n, cells in reader.table(reader.head, 2)}

    def row(label: str, default: str = "") -> tuple[int, str]:
        return overview.get(label, (title_line[0] if title_line else 1, default))

    line, kind = row("Type", "Availability Incident")
    fields["type"] = kind.removesuffix(" Incident").strip().lower().replace(" ", "-")
    line, status = row("Status", "Declared")
    fields["status"] = _by_label(reader, line, Status, status, "status")
    clock = {"started_at": _instant(reader, *row("Started")), "resolved_at": _instant(reader, *row("Resolved"))}
    for label, name in CLOCK_ROWS:
        clock[name] = _instant(reader, *row(label))
    fields["clock"] = clock
    systems = row("Affected systems", "not recorded")[1]
    fields["affected_systems"] = [] if systems == "not recorded" else systems.split(", ")
    fields["services"] = [s for s in row("Services")[1].split(", ") if s]
    fields["tags"] = [t for t in row("Tags")[1].split(", ") if t]
    postmortem: dict[str, Any] = {"facilitator": row("Facilitator")[1]}
    line, meeting = row("Post-mortem meeting")
    if meeting.startswith("held "):
        postmortem["held_at"] = _instant(reader, line, meeting.split()[1])
    elif meeting.startswith("scheduled "):
        postmortem["scheduled_at"] = _instant(reader, line, meeting.split()[1])

    # summary
    summary_lines = reader.section("Summary").lines
    bullets = {}
    paragraph = []
    for _, text in summary_lines:
        found = re.match(r"^- \*\*(Impact|Root cause|Resolution):\*\* (.*)$", text)
        if found:
            value = found.group(2)
            bullets[found.group(1)] = "" if value == "_not recorded_" else unescape(value)
        elif text.strip():
            paragraph.append(text.strip())
    fields["summary"] = unescape(" ".join(paragraph))
    fields["resolution"] = bullets.get("Resolution", "")

    # impact
    parts = reader.section("Impact").subsections()
    impact: dict[str, Any] = {"summary": bullets.get("Impact", ""),
                              "customer_notes": reader.items(parts.get("Customer impact", [])),
                              "business_notes": reader.items(parts.get("Business impact", [])),
                              "technical_notes": reader.items(parts.get("Technical impact", [])),
                              "windows": []}
    for number, (kind_text, start, end) in reader.table(parts.get("Impact windows", []), 3):
        impact["windows"].append({"kind": kind_text.replace(" ", "_"), "start": _instant(reader, number, start),
                                  "end": _instant(reader, number, end)})
    for note in list(impact["business_notes"]):
        credit = _CREDIT.match(note)
        if credit:
            impact["sla_credits"] = float(credit.group(1).replace(",", ""))
            impact["business_notes"].remove(note)
            break
    fields["impact"] = impact

    # facts
    facts: dict[str, Any] = {}
    facts_section = reader.sections.get("Facts")
    for number, (name, value) in reader.table(facts_section.lines if facts_section else [], 2):
        if name not in Facts.model_fields:
            raise reader.fail(number, f"unknown fact '{name}'")
        annotation = str(Facts.model_fields[name].annotation)
        facts[name] = value.split(", ") if "list" in annotation else value
    fields["facts"] = facts

    # severity override
    override = None
    for number, text in reader.section("Severity criteria").lines:
        found = _OVERRIDE.match(text)
        if found:
            override = {"author": unescape(found.group(1)), "at": _instant(reader, number, found.group(2)),
                        "reason": unescape(found.group(3))}
    severity_line = row("Severity")[1]
    if override is not None:
        override["level"] = severity_line.split()[0]

    # timeline and communications
    started = clock["started_at"]
    section = reader.section("Timeline")
    tz = _zone(reader, section)
    day = started.astimezone(tz).date() if started else None
    fields["timeline"] = [
        {"at": _local_time(reader, n, at, tz, day), "kind": _by_label(reader, n, EventKind, kind_, "event kind"),
         "text": text_}
        for n, (at, kind_, text_) in reader.table(section.lines, 3)]
    section = reader.section("Communication log")
    tz = _zone(reader, section)
    day = started.astimezone(tz).date() if started else None
    fields["communications"] = [
        {"at": _local_time(reader, n, at, tz, day), "channel": _by_label(reader, n, Channel, channel, "channel"),
         "audience": "" if audience == "-" else audience, "message": message}
        for n, (at, channel, audience, message) in reader.table(section.lines, 4)]

    # regulatory filings
    filings = reader.section("Regulatory deadlines and filings").subsections().get("Filings", [])
    fields["regulatory_filings"] = [
        {"regime": regime, "obligation": obligation, "filed_at": _instant(reader, n, filed),
         "reference": "" if reference == "-" else reference, "author": "" if by == "-" else by}
        for n, (regime, obligation, filed, reference, by) in reader.table(filings, 5)]

    # root cause
    parts = reader.section("Root cause analysis").subsections()
    investigation: dict[str, Any] = {"contributing_factors": reader.items(parts.get("Contributing factors", [])),
                                     "whys": []}
    for _, text in parts.get("", []) + parts.get("Five whys", []):
        for label, key in (("Primary cause", "primary_cause"), ("Root cause", "root_cause")):
            prefix = f"**{label}:** "
            if text.startswith(prefix):
                value = text[len(prefix):]
                investigation[key] = "" if value == "_not recorded_" else unescape(value)
    for _number, text in parts.get("Five whys", []):
        found = _WHY.match(text)
        if found:
            investigation["whys"].append({"question": unescape(found.group(1)), "answer": unescape(found.group(2))})
    fields["investigation"] = investigation

    # findings
    postmortem["went_well"] = reader.items(reader.section("What went well").lines)
    postmortem["could_improve"] = reader.items(reader.section("What could be improved").lines)
    postmortem["lessons"] = reader.items(reader.section("Lessons learned").lines)
    postmortem["process_improvements"] = reader.items(reader.section("Process improvements").lines)
    postmortem["recommendations"] = reader.items(reader.section("Recommendations").lines)
    fields["postmortem"] = postmortem

    # remediation
    remediation = []
    suffixes = sorted(((suffix, status) for status, suffix in REMEDIATION_SUFFIX.items() if suffix),
                      key=lambda pair: -len(pair[0]))
    for phase_title, lines in reader.section("Remediation").subsections().items():
        if not phase_title:
            continue
        phase = next((p for p in Phase if p.label == phase_title), None)
        if phase is None:
            raise reader.fail(lines[0][0] - 1 if lines else 1, f"unknown remediation phase '{phase_title}'")
        for item in reader.items(lines):
            status = WorkStatus.NOT_STARTED
            for suffix, candidate in suffixes:
                if item.endswith(suffix):
                    item, status = item[: -len(suffix)], candidate
                    break
            remediation.append({"phase": phase, "text": item, "status": status})
    fields["remediation"] = remediation

    # action items
    items = []
    for number, (item_id, priority, title, owner, due, status) in reader.table(
            reader.section("Action items").lines, 6):
        recurrence = None
        found = re.match(r"^(\S+) \((weekly|monthly|quarterly|yearly)\)$", due)
        if found:
            due, recurrence = found.group(1), found.group(2)
        status = status.removesuffix(" (overdue)")
        items.append({"id": item_id, "priority": _by_label(reader, number, Priority, priority.lower(), "priority"),
                      "title": title, "owner": owner, "due": None if due == "not set" else due,
                      "recurrence": recurrence,
                      "status": _by_label(reader, number, WorkStatus, status, "status")})
    fields["action_items"] = items

    # responders
    fields["roles"] = [
        {"role": role.lower().replace(" ", "_"), "person": person, "assigned_at": _instant(reader, n, start),
         "relieved_at": _instant(reader, n, end)}
        for n, (role, person, start, end) in reader.table(reader.section("Responders").lines, 4)]
    return _Parsed(fields, override)


def _generated_removed(items: list[str], generated: list[str]) -> list[str]:
    """The team's own lines: the document's lines without those the desk generates from the facts."""
    if items[: len(generated)] == generated:
        return items[len(generated):]
    return [item for item in items if item not in generated]


def postmortem_incident(desk: Desk, text: str, source: str = "post-mortem.md") -> Incident:
    """The incident a post-mortem document describes, validated and classified by the workspace's rules."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PostmortemFormatError(f"{source}: larger than {MAX_BYTES // 1024 // 1024} MB; refused")
    parsed = parse_postmortem(text, source)
    try:
        incident = Incident.model_validate(parsed.fields)
    except ValidationError as error:
        raise PostmortemFormatError(f"{source}: {describe_validation_error(error)}") from None
    from .reporting import report_context  # the same context the export used, to tell generated lines apart

    bare = incident.model_copy(deep=True)
    bare.impact.customer_notes, bare.impact.business_notes, bare.impact.technical_notes = [], [], []
    customer, business, technical = impact_lines(bare, report_context(desk, bare))
    incident.impact.customer_notes = _generated_removed(incident.impact.customer_notes, customer)
    incident.impact.business_notes = _generated_removed(incident.impact.business_notes, business)
    incident.impact.technical_notes = _generated_removed(incident.impact.technical_notes, technical)
    if desk.classifier is not None:
        incident.severity = desk.classifier(incident, desk.clock())
    if parsed.override is not None:
        try:
            incident.severity.override = SeverityOverride.model_validate(parsed.override)
        except ValidationError as error:
            raise PostmortemFormatError(f"{source}: severity override: {describe_validation_error(error)}") from None
    return incident


def import_postmortem(desk: Desk, text: str, *, source: str = "post-mortem.md", replace: bool = False) -> Incident:
    """Read a post-mortem document and store its incident as one audited import."""
    incident = postmortem_incident(desk, text, source)
    known = [role.id for role in desk.roles()]
    strangers = sorted({str(a.role) for a in incident.roles if str(a.role) not in known})
    if strangers:
        raise PostmortemFormatError(f"{source}: Responders: unknown role {', '.join(strangers)}; this workspace's "
                                    f"roles: {', '.join(known)} (add it to roles.yaml first)")
    return desk.workspace.import_incident(incident, actor=desk.actor, replace=replace,
                                          detail=f"from the Markdown post-mortem {source}")


__all__ = ["PostmortemFormatError", "import_postmortem", "parse_postmortem", "postmortem_incident"]

