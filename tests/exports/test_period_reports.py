"""Period reports (month, quarter, custom range, filters) as PDF, Markdown and CSV, on the demo history."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from incident_desk.app.period_reports import parse_period
from incident_desk.app.wiring import open_desk
from tests.cli_support import demo_workspace, run_cli
from incident_desk.domain import DomainError

from .conftest import pdftotext


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    return demo_workspace(tmp_path_factory, "history", 150)


@pytest.fixture
def call(history, capsys, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(history))

    def run(*args):
        return run_cli(capsys, *args)

    return run


def started_in(history: Path, start: datetime, end: datetime, level: str | None = None) -> set[str]:
    with open_desk(history) as desk:
        return {s.id for s in desk.summaries()
                if start <= (s.clock.started_at or s.clock.declared_at) < end and (level is None or s.severity == level)}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_periods_are_parsed_with_clear_errors():
    assert parse_period(month="2025-02").start == utc(2025, 2, 1) and parse_period(month="2025-12").end == utc(2026, 1, 1)
    quarter = parse_period(quarter="2026-Q3")
    assert (quarter.start, quarter.end, quarter.label) == (utc(2026, 7, 1), utc(2026, 10, 1), "Q3 2026")
    custom = parse_period(start="2025-01-10", end="2025-01-20")
    assert (custom.start, custom.end) == (utc(2025, 1, 10), utc(2025, 1, 21))  # the end day is included
    for kwargs, message in [({"month": "2025-13"}, "--month"), ({"quarter": "2025-Q5"}, "--quarter"),
                            ({}, "choose one period"), ({"month": "2025-01", "quarter": "2025-Q1"}, "choose one"),
                            ({"start": "2025-02-01", "end": "2025-01-01"}, "must be after"),
                            ({"start": "yesterday", "end": "2025-01-01"}, "--from")]:
        with pytest.raises(DomainError, match=message):
            parse_period(**kwargs)


def test_quarter_csv_lists_exactly_the_incidents_started_in_it(call, history, tmp_path):
    target = tmp_path / "q.csv"
    code, out, err = call("period-report", "--quarter", "2026-Q3", "-f", "csv", "-o", target)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    expected = started_in(history, utc(2026, 7, 1), utc(2026, 10, 1))
    assert {r["id"] for r in rows} == expected and len(expected) > 10
    assert f"{len(expected):,} incidents" in out


def test_severity_filter_and_markdown(call, history):
    code, out, err = call("period-report", "--from", "2025-06-01", "--to", "2026-11-20", "--severity", "sev1",
                          "-f", "markdown", "-o", "-")
    assert code == 0, err
    expected = started_in(history, utc(2025, 6, 1), utc(2026, 11, 21), "SEV-1")
    listed = {line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| INC-")}
    assert listed == expected and expected
    for heading in ("## Severity distribution", "## By month", "## Incidents", "## Action items still open"):
        assert heading in out
    assert "**Filters:** severity SEV-1" in out


def test_quarter_pdf_has_the_figures_and_charts(call, tmp_path):
    target = tmp_path / "q.pdf"
    code, _, err = call("period-report", "--quarter", "2026-Q3", "-o", target)
    assert code == 0, err
    text = pdftotext(target)
    for fact in ("Incident Period Report", "Q3 2026", "Mean Time To Resolution (MTTR)", "SLA credits",
                 "Incidents by severity", "MTTR by month (hours)", "Action Items Still Open", "2026-07",
                 "incidents digest", "Page 1 of"):
        assert fact in text, fact


def test_bad_period_options_are_usage_errors(call):
    code, _, err = call("period-report", "--month", "2025-1")
    assert code == 2 and "--month" in err
    code, _, err = call("period-report", "--month", "2025-01", "--severity", "sev9")
    assert code == 2 and "unknown level SEV-9" in err


def test_signed_period_report_verifies(call, ca, ca_file, tmp_path, monkeypatch, nss_db):
    from .conftest import pdfsig
    from .test_signing_cli import PASSPHRASE, p12_file

    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    source = p12_file(ca.signer("Mira Chen"), tmp_path / "mira.p12")
    assert call("keys", "import", source, "--name", "mira", "--passphrase-env", "KEY_PASS")[0] == 0
    target = tmp_path / "q.pdf"
    code, out, err = call("period-report", "--quarter", "2026-Q3", "-o", target, "--sign", "--passphrase-env",
                          "KEY_PASS")
    assert code == 0 and "signed by Mira Chen" in out, err
    assert "Signature is Valid." in pdfsig(target, nss_db)
    code, out, _ = call("verify", target, "--trust", ca_file)
    assert code == 0 and "a period report" in out and "Incident:      period report: Q3 2026" in out
