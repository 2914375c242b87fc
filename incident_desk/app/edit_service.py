"""Editing a whole incident record (or one section) as YAML text: the document, its validation with
located errors, the diff, and one audited change through `Desk.change`.

The document starts with a comment naming the incident and the revision it was made from; applying it
with that revision means an incident changed meanwhile is refused (the store's revision check), never
merged blindly. Every problem of an edited document is reported at once as `line N: path: message`.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML

from ..domain import DomainError, Incident, operations
from ..domain.operations import EDITABLE_SECTIONS, validation_problems
from ..engine.yamlsafe import load_text
from .desk import Desk

SECTIONS = tuple(EDITABLE_SECTIONS)
MAX_DOCUMENT_BYTES = 1024 * 1024  # as engine.yamlsafe reads at most


class EditError(DomainError):
    """An edited document that cannot be applied; `problems` are (line, path, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"line {line}: {path + ': ' if path else ''}{message}"
                                   for line, path, message in problems))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


def fields_of(section: str | None) -> tuple[str, ...]:
    if section is None:
        return operations.EDITABLE_FIELDS
    if section not in EDITABLE_SECTIONS:
        raise DomainError(f"unknown section '{section}'; sections: {', '.join(SECTIONS)}")
    return EDITABLE_SECTIONS[section]


def document(incident: Incident, section: str | None = None) -> str:
    """The YAML text a person edits: a header comment, then the chosen fields as stored (JSON values)."""
    names = fields_of(section)
    data = incident.model_dump(mode="json", include=set(names))
    ordered = {name: data[name] for name in names}
    out = io.StringIO()
    out.write(f"# {incident.id} revision {incident.revision}: {incident.title}\n"
              f"# Edit and save; close without saving to cancel. Times are UTC (ISO 8601). Items without an\n"
              f"# `id` are new. Derived facts (sla_breached, duration, ...) cannot be typed.\n")
    _yaml().dump(ordered, out)
    return out.getvalue()


def unknown_roles(incident: Incident, known: list[str]) -> list[tuple[int, str]]:
    """(index, role) of each assignment whose role is not one of the workspace's roles."""
    return [(n, str(a.role)) for n, a in enumerate(incident.roles) if str(a.role) not in known]


def parse(text: str, incident: Incident, section: str | None = None,
          known_roles: list[str] | None = None) -> dict[str, Any]:
    """The changes an edited document makes; EditError with every located problem when it is not valid.

    The text is read as plain data only (no tags, size- and alias-capped: `engine.yamlsafe`), so a
    document from elsewhere (a recovery file, `--from-file`) cannot build objects or blow up memory."""
    if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raise EditError([(1, "", f"document larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB; refused")])
    doc = load_text(text, "edit")
    if doc.problems:
        raise EditError([(p.line, p.path, p.message) for p in doc.problems])
    tree = doc.data
    names = fields_of(section)
    if not isinstance(tree, dict):
        raise EditError([(1, "", f"expected the fields {', '.join(names)}")])
    problems = [(doc.line_of((key,)), str(key), f"not part of this edit (fields: {', '.join(names)})")
                for key in tree if key not in names]
    problems += [(1, name, "missing (write [] or an empty value to clear it)") for name in names if name not in tree]
    if problems:
        raise EditError(problems)
    changes = {name: _plain(tree[name]) for name in names}
    try:
        edited = operations.edited_incident(incident, changes)
    except ValidationError as error:
        located = []
        for item, (path, message) in zip(error.errors(), validation_problems(error), strict=False):
            located.append((doc.line_of(tuple(item["loc"])), path, message))
        raise EditError(located) from None
    except DomainError as error:
        raise EditError([(doc.line_of(("facts",)) if "facts." in str(error) else 1, "", str(error))]) from None
    if known_roles is not None and "roles" in changes:
        strangers = unknown_roles(edited, known_roles)
        if strangers:
            raise EditError([(doc.line_of(("roles", n, "role")), f"roles.{n}.role",
                              f"unknown role '{role}'; this workspace's roles: {', '.join(known_roles)} "
                              f"(add it to roles.yaml first)") for n, role in strangers])
    return changes


def _plain(value: Any) -> Any:
    """YAML timestamps back to ISO text (the models parse them); everything else is plain data already."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"{name} (stored)", f"{name} (edited)"))


@dataclass
class EditResult:
    incident: Incident
    changed: tuple[str, ...]


def apply(desk: Desk, incident_id: str, text: str, revision: int, section: str | None = None) -> EditResult:
    """Validate the edited document against the incident as it is now and apply it as one audited change,
    refused if the incident is no longer at `revision`."""
    current = desk.get(incident_id)
    changes = parse(text, current, section, [role.id for role in desk.roles()])
    stored = current.model_dump(mode="json")
    changed = {name: value for name, value in changes.items()
               if Incident.model_validate({**stored, name: value}).model_dump(mode="json")[name] != stored[name]}
    if not changed:
        return EditResult(current, ())
    label = f"edit {section or 'record'}"
    saved = desk.change(incident_id, label, lambda i: operations.replace_parts(i, changed),
                        expected_revision=revision, reclassify=True)
    return EditResult(saved, tuple(sorted(changed)))
