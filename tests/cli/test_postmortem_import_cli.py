"""`import --postmortem FILE.md` reads the Markdown post-mortem the desk exports: the round trip is exact."""

from __future__ import annotations

import json
from pathlib import Path

from incident_desk.cli.main import main


def export(workspace: Path, incident_id: str, out: Path, capsys, monkeypatch) -> str:
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(workspace))
    assert main(["analyze", "--post-mortem", "--incident-id", incident_id, "--output", str(out)]) == 0
    capsys.readouterr()
    return out.read_text(encoding="utf-8")


def test_demo_seed_post_mortem_round_trips_through_an_empty_workspace(tmp_path, monkeypatch, capsys):
    demo, empty = tmp_path / "demo", tmp_path / "empty"
    monkeypatch.setenv("INCIDENT_DESK_USER", "alice")
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(demo))
    assert main(["demo", "create", "--count", "20"]) == 0
    first = export(demo, "INC-2025-001", tmp_path / "first.md", capsys, monkeypatch)

    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(empty))
    assert main(["init"]) == 0
    assert main(["import", "--postmortem", str(tmp_path / "first.md")]) == 0
    second = export(empty, "INC-2025-001", tmp_path / "second.md", capsys, monkeypatch)
    assert second == first
    # what the document says came back as data, not as text that only looks the same
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(empty))
    capsys.readouterr()
    assert main(["show", "INC-2025-001", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["facts"]["revenue_per_hour"] == 85000 and shown["impact"]["sla_credits"] == 42500
    assert shown["impact"]["customer_notes"] == [] and shown["impact"]["technical_notes"] == [
        "Database corruption risk (mitigated by backups)"]
    assert len(shown["timeline"]) >= 13 and len(shown["communications"]) == 9
    assert [w["question"] for w in shown["investigation"]["whys"]][0] == "Why did service outage occur?"
    assert shown["action_items"][4]["recurrence"] == "quarterly"
    assert shown["severity"]["computed"] == "SEV-1"


def test_export_edit_import_changes_the_record(cli, tmp_path, capsys, workspace):
    incident_id = cli("declare", "Disk full on the primary", "--started-at", "2026-03-01T10:00:00Z",
                      "--declared-at", "2026-03-01T10:05:00Z", "--json").json()["id"]
    cli("timeline", "add", incident_id, "Disk usage alert", "--kind", "alert", "--at", "2026-03-01T09:58:00Z")
    out = tmp_path / "pm.md"
    assert cli("analyze", "--post-mortem", "--incident-id", incident_id, "--output", out).code == 0
    text = out.read_text(encoding="utf-8")
    text = text.replace("## Lessons learned\n\n_None recorded._",
                        "## Lessons learned\n\n1. Alert on disk growth, not only on disk full")
    out.write_text(text, encoding="utf-8")
    refused = cli("import", "--postmortem", out)
    assert refused.code == 4 and "already exists" in refused.err
    assert cli("import", "--postmortem", out, "--replace").code == 0
    shown = cli("show", incident_id, "--json").json()
    assert shown["postmortem"]["lessons"] == ["Alert on disk growth, not only on disk full"]
    assert any(e["text"] == "Disk usage alert" and e["kind"] == "alert" for e in shown["timeline"])


def test_a_document_that_is_not_a_desk_post_mortem_is_refused_with_file_and_line(cli, tmp_path):
    bad = tmp_path / "notes.md"
    bad.write_text("# Meeting notes\n\nNothing here.\n", encoding="utf-8")
    result = cli("import", "--postmortem", bad)
    assert result.code == 4 and f"{bad}:1:" in result.err and "Post-mortem" in result.err
    assert "Traceback" not in result.err
