"""The JSON export of one whole incident, and its JSON Schema generated from the models.

The document is what `incident-desk export` has always written and `import` reads back: the format
name and version, the head hash of the incident's audit trail at export, and the incident itself.
`docs/incident-export.schema.json` is `incident_document_schema()` written out; a test keeps it current.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.incident import Incident

FORMAT = "incident-desk/incident"
FORMAT_VERSION = 1
SCHEMA_ID = "https://incident-desk.example/schemas/incident-export.schema.json"


class IncidentDocument(BaseModel):
    """One exported incident."""

    model_config = ConfigDict(extra="forbid", title="Incident Desk incident export")

    format: Literal["incident-desk/incident"] = FORMAT
    format_version: Literal[1] = FORMAT_VERSION
    audit_head: str = Field("", description="Head hash of the incident's audit trail when it was exported")
    incident: Incident


def incident_document(incident: Incident, audit_head: str) -> dict[str, Any]:
    """The export document as JSON-ready data (the same shape `Desk.export_incident` returns)."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "audit_head": audit_head,
            "incident": incident.model_dump(mode="json")}


def incident_document_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the export document, as pydantic generates it for serialisation."""
    schema = IncidentDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


if __name__ == "__main__":  # python -m incident_desk.render.json_document > docs/incident-export.schema.json
    import json
    import sys

    sys.stdout.write(json.dumps(incident_document_schema(), indent=2, ensure_ascii=False) + "\n")
