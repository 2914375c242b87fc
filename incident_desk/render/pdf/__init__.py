"""PDF reports with reportlab platypus: the incident report and the period report.

Imported only when a PDF is asked for (reportlab and the fonts cost time to load).
"""

from .incident_report import render_incident_pdf

__all__ = ["render_incident_pdf"]
