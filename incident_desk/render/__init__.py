"""Renderers from domain data to text: the seed's report layout, Markdown."""

from .context import MaturityLevel, MaturityView, ReportContext
from .markdown import render_postmortem_markdown
from .text_report import render_report, render_sections

__all__ = ["MaturityLevel", "MaturityView", "ReportContext", "render_postmortem_markdown", "render_report",
           "render_sections"]
