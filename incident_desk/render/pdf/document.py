"""The page frame of every PDF report: A4 pages, header and footer, "Page X of Y", document metadata.

The header names the report (incident id or period); the footer carries the page number out of the
total, the generation time, the rules version and the audit head hash, so a printed page can be tied
back to the exact stored state it shows. The total page count is known only at the end, so pages are
kept until the document is complete and then drawn (reportlab's usual "numbered canvas" recipe).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .fonts import MONO, REGULAR, plain, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
ACCENT = colors.HexColor("#1f4e79")


@dataclass(frozen=True)
class PageFrame:
    """What the header, the footer and the document information dictionary say."""

    header_left: str
    header_right: str
    generated: str
    rules_version: str
    audit_head: str
    title: str
    author: str
    subject: str
    keywords: tuple[str, ...] = ()
    #: extra document information entries (name without slash -> text), e.g. the audit head for `verify`
    info: dict[str, str] = field(default_factory=dict)
    audit_label: str = "audit head"


def _numbered_canvas(frame: PageFrame) -> type:
    class NumberedCanvas(pdfcanvas.Canvas):
        """Keeps each page's drawing state until the end, then draws headers and footers with the total."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            info = _InfoWithExtras()
            info.extras = dict(frame.info)
            self._doc.info = info

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                _decorate(self, frame, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _decorate(canvas: pdfcanvas.Canvas, frame: PageFrame, page: int, total: int) -> None:
    canvas.saveState()
    top = PAGE_HEIGHT - MARGIN + 6 * mm
    canvas.setStrokeColor(colors.HexColor("#c5ccd6"))
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
    canvas.line(MARGIN, MARGIN - 5 * mm, PAGE_WIDTH - MARGIN, MARGIN - 5 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 8)
    canvas.drawString(MARGIN, top, plain(frame.header_left))
    canvas.drawRightString(PAGE_WIDTH - MARGIN, top, plain(frame.header_right))
    bottom = MARGIN - 9 * mm
    canvas.drawString(MARGIN, bottom, f"Generated {frame.generated}   ·   rules {frame.rules_version or 'none'}")
    canvas.drawRightString(PAGE_WIDTH - MARGIN, bottom, f"Page {page} of {total}")
    canvas.setFont(MONO, 6.5)
    canvas.drawString(MARGIN, bottom - 3.6 * mm, f"{frame.audit_label} {frame.audit_head or 'none'}")
    canvas.restoreState()


def build_pdf(story: list[Any], frame: PageFrame) -> bytes:
    """Lay out `story` on A4 pages with the header and footer; return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=plain(frame.title), author=plain(frame.author), subject=plain(frame.subject),
        keywords=[plain(k) for k in frame.keywords], creator="Incident Desk", producer="Incident Desk (ReportLab)",
        invariant=False,
    )
    body = Frame(MARGIN, MARGIN, CONTENT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="body",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[body])])
    canvas_class = _numbered_canvas(frame)
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


class _InfoWithExtras(pdfdoc.PDFInfo):
    """The document information dictionary with extra entries (reportlab writes only the standard ones)."""

    extras: dict[str, str] = {}

    def format(self, document: Any) -> bytes:
        entries = {
            "Title": pdfdoc.PDFString(self.title), "Author": pdfdoc.PDFString(self.author),
            "Subject": pdfdoc.PDFString(self.subject), "Keywords": pdfdoc.PDFString(self.keywords),
            "Creator": pdfdoc.PDFString(self.creator), "Producer": pdfdoc.PDFString(self.producer),
            "Trapped": pdfdoc.PDFName(self.trapped),
        }
        entries["ModDate"] = entries["CreationDate"] = pdfdoc.PDFDate(ts=document._timeStamp,
                                                                      dateFormatter=self._dateFormatter)
        for name, value in self.extras.items():
            entries[name] = pdfdoc.PDFString(value)
        return pdfdoc.PDFDictionary(entries).format(document)
