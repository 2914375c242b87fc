"""Charts drawn with reportlab graphics: an incident's phases on a time axis, severity counts, MTTR by month.

Charts are vector drawings in the PDF (no image files, nothing fetched). Labels are user or computed
text drawn with the report font; a chart without data says so instead of drawing an empty frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from .document import ACCENT, CONTENT_WIDTH, INK, MUTED
from .fonts import BOLD, REGULAR, plain

PHASE_COLOURS = {
    "Detection": colors.HexColor("#d97706"),
    "Acknowledgement": colors.HexColor("#ca8a04"),
    "Mitigation": colors.HexColor("#dc2626"),
    "Recovery": colors.HexColor("#2563eb"),
    "Complete outage": colors.HexColor("#7f1d1d"),
    "Partial degradation": colors.HexColor("#f59e0b"),
}
SEVERITY_COLOURS = [colors.HexColor(c) for c in ("#7f1d1d", "#dc2626", "#f59e0b", "#2563eb", "#64748b")]


@dataclass(frozen=True)
class Span:
    label: str
    start: datetime
    end: datetime


def phase_timeline(spans: Sequence[Span], tz: tzinfo, width: float = CONTENT_WIDTH) -> Drawing | None:
    """Horizontal bars on one time axis, one row per phase; `None` when no phase has both ends."""
    spans = [s for s in spans if s.end >= s.start]
    if not spans:
        return None
    left, right_pad, row, top_pad, axis_h = 105.0, 10.0, 16.0, 8.0, 26.0
    height = top_pad + row * len(spans) + axis_h
    drawing = Drawing(width, height)
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    total = max((last - first).total_seconds(), 60.0)
    plot = width - left - right_pad

    def x(instant: datetime) -> float:
        return left + plot * (instant - first).total_seconds() / total

    for index, span in enumerate(spans):
        y = height - top_pad - row * (index + 1)
        drawing.add(String(left - 6, y + 4, plain(span.label), fontName=REGULAR, fontSize=8, fillColor=INK,
                           textAnchor="end"))
        bar_width = max(x(span.end) - x(span.start), 1.5)
        drawing.add(Rect(x(span.start), y + 1, bar_width, row - 5, fillColor=PHASE_COLOURS.get(span.label, ACCENT),
                         strokeColor=None))
        minutes = round((span.end - span.start).total_seconds() / 60)
        label = f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h"
        label_x = x(span.start) + bar_width + 3
        anchor = "start"
        if label_x > width - 40:
            label_x, anchor = x(span.start) - 3, "end"
        drawing.add(String(label_x, y + 4, label, fontName=REGULAR, fontSize=7, fillColor=MUTED, textAnchor=anchor))
    axis_y = axis_h - 8
    drawing.add(Line(left, axis_y, left + plot, axis_y, strokeColor=MUTED, strokeWidth=0.5))
    ticks = 6
    for tick in range(ticks + 1):
        instant = first + timedelta(seconds=total * tick / ticks)
        tx = x(instant)
        drawing.add(Line(tx, axis_y, tx, axis_y - 3, strokeColor=MUTED, strokeWidth=0.5))
        local = instant.astimezone(tz)
        text = local.strftime("%H:%M") if total < 2 * 86400 else local.strftime("%m-%d %H:%M")
        drawing.add(String(tx, axis_y - 11, text, fontName=REGULAR, fontSize=7, fillColor=MUTED, textAnchor="middle"))
    return drawing


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *, unit: str = "",
              width: float = CONTENT_WIDTH, height: float = 150, colour_each: bool = False) -> Drawing:
    """A vertical bar chart with a title; bars coloured by position when `colour_each` (severity levels)."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, plain(title), fontName=BOLD, fontSize=9, fillColor=INK))
    if not values or not any(values):
        drawing.add(String(width / 2, height / 2, "no data in this period", fontName=REGULAR, fontSize=9,
                           fillColor=MUTED, textAnchor="middle"))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, height - 55
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = [plain(label) for label in labels]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    if len(labels) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = "%d" if not unit else f"%.0f {unit}"
    decimals = any(float(v) != int(v) for v in values)
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = ACCENT
    if colour_each:
        for index in range(len(values)):
            chart.bars[(0, index)].fillColor = SEVERITY_COLOURS[min(index, len(SEVERITY_COLOURS) - 1)]
    chart.barLabelFormat = "%.1f" if decimals else "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing
