"""What is in the PDF: every section of the seed's report in order, the footer, hostile text printed as
text (never interpreted, never fetched), scripts beyond Latin, huge inputs; pages checked with poppler."""

from __future__ import annotations

import re
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest

from incident_desk.app import exports
from incident_desk.app.wiring import open_desk
from incident_desk.domain import TimelineEvent

from .conftest import pdftotext, require_tool

SECTIONS = ["Incident Response Analysis", "Incident Summary", "Severity Classification", "Timeline Reconstruction",
            "Technical Investigation", "Root Cause Analysis (5 Whys)", "Impact Assessment", "Communication Log",
            "Remediation Actions", "Post-Mortem Analysis", "Action Items", "Regulatory Deadlines and Filings",
            "Incident Metrics", "Process Improvements", "Recommendations", "Incident Response Maturity Assessment"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_seed_report_has_every_section_in_order(run, tmp_path):
    target = tmp_path / "INC-2025-001.pdf"
    code, _, err = run("analyze", "--report", "--incident-id", "INC-2025-001", "--format", "pdf", "--output", target)
    assert code == 0 and str(target) in err
    text = pdftotext(target)
    positions = [text.find(title) for title in SECTIONS]
    assert all(p >= 0 for p in positions), [t for t, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    for fact in ("SEV-1 (Critical)", "Why did automatic failover not work?", "Revenue loss: $191,250",
                 "Investigating increased error rates", "Fix failover script bug", "OVERDUE", "Mean Time To Detection (MTTD)",
                 "2 minutes 15 seconds", "Detection", "Recovery"):
        assert fact in text, fact
    pages = text.count("\f")
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    with open_desk(target.parent / "ws") as desk:
        head = desk.workspace.audit_head("INC-2025-001")
    assert f"audit head {head}" in text and "rules " in text


def test_pages_render_to_images(run, tmp_path):
    tool = require_tool("pdftoppm")
    import subprocess

    target = tmp_path / "r.pdf"
    assert run("export", "INC-2025-001", "-f", "pdf", "-o", target)[0] == 0
    subprocess.run([tool, "-png", "-r", "30", str(target), str(tmp_path / "page")], check=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 5 and all(image.stat().st_size > 1000 for image in images)


@pytest.fixture
def listener():
    """A real TCP socket on 127.0.0.1 that records every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    connections: list[tuple] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except OSError:
                continue
            connections.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(2)
    server.close()


HOSTILE = [
    "<b>bold?</b> & <i>italic?</i> </para><para> <font size=80>huge</font> &amp; &#60; ]]>",
    "Ελληνικά: η βάση δεδομένων απέτυχε",
    "Кириллица: отказ кластера базы данных",
    "Emoji: fire 🔥 and grin 😀 and rocket 🚀",
]


def test_hostile_text_is_printed_never_interpreted_or_fetched(seed_workspace, listener, tmp_path):
    port, connections = listener
    image = f'<img src="http://127.0.0.1:{port}/pixel.png" width="50" height="50"/>'
    link = f'<a href="http://127.0.0.1:{port}/x">click</a>'
    arabic = "عطل في قاعدة البيانات"
    with open_desk(seed_workspace) as desk:
        desk.set_fields("INC-2025-001", {"title": f"Outage {image}"})
        for text in [*HOSTILE, image, link, arabic]:
            desk.add_event("INC-2025-001", text)
        desk.add_action_item("INC-2025-001", title=f"Fix it {image}", owner="<script>alert(1)</script>")
        target = tmp_path / "hostile.pdf"
        exports.export_incident(desk, "INC-2025-001", "pdf", target)
    assert connections == []
    text = pdftotext(target)
    flat = squash(text)
    for hostile in [*HOSTILE, image, link, "<script>alert(1)</script>"]:
        assert squash(hostile) in flat, hostile
    # Arabic is drawn left to right without shaping (a known limitation); its letters are all there
    assert set(squash(arabic)) <= set(flat)


def test_a_one_megabyte_word_builds_and_is_all_there(seed_workspace, tmp_path):
    # letters that appear in no other whole word of the report, so the word's lines can be picked out
    # from between the page headers and footers it is split across
    word = "".join("QXZJW"[(i * 7 + i // 5) % 5] for i in range(1_000_000))
    with open_desk(seed_workspace) as desk:
        desk.add_event("INC-2025-001", word)
        target = tmp_path / "word.pdf"
        exports.export_incident(desk, "INC-2025-001", "pdf", target)
    lines = re.findall(r"(?<!\S)[QXZJW]+(?!\S)", pdftotext(target))
    assert "".join(lines) == word


@pytest.mark.slow
def test_ten_thousand_timeline_events(seed_workspace, tmp_path):
    start = datetime(2025, 1, 15, 2, 30, tzinfo=timezone.utc)
    with open_desk(seed_workspace) as desk:
        def add(incident):
            incident.timeline += [TimelineEvent(at=start + timedelta(seconds=7 * i),
                                                text=f"Probe {i:05d} Ελλάδα Москва 🔥") for i in range(10_000)]
        desk.change("INC-2025-001", "bulk timeline", add)
        target = tmp_path / "big.pdf"
        exports.export_incident(desk, "INC-2025-001", "pdf", target)
    text = pdftotext(target)
    assert all(f"Probe {i:05d} Ελλάδα Москва 🔥" in text for i in (0, 1, 4999, 9999))
    assert text.count("Probe ") == 10_000
    assert text.count("Time") > 100  # the table header repeats on every page it spans


def test_glyphs_missing_from_the_main_font_use_the_fallback_or_a_visible_marker(seed_workspace, tmp_path):
    with open_desk(seed_workspace) as desk:
        desk.add_event("INC-2025-001", "Fallback font: rocket 🚀 unicorn 🦄; no font at all: 漢 🪐")
        target = tmp_path / "glyphs.pdf"
        exports.export_incident(desk, "INC-2025-001", "pdf", target)
    fonts_used = __import__("subprocess").run([require_tool("pdffonts"), str(target)], capture_output=True,
                                              text=True, timeout=60).stdout
    assert "Symbola" in fonts_used and "DejaVuSans" in fonts_used
    text = pdftotext(target)
    assert "rocket 🚀 unicorn 🦄" in text  # drawn with Symbola, extracted as the same characters
    assert "[U+6F22] [U+1FA90]" in text  # visible, never a blank box


def test_regulatory_deadlines_and_filings_are_in_the_report(run, tmp_path):
    assert run("set", "INC-2025-001", "--fact", "data_categories=personal")[0] == 0
    assert run("regulatory", "file", "INC-2025-001", "gdpr", "supervisory-authority", "--reference",
               "DPA case 4411")[0] == 0
    target = tmp_path / "reg.pdf"
    assert run("export", "INC-2025-001", "-f", "pdf", "-o", target)[0] == 0
    flat = squash(pdftotext(target))
    assert squash("Notify the supervisory authority") in flat and squash("ref. DPA case 4411") in flat
    assert "GDPR" in flat and "filed" in flat
