"""Message templates: Jinja2 in an immutable sandbox, with front matter, strict names and a size cap.

A template is a `.j2` file whose front matter gives the subject line and the channel:

    ---
    subject: [{{ severity }}] {{ title }}
    channel: internal
    description: Internal alert to the response team
    ---
    {{ title }} was declared at {{ declared_at }}.

Templates render in `ImmutableSandboxedEnvironment` with `StrictUndefined` (a misspelt name is an error,
not an empty string) and autoescape off (the output is plain text). Anything the sandbox refuses
(`{{ ''.__class__ }}`, `{{ cycler.__init__.__globals__ }}`, calling mutating methods), a syntax error, an
unknown name, or output above the size cap is reported as one `TemplateError` naming the file and line.
Workspace templates override the defaults in rules/templates/ by name.
"""

from __future__ import annotations

import operator
import re
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import jinja2
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..domain import Incident, Role
from ..domain import figures
from ..domain.levels import level_label
from ..domain.timeutil import as_utc, format_duration, isoformat_z

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "rules" / "templates"
MAX_OUTPUT_CHARS = 64_000
MAX_SEQUENCE_PRODUCT = 100_000
FRONT_MATTER_KEYS = {"subject", "channel", "description"}
_BLANK_RUNS = re.compile(r"\n\s*\n(?:\s*\n)+")
CHANNELS = {"internal", "stakeholder", "status_page", "customer", "executive", "regulator"}


class TemplateError(Exception):
    """A template that cannot be used: `file:line: what is wrong`."""

    def __init__(self, template: str, line: int | None, problem: str) -> None:
        self.template, self.line, self.problem = template, line, problem
        super().__init__(f"{template}{f':{line}' if line else ''}: {problem}")


class TemplateNotFound(TemplateError):
    pass


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    path: str
    subject: str
    subject_line: int
    body: str
    body_line: int
    channel: str
    description: str


@dataclass(frozen=True)
class RenderedMessage:
    template: str
    channel: str
    subject: str
    text: str


def parse_template(name: str, text: str, path: str = "") -> MessageTemplate:
    """Split a template file into its front matter and body; errors name the file and line."""
    where = path or name
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise TemplateError(where, 1, "a template starts with a front matter block: '---', 'subject: ...', '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise TemplateError(where, 1, "the front matter block opened on line 1 is never closed with '---'") from None
    meta: dict[str, tuple[str, int]] = {}
    for index in range(1, end):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in FRONT_MATTER_KEYS:
            raise TemplateError(where, index + 1, f"expected one of {', '.join(sorted(FRONT_MATTER_KEYS))} "
                                f"as 'key: value', got {line.strip()!r}")
        meta[key] = (value.strip(), index + 1)
    if "subject" not in meta or not meta["subject"][0]:
        raise TemplateError(where, 1, "the front matter has no subject line")
    channel, channel_line = meta.get("channel", ("internal", 1))
    if channel not in CHANNELS:
        raise TemplateError(where, channel_line, f"unknown channel {channel!r}; use one of {', '.join(sorted(CHANNELS))}")
    body = "\n".join(lines[end + 1:])
    return MessageTemplate(name=name, path=where, subject=meta["subject"][0], subject_line=meta["subject"][1],
                           body=body, body_line=end + 2, channel=channel,
                           description=meta.get("description", ("", 0))[0])


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, also refusing `*` and `**` that would build huge values."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, (int, float)) and abs(right) > 100:
                raise jinja2.exceptions.SecurityError("exponent above 100 refused")
            return operator.pow(left, right)
        if isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple)):
            sequence, count = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if isinstance(count, int) and len(sequence) * count > MAX_SEQUENCE_PRODUCT:
                raise jinja2.exceptions.SecurityError(f"repeating a value to more than {MAX_SEQUENCE_PRODUCT} items refused")
        return operator.mul(left, right)


def _environment() -> _Sandbox:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False, auto_reload=False)
    env.filters["duration"] = lambda value: format_duration(value) if isinstance(value, timedelta) else str(value)
    return env


def _padded(source: str, first_line: int) -> str:
    """`source` preceded by blank lines so that Jinja's line numbers are the file's line numbers."""
    return "\n" * (first_line - 1) + source


def _line_of(error: BaseException, filename: str) -> int | None:
    line = getattr(error, "lineno", None)
    if isinstance(error, jinja2.TemplateSyntaxError) and line:
        return line
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename == filename:
            return frame.lineno
    return line


def render_template(template: MessageTemplate, context: Mapping[str, Any],
                    max_output: int = MAX_OUTPUT_CHARS) -> RenderedMessage:
    """Render subject and body of `template` with `context`, in the sandbox, within `max_output` characters."""
    env = _environment()
    subject = _render_part(env, template, "subject", template.subject, template.subject_line, context, 500)
    text = _render_part(env, template, "body", template.body, template.body_line, context, max_output)
    return RenderedMessage(template=template.name, channel=template.channel,
                           subject=" ".join(subject.split()), text=_BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n")


def _render_part(env: _Sandbox, template: MessageTemplate, part: str, source: str, first_line: int,
                 context: Mapping[str, Any], limit: int) -> str:
    filename = f"{template.path}#{part}"
    try:
        compiled = env.template_class.from_code(
            env, env.compile(_padded(source, first_line), template.name, filename), env.make_globals(None), None)
        pieces: list[str] = []
        size = 0
        for piece in compiled.generate(dict(context)):
            size += len(piece)
            if size > limit:
                raise TemplateError(template.path, None, f"the {part} is longer than {limit} characters; refused")
            pieces.append(piece)
        return "".join(pieces)
    except TemplateError:
        raise
    except jinja2.exceptions.SecurityError as error:
        raise TemplateError(template.path, _line_of(error, filename), f"refused by the sandbox: {error}") from None
    except jinja2.UndefinedError as error:
        raise TemplateError(template.path, _line_of(error, filename),
                            f"{error} (known names: {', '.join(sorted(context))})") from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(template.path, error.lineno, f"syntax error: {error.message}") from None
    except Exception as error:  # noqa: BLE001 - any failure inside a template is the template's problem
        raise TemplateError(template.path, _line_of(error, filename), f"{type(error).__name__}: {error}") from None


class TemplateSet:
    """Templates found in folders; an earlier folder overrides a later one by name (workspace first)."""

    def __init__(self, folders: Sequence[Path] = (DEFAULT_TEMPLATES_DIR,), max_output: int = MAX_OUTPUT_CHARS) -> None:
        self.folders = [Path(f) for f in folders]
        self.max_output = max_output

    def paths(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            if folder.is_dir():
                for path in sorted(folder.glob("*.j2")):
                    found[path.stem] = path
        return dict(sorted(found.items()))

    def names(self) -> list[str]:
        return list(self.paths())

    def get(self, name: str) -> MessageTemplate:
        path = self.paths().get(name)
        if path is None:
            raise TemplateNotFound(name, None, f"no such template; known templates: {', '.join(self.names()) or 'none'}")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise TemplateError(str(path), None, f"cannot read: {error}") from None
        return parse_template(name, text, str(path))

    def render(self, name: str, context: Mapping[str, Any]) -> RenderedMessage:
        return render_template(self.get(name), context, self.max_output)

    def check_all(self, context: Mapping[str, Any]) -> list[TemplateError]:
        """Render every template with `context`; the errors of those that fail."""
        problems = []
        for name in self.names():
            try:
                self.render(name, context)
            except TemplateError as error:
                problems.append(error)
        return problems


def _when(value: datetime | None) -> str:
    return "" if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def incident_context(incident: Incident, now: datetime, next_update_at: datetime | None = None,
                     level_names: Mapping[str, str] | None = None,
                     extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The names a message template can use, as plain strings, numbers and lists."""
    facts = incident.facts
    clock = incident.clock
    holders: Callable[[Role], str] = lambda role: ", ".join(a.person for a in incident.current_holders(role))
    started = clock.started_at or clock.declared_at
    ended = clock.resolved_at or as_utc(now)
    impact_pct = facts.customer_impact_pct
    loss = figures.revenue_loss(incident)
    context: dict[str, Any] = {
        "id": incident.id,
        "title": incident.title,
        "summary": incident.summary,
        "type": incident.type,
        "severity": incident.severity_level or "unclassified",
        "severity_label": level_label(incident.severity_level, dict(level_names) if level_names else None),
        "status": incident.status.value,
        "status_label": incident.status.label,
        "started_at": _when(clock.started_at),
        "detected_at": _when(clock.alerted_at),
        "declared_at": _when(clock.declared_at),
        "acknowledged_at": _when(clock.acknowledged_at),
        "mitigated_at": _when(clock.mitigated_at),
        "resolved_at": _when(clock.resolved_at),
        "started_at_iso": isoformat_z(clock.started_at) if clock.started_at else "",
        "duration": format_duration(ended - started) if started else "",
        "services": list(incident.services or incident.affected_systems),
        "services_text": ", ".join(incident.services or incident.affected_systems) or "our services",
        "services_count": len(incident.services or incident.affected_systems),
        "affected_systems": list(incident.affected_systems),
        "impact": {
            "summary": incident.impact.summary,
            "customer_impact_pct": f"{impact_pct:g}%" if impact_pct is not None else "",
            "customers_affected": facts.customers_affected if facts.customers_affected is not None else "",
            "failed_transactions": facts.failed_transactions if facts.failed_transactions is not None else "",
            "revenue_loss": f"{loss:,.0f}" if loss is not None else "",
            "regions": list(facts.regions),
            "data_categories": list(facts.data_categories),
            "records_exposed": facts.records_exposed if facts.records_exposed is not None else "",
        },
        "commander": holders(Role.INCIDENT_COMMANDER),
        "communications_lead": holders(Role.COMMUNICATIONS_LEAD),
        "primary_cause": incident.investigation.primary_cause,
        "root_cause": incident.investigation.root_cause,
        "resolution": incident.resolution,
        "next_update_at": _when(next_update_at) if next_update_at else "",
        "now": _when(now),
        # filled in when an escalation policy sends the message (app/escalations.py)
        "escalation": {"policy": "", "description": "", "repeat": 0, "target": "", "due_at": ""},
    }
    if extra:
        context.update(extra)
    return context
