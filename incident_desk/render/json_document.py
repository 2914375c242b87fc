"""The JSON Schema of the incident export document, generated from the models.

The document itself is built by the desk (`app/export_format.py`): the format name and version, the
head hash of the incident's audit trail, the whole trail, and the incident as stored; `import` reads it
back after checking the trail. `docs/incident-export.schema.json` is `incident_document_schema()`
written out (`python -m incident_desk.render.json_document`); a test keeps it current.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.incident import Incident

SCHEMA_ID = "https://incident-desk.example/schemas/incident-export.schema.json"
HASH = r"^[0-9a-f]{64}$"


class AuditRecordDocument(BaseModel):
    """One record of the hash-chained audit trail."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=1)
    at: str = Field(description="UTC instant, ISO 8601 with a Z")
    actor: str
    action: str
    revision: int = Field(ge=0)
    changed: list[str]
    state_hash: str = Field(pattern=HASH)
    prev_hash: str = Field(pattern=HASH)
    hash: str = Field(pattern=HASH)


class IncidentDocument(BaseModel):
    """One exported incident with its audit trail (format version 2)."""

    model_config = ConfigDict(extra="forbid", title="Incident Desk incident export")

    format: Literal["incident-desk/incident"]
    format_version: Literal[2]
    audit_head: str = Field(pattern=HASH, description="Hash of the last audit record")
    audit: list[AuditRecordDocument] = Field(min_length=1, description="The whole audit trail, in order")
    incident: Incident


def incident_document_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the export document, as pydantic generates it for serialisation."""
    schema = IncidentDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


if __name__ == "__main__":  # python -m incident_desk.render.json_document > docs/incident-export.schema.json
    import json
    import sys

    sys.stdout.write(json.dumps(incident_document_schema(), indent=2, ensure_ascii=False) + "\n")
