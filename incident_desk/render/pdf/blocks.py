"""Paragraph styles and the flowables reports are made of: headings, lists, tables that split across pages.

Every function here takes plain user text and passes it through `fonts.markup`; markup written by this
module itself (bold labels, colours) is added around the escaped text, never inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, KeepTogether, LongTable, Paragraph, Spacer, TableStyle

from .document import ACCENT, CONTENT_WIDTH, INK, MUTED
from .fonts import BOLD, MONO, REGULAR, markup, register_fonts

register_fonts()  # Paragraphs resolve their fonts when they are created

NONE_RECORDED = "(none recorded)"
HIGHLIGHT = colors.HexColor("#fde2e2")

BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT,
                      spaceAfter=2, splitLongWords=True)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5, spaceAfter=0)
CELL_HEAD = ParagraphStyle("cellhead", parent=CELL, fontName=BOLD, textColor=colors.white)
HASH = ParagraphStyle("hash", parent=CELL, fontName=MONO, fontSize=7.5)
H1 = ParagraphStyle("h1", parent=BODY, fontName=BOLD, fontSize=14, leading=18, textColor=ACCENT,
                    spaceBefore=10, spaceAfter=5)
H2 = ParagraphStyle("h2", parent=BODY, fontName=BOLD, fontSize=10.5, leading=14, textColor=INK,
                    spaceBefore=6, spaceAfter=3)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=22, leading=28, textColor=ACCENT, spaceAfter=6)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=12, leading=16, textColor=MUTED, spaceAfter=14)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=5 * mm, bulletIndent=1 * mm)

_TABLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), CELL.fontSize),
    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f8")]),
    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6")),
    ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
])
_FIELDS = TableStyle([
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6")),
    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f8")),
    ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
])


#: user text longer than this is laid out as several paragraphs (or table rows): reportlab re-wraps a
#: paragraph's remainder at every page it splits over, which is quadratic for a megabyte of text
CHUNK = 2000


def chunks(value: object, size: int = CHUNK) -> list[str]:
    """`value` as text pieces of at most `size` characters, cut at whitespace where there is some."""
    text_value = str(value)
    pieces = []
    while len(text_value) > size:
        cut = text_value.rfind(" ", size // 2, size)
        cut = cut if cut > 0 else size
        pieces.append(text_value[:cut])
        text_value = text_value[cut:].lstrip(" ")
    pieces.append(text_value)
    return pieces


def text(value: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(value), style)


def labelled(label: str, value: object, style: ParagraphStyle = BODY) -> Paragraph:
    """`<b>Label:</b> value`; the label is ours, the value is escaped user text."""
    return Paragraph(f"<b>{markup(label)}:</b> {markup(value)}", style)


def section(title: str, room_mm: float = 30) -> list:
    """A section heading that starts a new page unless `room_mm` is left, so it is never left alone."""
    return [CondPageBreak(room_mm * mm), Paragraph(markup(title), H1)]


def subheading(title: str) -> Paragraph:
    return Paragraph(markup(title), H2)


def none_recorded() -> Paragraph:
    return Paragraph(f'<font color="#5f6b7a">{NONE_RECORDED}</font>', BODY)


def _list(items: Sequence[object], marker) -> list:
    if not items:
        return [none_recorded()]
    story = []
    for n, item in enumerate(items, start=1):
        for index, piece in enumerate(chunks(item)):
            story.append(Paragraph(markup(piece), BULLET, bulletText=marker(n) if index == 0 else None))
    return story


def bullets(items: Sequence[object]) -> list:
    return _list(items, lambda n: "•")


def numbered(items: Sequence[object]) -> list:
    return _list(items, lambda n: f"{n}.")


def _rows(row: Sequence[object]) -> list[list[object]]:
    """One table row, or several when a cell's text is long (continuation rows carry the rest)."""
    pieces = [[cell] if isinstance(cell, Paragraph) else chunks(cell) for cell in row]
    height = max(len(p) for p in pieces)
    return [[p[i] if i < len(p) else "" for p in pieces] for i in range(height)]


_PLAIN = re.compile(r"[ -~]*")


def _cell(value: object, style: ParagraphStyle, room: float) -> object:
    """A Paragraph, or the bare string when it is short plain ASCII that fits (ten times cheaper to lay out)."""
    if isinstance(value, Paragraph):
        return value
    text_value = str(value)
    if len(text_value) < 60 and _PLAIN.fullmatch(text_value) and \
            stringWidth(text_value, style.fontName, style.fontSize) <= room:
        return text_value
    return Paragraph(markup(text_value), style)


def table(header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
          highlight: Sequence[bool] = (), cell_style: ParagraphStyle = CELL) -> object:
    """A table whose header row repeats on every page it spans; `widths` are fractions of the width.

    Rows whose `highlight` flag is true get a red background (overdue items).
    """
    if not rows:
        return none_recorded()
    data = [[Paragraph(markup(h), CELL_HEAD) for h in header]]
    styles = []
    room = [w * CONTENT_WIDTH - 8 for w in widths]
    for index, row in enumerate(rows):
        first = len(data)
        for part in _rows(row):
            data.append([_cell(cell, cell_style, width) for cell, width in zip(part, room, strict=False)])
        if index < len(highlight) and highlight[index]:
            styles.append(("BACKGROUND", (0, first), (-1, len(data) - 1), HIGHLIGHT))
    result = LongTable(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1, splitByRow=True, splitInRow=1)
    result.setStyle(_TABLE)
    if styles:
        result.setStyle(TableStyle(list(styles)))
    return result


def fields(pairs: Sequence[tuple[str, object]], label_width: float = 0.28) -> object:
    """A two-column table of label and value."""
    data = []
    for label, value in pairs:
        for index, (_, piece) in enumerate(_rows(["", value])):
            data.append([Paragraph(f"<b>{markup(label)}</b>", CELL) if index == 0 else "",
                         piece if isinstance(piece, Paragraph) else Paragraph(markup(piece), CELL)])
    result = LongTable(data, colWidths=[label_width * CONTENT_WIDTH, (1 - label_width) * CONTENT_WIDTH])
    result.setStyle(_FIELDS)
    return result


def keep(*flowables: object) -> KeepTogether:
    return KeepTogether(list(flowables))


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)
