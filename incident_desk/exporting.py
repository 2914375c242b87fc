"""Public API for exporter plugins: the export context and the renderers the built-in exporters use.

An exporter registered with `register_exporters` is called as `export(incident, path, context)` (or
`export(incident, path)` when it takes two arguments) and writes one file at `path`. It may use any
of the functions here; the desk writes `path` as a temporary file and renames it only when the
exporter returned, so an exporter never leaves a partial file behind.

    from incident_desk.exporting import ExportContext, render_report

    def export_text(incident, path, context: ExportContext):
        path.write_text(render_report(incident, context.report), encoding="utf-8")
"""

from __future__ import annotations

from typing import Any

from .render import ReportContext, render_postmortem_markdown, render_report
from .render.csv_export import (
    ACTION_HEADER, INCIDENT_HEADER, TIMELINE_HEADER, action_rows, incident_row, neutralise, to_csv, timeline_rows,
)
from .render.export_context import ExportContext


def render_incident_pdf(incident: Any, context: ExportContext) -> bytes:
    """The incident report as PDF bytes (reportlab is imported on first use)."""
    from .render.pdf import render_incident_pdf as render

    return render(incident, context)


__all__ = [
    "ACTION_HEADER", "INCIDENT_HEADER", "TIMELINE_HEADER", "ExportContext", "ReportContext", "action_rows",
    "incident_row", "neutralise", "render_incident_pdf", "render_postmortem_markdown",
    "render_report", "timeline_rows", "to_csv",
]
