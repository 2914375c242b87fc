"""The built-in exporters, registered through `register_exporters` exactly as a third-party plugin would.

- `text`: the seed's "Incident Response Analysis" report;
- `markdown`: the blameless post-mortem;
- `json`: the whole incident with its audit trail (what `import` reads back; schema in docs/);
- `csv`, `timeline-csv`, `actions-csv`: the incident row, its timeline, its action items (formula-safe);
- `pdf`: the incident report as a PDF (the desk signs it afterwards when asked).
"""

from __future__ import annotations

import json
from pathlib import Path

from incident_desk import Incident, hookimpl
from incident_desk.exporting import (
    ACTION_HEADER, INCIDENT_HEADER, TIMELINE_HEADER, ExportContext, action_rows, incident_row,
    render_incident_pdf, render_postmortem_markdown, render_report, timeline_rows, to_csv,
)


def _today(context: ExportContext):
    now = context.report.now
    return now.astimezone(context.report.tz).date() if now else None


def export_text(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_text(render_report(incident, context.report), encoding="utf-8")


def export_markdown(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_text(render_postmortem_markdown(incident, context.report), encoding="utf-8")


def export_json(incident: Incident, path: Path, context: ExportContext) -> None:
    document = context.export_document()
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def export_csv(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_text(to_csv(INCIDENT_HEADER, [incident_row(incident)]), encoding="utf-8", newline="")


def export_timeline_csv(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_text(to_csv(TIMELINE_HEADER, timeline_rows(incident)), encoding="utf-8", newline="")


def export_actions_csv(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_text(to_csv(ACTION_HEADER, action_rows(incident, _today(context))), encoding="utf-8", newline="")


def export_pdf(incident: Incident, path: Path, context: ExportContext) -> None:
    path.write_bytes(render_incident_pdf(incident, context))


@hookimpl
def register_exporters(register):
    register("text", export_text, suffix=".txt", description="The seed's Incident Response Analysis report")
    register("markdown", export_markdown, suffix=".md", description="Blameless post-mortem (Markdown)")
    register("json", export_json, suffix=".json", description="The whole incident, importable (JSON)")
    register("csv", export_csv, suffix=".csv", description="The incident as one CSV row")
    register("timeline-csv", export_timeline_csv, suffix=".csv", description="The timeline as CSV")
    register("actions-csv", export_actions_csv, suffix=".csv", description="The action items as CSV")
    register("pdf", export_pdf, suffix=".pdf", description="The incident report as PDF (signable)")
