"""The incident export document (`export` / `import`): building it, and checking one before it is imported.

Format version 2 (written since the audit chain became evidence)::

    {"format": "incident-desk/incident", "format_version": 2,
     "audit_head": "<hash of the last audit record>",
     "audit": [<every audit record, in order>],
     "incident": {<the incident exactly as stored>}}

An import of version 2 recomputes the content hash of `incident`, checks the whole `audit` chain from its
genesis (revision 1) to the record that seals that content, and requires `audit_head` to be its head:
an export edited after it was written is refused, naming the file. Version 1 exports (and bare incident
JSON) carry no trail, so their content cannot be checked: they are refused unless the person asks for
an unverified import, which the new audit record then says. Unknown versions are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..domain import DomainError, Incident
from ..domain.operations import describe_validation_error
from ..store import audit

FORMAT = "incident-desk/incident"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
LIST_PARTS = ("timeline", "communications")


@dataclass(frozen=True)
class CheckedExport:
    incident: Incident
    #: what the import's audit record says about where the data came from
    detail: str


def build(stored_incident: dict[str, Any], trail: list[dict[str, Any]]) -> dict[str, Any]:
    """The export document of an incident as stored, with its whole audit trail."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "audit_head": trail[-1]["hash"] if trail else "", "audit": trail, "incident": stored_incident}


def check(document: Any, source: str, *, allow_unverified: bool = False) -> CheckedExport:
    """The incident of an export document, after the checks its format version allows; DomainError
    (naming `source`) when it is not one, is of an unknown version, or does not match its audit head."""
    if not isinstance(document, dict):
        raise DomainError(f"{source}: expected a JSON object written by `incident-desk export`")
    if "format" not in document and "format_version" not in document:
        if "incident" in document or "id" not in document:
            raise DomainError(f"{source}: not an incident export (no 'format' or 'format_version')")
        return _unverified(document, source, "bare incident JSON (no export format)", allow_unverified)
    if document.get("format") != FORMAT:
        raise DomainError(f"{source}: not an incident export (format {document.get('format')!r}, "
                          f"expected {FORMAT!r})")
    version = document.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise DomainError(f"{source}: format_version {version!r} is not one this Incident Desk reads "
                          f"({', '.join(map(str, READABLE_VERSIONS))}); it may come from a newer version: upgrade "
                          "Incident Desk to import it")
    body = document.get("incident")
    if not isinstance(body, dict):
        raise DomainError(f"{source}: expected a JSON object under 'incident'")
    if version == 1:
        return _unverified(body, source, f"format_version 1 export claiming audit head "
                                         f"{str(document.get('audit_head', ''))[:64]}", allow_unverified)
    incident = _validated(body, source)
    head, trail = document.get("audit_head"), document.get("audit")
    if not isinstance(head, str) or not isinstance(trail, list) or not all(isinstance(r, dict) for r in trail):
        raise DomainError(f"{source}: a format_version 2 export needs 'audit_head' (text) and 'audit' (a list "
                          "of records)")
    core = {k: v for k, v in body.items() if k not in LIST_PARTS}
    state = audit.state_hash(core, list(body.get("timeline", [])), list(body.get("communications", [])))
    report = audit.verify_chain(incident.id, [(str(n), record) for n, record in enumerate(trail, start=1)],
                                revision=incident.revision, current_state=state)
    if not report.ok:
        more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
        raise DomainError(f"{source}: the export does not match its own audit trail: {report.problems[0]}{more}; "
                          "it was changed after it was exported")
    if report.head_hash != head:
        raise DomainError(f"{source}: audit_head {head[:16]}… is not the head of the export's audit trail "
                          f"({report.head_hash[:16]}…); the export was changed after it was written")
    return CheckedExport(incident, f"export of {incident.id} at revision {incident.revision}, audit head {head}")


def _validated(body: dict[str, Any], source: str) -> Incident:
    try:
        return Incident.model_validate(body)
    except ValidationError as error:
        raise DomainError(f"{source}: {describe_validation_error(error)}") from None
    except ValueError as error:
        raise DomainError(f"{source}: {error}") from None


def _unverified(body: dict[str, Any], source: str, what: str, allowed: bool) -> CheckedExport:
    if not allowed:
        raise DomainError(f"{source}: {what.split(' claiming')[0]} carries no audit trail, so its content cannot be "
                          "checked against its audit head; import it anyway as unverified with --allow-unverified")
    return CheckedExport(_validated(body, source), f"unverified {what}")
