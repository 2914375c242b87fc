"""Benchmark of PDF exports (issue 12, "Measure"), each beside a baseline measured in the same run.

- the seed incident's signed PDF, in-process: render and sign timed apart (target <= 1 s in all);
- the PDF of an incident with a 1,000-event timeline (target <= 5 s);
- the period report PDF of a quarter holding 10,000 incidents (target <= 10 s).

Baselines: the plainest reportlab document of the same text (the seed's text report, one Helvetica
Paragraph per line, no fonts to embed, no tables, no charts) for the incident reports, and the CSV of the
same 10,000 rows for the period report. The ratio says what the real layout costs over the baseline.

    python benchmarks/bench_exports.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import statistics
import sys
import tempfile
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from exports.pki import TestCA  # noqa: E402
from incident_desk.app import exports, period_reports  # noqa: E402
from incident_desk.app.demo import classified  # noqa: E402
from incident_desk.demo.data import seed_incident  # noqa: E402
from incident_desk.app.signing import SigningRequest, sign_pdf  # noqa: E402
from incident_desk.app.wiring import open_desk  # noqa: E402
from incident_desk.domain import IncidentSummary, TimelineEvent  # noqa: E402
from incident_desk.render import render_report  # noqa: E402
from incident_desk.render.csv_export import INCIDENT_HEADER, summary_row, to_csv  # noqa: E402
from incident_desk.render.pdf import render_incident_pdf  # noqa: E402
from incident_desk.render.pdf.period_report import render_period_pdf  # noqa: E402


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_pdf(text: str) -> bytes:
    """Baseline: the plainest platypus document of the same text."""
    style = getSampleStyleSheet()["Normal"]
    buffer = io.BytesIO()
    lines = [line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for line in text.splitlines()]
    SimpleDocTemplate(buffer).build([Paragraph(line or "&nbsp;", style) for line in lines])
    return buffer.getvalue()


def quarter_summaries(count: int, seed: int = 12) -> list[IncidentSummary]:
    rng = random.Random(seed)
    start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    summaries = []
    for number in range(1, count + 1):
        started = start + timedelta(minutes=rng.randrange(0, 92 * 1440 - 600))
        resolved = started + timedelta(minutes=rng.randrange(10, 600)) if rng.random() < 0.9 else None
        summaries.append(IncidentSummary(
            id=f"INC-2026-{number:05d}", revision=3, title=f"Incident {number}: {rng.choice(['api', 'db', 'cdn'])} "
            f"errors above threshold", type="availability", status="resolved" if resolved else "investigating",
            severity=f"SEV-{rng.randrange(1, 5)}", services=[rng.choice(["api", "checkout", "search"])],
            clock={"started_at": started, "alerted_at": started + timedelta(minutes=2),
                   "declared_at": started + timedelta(minutes=3), "acknowledged_at": started + timedelta(minutes=6),
                   "resolved_at": resolved},
            facts={"customer_impact_pct": rng.randrange(0, 101)},
            action_items=[{"id": "A1", "title": "Follow-up", "owner": "SRE", "priority": "high",
                           "due": (started + timedelta(days=14)).date()}] if rng.random() < 0.2 else [],
        ))
    return summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.system()}; date {datetime.now(timezone.utc):%Y-%m-%d}")
    ca = TestCA.create()
    key = ca.signer("Bench Signer")
    with tempfile.TemporaryDirectory() as folder:
        with open_desk(Path(folder) / "ws", create=True, actor="bench") as desk:
            desk.workspace.import_incident(classified(seed_incident(), desk.rules), actor="bench")
            incident, document = exports.sealed_incident(desk, "INC-2025-001")
            context = exports.export_context(desk, incident, signer="Bench Signer", document=document)
            request = SigningRequest(key, location="Bench")
            render_incident_pdf(incident, context)  # warm-up: fonts registered once per process

            # 1. signed seed PDF, in-process, render and sign apart, plus the whole export call
            render = median_time(lambda: render_incident_pdf(incident, context), args.repeat)
            data = render_incident_pdf(incident, context)
            sign = median_time(lambda: sign_pdf(data, request), args.repeat)
            whole = median_time(lambda: exports.export_incident(desk, "INC-2025-001", "pdf",
                                                                Path(folder) / "seed.pdf", signing=request),
                                args.repeat)
            baseline = median_time(lambda: plain_pdf(render_report(incident, context.report)), args.repeat)
            print(f"\nSeed incident, signed PDF (target <= 1 s): whole export {whole * 1000:.0f} ms "
                  f"(render {render * 1000:.0f} ms = {render / (render + sign):.0%}, sign {sign * 1000:.0f} ms = "
                  f"{sign / (render + sign):.0%}); baseline plain PDF of the text report {baseline * 1000:.0f} ms; "
                  f"ratio {render / baseline:.1f}x for rendering")

            # 2. 1,000-event timeline
            big = incident.model_copy(deep=True)
            start = big.clock.started_at
            big.timeline += [TimelineEvent(at=start + timedelta(seconds=9 * i), kind="note",
                                           text=f"Step {i}: checked replica lag on db-{i % 7} and restarted "
                                                f"the connection pool of the api tier") for i in range(1000)]
            render_big = median_time(lambda: render_incident_pdf(big, context), max(1, args.repeat // 2))
            baseline_big = median_time(lambda: plain_pdf(render_report(big, context.report)),
                                       max(1, args.repeat // 2))
            pages = render_incident_pdf(big, context).count(b"/Type /Page\n")
            print(f"1,000-event timeline PDF (target <= 5 s): {render_big:.2f} s; baseline plain PDF of the text "
                  f"report {baseline_big:.2f} s; ratio {render_big / baseline_big:.1f}x")

            # 3. a quarter of 10,000 incidents
            summaries = quarter_summaries(10_000)
            fake_desk = types.SimpleNamespace(summaries=lambda: summaries, rules=desk.rules, clock=desk.clock)
            period = period_reports.parse_period(quarter="2026-Q3")

            def quarter() -> bytes:
                report = period_reports.period_report(fake_desk, period)
                return render_period_pdf(report)

            t0 = time.perf_counter()
            report = period_reports.period_report(fake_desk, period)
            gather = time.perf_counter() - t0
            quarter_time = median_time(quarter, 1)
            csv_time = median_time(lambda: to_csv(INCIDENT_HEADER, [summary_row(r.summary) for r in report.rows]), 3)
            print(f"Quarter of {len(report.rows):,} incidents, period report PDF (target <= 10 s): "
                  f"{quarter_time:.2f} s (figures and SLA credits {gather:.2f} s); baseline CSV of the same rows "
                  f"{csv_time:.2f} s; ratio {quarter_time / csv_time:.0f}x")
            _ = pages


if __name__ == "__main__":
    main()
