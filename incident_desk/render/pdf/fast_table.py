"""A one-line-per-row table for very long listings (a quarter of 10,000 incidents), drawn in linear time.

reportlab's `LongTable` lays out every cell as a Paragraph and measures the remaining rows again at every
page it splits over; for ten thousand rows that takes minutes. `RowTable` draws each cell as a single line
of text, cut with "…" to its column, rows of one fixed height, and splits between rows by arithmetic.
Cells are drawn as plain text (never markup); a character the report font lacks is shown as `[U+XXXX]`.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .document import ACCENT, INK
from .fonts import BOLD, REGULAR, drawable

ROW_HEIGHT = 12.5
FONT_SIZE = 7.8
PADDING = 3.5
STRIPE = colors.HexColor("#f1f4f8")
RULE = colors.HexColor("#c5ccd6")
HIGHLIGHT = colors.HexColor("#fde2e2")


def fit(text: str, width: float, font: str = REGULAR, size: float = FONT_SIZE) -> str:
    """`text` cut with an ellipsis so it fits `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


class RowTable(Flowable):
    """Header plus rows[start:end], split across pages between rows; the header repeats on each page."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
                 highlight: Sequence[bool] = (), start: int = 0, end: int | None = None) -> None:
        super().__init__()
        self.header, self.rows, self.widths, self.highlight = list(header), rows, list(widths), highlight
        self.start, self.end = start, len(rows) if end is None else end

    def _height(self, count: int) -> float:
        return ROW_HEIGHT * (count + 1)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self._height(self.end - self.start)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        fits = int(available_height // ROW_HEIGHT) - 1
        if fits < 1:
            return []
        if fits >= self.end - self.start:
            return [self]
        middle = self.start + fits
        return [RowTable(self.header, self.rows, self.widths, self.highlight, self.start, middle),
                RowTable(self.header, self.rows, self.widths, self.highlight, middle, self.end)]

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        canvas.setFillColor(ACCENT)
        canvas.rect(0, top - ROW_HEIGHT, self.width, ROW_HEIGHT, stroke=0, fill=1)
        self._line(self.header, top - ROW_HEIGHT, BOLD, colors.white)
        for offset, index in enumerate(range(self.start, self.end), start=2):
            y = top - ROW_HEIGHT * offset
            marked = index < len(self.highlight) and self.highlight[index]
            if marked or offset % 2:
                canvas.setFillColor(HIGHLIGHT if marked else STRIPE)
                canvas.rect(0, y, self.width, ROW_HEIGHT, stroke=0, fill=1)
            self._line(self.rows[index], y, REGULAR, INK)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.25)
        canvas.line(0, 0, self.width, 0)

    def _line(self, cells: Sequence[str], y: float, font: str, colour: colors.Color) -> None:
        canvas = self.canv
        canvas.setFillColor(colour)
        canvas.setFont(font, FONT_SIZE)
        x = 0.0
        for cell, width in zip(cells, self.widths, strict=True):
            canvas.drawString(x + PADDING, y + 3.6, fit(drawable(cell), width - 2 * PADDING, font))
            x += width
