"""Workspace metrics written out: a text table, Markdown, CSV (formula-injection safe) and JSON.

Every format shows the same figures of one `MetricsReport`, each beside its value in the previous period
and the trend between them. The JSON layout is described by docs/metrics.schema.json.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..domain.levels import DEFAULT_LEVEL_NAMES
from ..domain.metrics import DurationStats
from ..domain.period_metrics import MetricsReport, PeriodFigures, Trend
from ..domain.timeutil import as_utc, format_short_duration, isoformat_z

FORMATS = ("text", "markdown", "csv", "json")
FORMAT_VERSION = 2


# --------------------------------------------------------------------------- rows shared by text and Markdown


def _duration(seconds: float | None) -> str:
    return "unknown" if seconds is None else format_short_duration(timedelta(seconds=seconds))


def _number(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _percent(value: float | None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} days"


def money_formatter(currency: str) -> Callable[[float | None], str]:
    def money(value: float | None) -> str:
        if value is None:
            return "unknown"
        amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f"${amount}" if currency == "USD" else f"{amount} {currency}"
    return money


def figure_rows(report: MetricsReport, currency: str = "USD",
                level_names: dict[str, str] | None = None) -> list[tuple[str, str, Callable[[float | None], str]]]:
    """(label, figure key, formatter) for every figure, in reading order."""
    names = level_names or DEFAULT_LEVEL_NAMES
    money = money_formatter(currency)
    rows: list[tuple[str, str, Callable[[float | None], str]]] = [("Incidents", "count", _number)]
    for level in report.current.severity:
        label = f"{level} ({names[level]})" if level in names else level
        rows.append((f"  {label}", f"severity.{level}", _number))
    for name, title in (("mttd", "MTTD"), ("mtta", "MTTA"), ("mttr", "MTTR")):
        for stat in ("mean", "median", "p90"):
            rows.append((f"{title} {stat}", f"{name}.{stat}", _duration))
    rows.append(("MTBF", "mtbf", _duration))
    for row in report.current.availability:
        rows.append((f"Availability {row.service} (target {_percent(row.target_pct)})",
                     f"availability.{row.service}", _percent))
    rows += [
        ("SLA compliance (services meeting target)", "sla_compliance_pct", _percent),
        ("SLA credits", "sla_credits", money),
        ("Revenue loss", "revenue_loss", money),
        ("Action items opened", "action_items.opened", _number),
        ("Action items closed", "action_items.closed", _number),
        ("Action items overdue", "action_items.overdue", _number),
        ("Action item completion rate", "action_items.completion_rate_pct", _percent),
        ("Median days to close an action item", "action_items.median_days_to_close", _days),
        ("Post-mortems held within 48 h", "postmortem_on_time_pct", _percent),
    ]
    return rows


def _trend_text(trend: Trend | None, fmt: Callable[[float | None], str]) -> str:
    if trend is None or trend.direction == "unknown":
        return "n/a"
    if trend.direction == "same":
        return "same"
    sign = "+" if trend.change > 0 else "-"  # type: ignore[operator]
    magnitude = fmt(abs(trend.change))  # type: ignore[arg-type]
    if fmt is _percent:
        magnitude = magnitude.removesuffix("%") + " pts"
    return f"{sign}{magnitude} ({trend.direction})"


def _heading(report: MetricsReport) -> list[str]:
    current, previous = report.current, report.previous
    tz = report.time_zone
    span = f"{_local(current.window.start, report)} to {_last(current.window.end, report)}"
    what = f"{report.period} " if report.period else ""
    lines = [f"Incident metrics, {what}period {span} ({tz})",
             f"Previous period: {_local(previous.window.start, report)} to {_last(previous.window.end, report)}",
             f"As of: {isoformat_z(current.as_of)}"]
    active = {k: v for k, v in report.filters.describe().items() if v}
    if active:
        lines.append("Filters: " + "; ".join(f"{k}={','.join(v) if isinstance(v, list) else 'yes'}"
                                             for k, v in active.items()))
    notes = []
    if current.open:
        notes.append(f"{current.open} still open (no TTR yet)")
    if current.drills and not report.filters.include_drills:
        notes.append(f"{current.drills} drill{'s' if current.drills != 1 else ''} left out")
    if current.revenue_loss_unknown:
        notes.append(f"revenue loss unknown for {current.revenue_loss_unknown}")
    if current.sla_credits_unknown:
        notes.append(f"SLA credits unknown for {current.sla_credits_unknown}")
    if notes:
        lines.append("Notes: " + "; ".join(notes))
    return lines


def _local(instant, report: MetricsReport) -> str:
    local = as_utc(instant).astimezone(report.tz)
    return local.strftime("%Y-%m-%d %H:%M") if local.hour or local.minute else local.strftime("%Y-%m-%d")


def _last(end, report: MetricsReport) -> str:
    """The end of a window as a person reads it: the last whole day it covers (windows end at midnight,
    exclusive), else the end time itself."""
    local = as_utc(end).astimezone(report.tz)
    if local.hour == 0 and local.minute == 0 and local.second == 0:
        return (local - timedelta(days=1)).strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M") + " (exclusive)"


def _table_values(report: MetricsReport, currency: str, level_names: dict[str, str] | None) -> list[list[str]]:
    current, previous = report.current.scalars(), report.previous.scalars()
    rows = []
    for label, key, fmt in figure_rows(report, currency, level_names):
        rows.append([label, fmt(current.get(key)), fmt(previous.get(key)) if key in previous else "n/a",
                     _trend_text(report.trend_of(key), fmt)])
    return rows


def render_text(report: MetricsReport, currency: str = "USD", level_names: dict[str, str] | None = None) -> str:
    header = ["Figure", "This period", "Previous", "Trend"]
    rows = _table_values(report, currency, level_names)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = _heading(report) + ["", line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: MetricsReport, currency: str = "USD", level_names: dict[str, str] | None = None) -> str:
    heading = _heading(report)
    out = [f"# {_md(heading[0])}", ""] + [f"- {_md(line)}" for line in heading[1:]] + [""]
    out += ["| Figure | This period | Previous | Trend |", "|---|---:|---:|---|"]
    out += ["| " + " | ".join(_md(c.strip()) for c in row) + " |"
            for row in _table_values(report, currency, level_names)]
    return "\n".join(out) + "\n"


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(report: MetricsReport, currency: str = "USD", level_names: dict[str, str] | None = None) -> str:
    """One row per figure: raw numbers (durations in seconds, money in the currency, percentages 0-100)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "label", "current", "previous", "change", "change_pct", "direction", "unit"])
    for label, key, fmt in figure_rows(report, currency, level_names):
        trend = report.trend_of(key)
        unit = ("seconds" if fmt is _duration else "percent" if fmt is _percent else
                "days" if fmt is _days else currency if key in ("sla_credits", "revenue_loss") else "count")
        writer.writerow([_csv_safe(key), _csv_safe(label.strip()),
                         *("" if v is None else v for v in (trend.current, trend.previous, trend.change,
                                                            trend.change_pct)),
                         trend.direction, unit] if trend else [_csv_safe(key), _csv_safe(label.strip()),
                                                              "", "", "", "", "unknown", unit])
    return buffer.getvalue()


# --------------------------------------------------------------------------- JSON


def _stats(stats: DurationStats) -> dict[str, Any]:
    def seconds(value: timedelta | None) -> float | None:
        return None if value is None else round(value.total_seconds(), 3)
    return {"mean": seconds(stats.mean), "median": seconds(stats.median), "p90": seconds(stats.p90),
            "known": stats.known, "unknown": stats.unknown}


def figures_document(figures: PeriodFigures) -> dict[str, Any]:
    items = figures.action_items
    return {
        "from": isoformat_z(figures.window.start), "to": isoformat_z(figures.window.end),
        "as_of": isoformat_z(figures.as_of),
        "count": figures.count, "open": figures.open, "drills_left_out": figures.drills,
        "severity": dict(figures.severity),
        "mttd": _stats(figures.ttd), "mtta": _stats(figures.tta), "mttr": _stats(figures.ttr),
        "mtbf": None if figures.mtbf is None else round(figures.mtbf.total_seconds(), 3),
        "availability": [{"service": a.service, "target_pct": a.target_pct,
                          "downtime_seconds": round(a.downtime.total_seconds(), 3),
                          "availability_pct": a.availability_pct, "met": a.met, "incidents": a.incidents}
                         for a in figures.availability],
        "sla_compliance_pct": figures.sla_compliance_pct,
        "sla_credits": figures.sla_credits, "sla_credits_unknown": figures.sla_credits_unknown,
        "revenue_loss": figures.revenue_loss, "revenue_loss_unknown": figures.revenue_loss_unknown,
        "action_items": {"opened": items.opened, "closed": items.closed, "overdue": items.overdue,
                         "completion_rate_pct": items.completion_rate_pct,
                         "median_days_to_close": items.median_days_to_close},
        "postmortems": {"due": figures.postmortems_due, "held_within_48h": figures.postmortems_on_time,
                        "held_within_48h_pct": figures.postmortem_on_time_pct},
        "incidents": list(figures.incident_ids),
    }


def metrics_document(report: MetricsReport, currency: str = "USD") -> dict[str, Any]:
    return {
        "format": "incident-desk/metrics",
        "format_version": FORMAT_VERSION,
        "period": report.period,
        "time_zone": report.time_zone,
        "from": isoformat_z(report.current.window.start),
        "to": isoformat_z(report.current.window.end),
        "filters": report.filters.describe(),
        "units": {"durations": "seconds", "money": currency, "percentages": "0-100"},
        "current": figures_document(report.current),
        "previous": figures_document(report.previous),
        "trends": [{"figure": t.figure, "current": t.current, "previous": t.previous, "change": t.change,
                    "change_pct": t.change_pct, "direction": t.direction} for t in report.trends],
    }


def render_json(report: MetricsReport, currency: str = "USD", level_names: dict[str, str] | None = None) -> str:
    return json.dumps(metrics_document(report, currency), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "csv": render_csv, "json": render_json}


def render_metrics(report: MetricsReport, fmt: str, currency: str = "USD",
                   level_names: dict[str, str] | None = None) -> str:
    """`fmt` is one of FORMATS (`md` is Markdown); anything else is a ValueError, never a fallback."""
    fmt = {"md": "markdown", "txt": "text"}.get(fmt, fmt)
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](report, currency, level_names)
