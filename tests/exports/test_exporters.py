"""Every built-in export format through the command line; exporters are plugins; CSV and JSON are safe."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from incident_desk import hookimpl
from incident_desk.app import exports
from incident_desk.app.wiring import open_desk
from incident_desk.plugin import Plugins
from incident_desk.render.json_document import incident_document_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "docs" / "incident-export.schema.json"
BUILT_IN = {"text", "markdown", "json", "csv", "timeline-csv", "actions-csv", "pdf"}


def test_built_in_exporters_are_registered_by_their_plugin():
    plugins = Plugins.load(entry_points=False, plugins_dir=None)
    assert set(plugins.exporters) == BUILT_IN
    assert {p.plugin for p in plugins.exporters.values()} == {"incident_desk_exporters"}


def test_export_defaults_to_the_json_backup_that_import_reads_back(run, tmp_path):
    target = tmp_path / "inc.json"
    code, _, err = run("export", "INC-2025-001", "-o", target)
    assert code == 0 and str(target) in err
    document = json.loads(target.read_text())
    assert document["format"] == "incident-desk/incident" and document["incident"]["id"] == "INC-2025-001"
    code, out, err = run("import", target, "--replace")
    assert code == 0, err
    code, out, _ = run("export", "INC-2025-001")  # stdout, as before
    assert code == 0 and json.loads(out)["incident"]["title"] == document["incident"]["title"]


def test_text_and_markdown_exports_match_the_reports(run, tmp_path):
    code, report, _ = run("report", "INC-2025-001")
    code, out, _ = run("export", "INC-2025-001", "--format", "text")
    assert code == 0 and out == report
    target = tmp_path / "pm.md"
    assert run("export", "INC-2025-001", "--format", "markdown", "--output", target)[0] == 0
    assert target.read_text().startswith("# ") and "Fix failover script bug" in target.read_text()


def test_unknown_format_is_a_usage_error_listing_the_formats(run, tmp_path):
    target = tmp_path / "x.docx"
    code, _, err = run("export", "INC-2025-001", "--format", "docx", "-o", target)
    assert code == 2 and "unknown export format 'docx'" in err
    assert all(name in err for name in BUILT_IN)
    assert not target.exists()


def test_published_schema_is_current():
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == incident_document_schema(), (
        "docs/incident-export.schema.json is stale: run `python -m incident_desk.render.json_document "
        "> docs/incident-export.schema.json`")


def test_json_exports_validate_against_the_published_schema(run, tmp_path):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    target = tmp_path / "inc.json"
    assert run("export", "INC-2025-001", "-o", target)[0] == 0
    document = json.loads(target.read_text())
    validator.validate(document)
    code, out, _ = run("declare", "Minimal incident", "--severity", "sev3")
    assert code == 0
    new_id = out.split()[1]
    assert run("export", new_id, "-o", tmp_path / "min.json")[0] == 0
    validator.validate(json.loads((tmp_path / "min.json").read_text()))
    document["incident"]["status"] = "on fire"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A2)"]


def test_tab_and_carriage_return_prefixes_are_neutralised_too():
    # the domain strips surrounding whitespace from texts, so these reach CSV only through plugin data
    from incident_desk.render.csv_export import neutralise, to_csv

    assert neutralise("\tcmd") == "'\tcmd" and neutralise("\rcmd") == "'\rcmd"
    assert neutralise("plain - text") == "plain - text" and neutralise(None) == "" and neutralise(-3) == "'-3"
    rows = list(csv.reader(io.StringIO(to_csv(["a"], [["\t=1"]]), newline="")))
    assert rows[1] == ["'\t=1"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(run, seed_workspace, tmp_path):
    with open_desk(seed_workspace) as desk:
        for text in HOSTILE_CELLS:
            desk.add_event("INC-2025-001", text)
        desk.add_action_item("INC-2025-001", title="=cmd|' /C calc'!A0", owner="@ops", priority="high")
    timeline, actions = tmp_path / "timeline.csv", tmp_path / "actions.csv"
    assert run("export", "INC-2025-001", "-f", "timeline-csv", "-o", timeline)[0] == 0
    assert run("export", "INC-2025-001", "-f", "actions-csv", "-o", actions)[0] == 0
    rows = list(csv.reader(io.StringIO(timeline.read_text(encoding="utf-8"), newline="")))
    texts = [row[3] for row in rows[1:]]
    for hostile in HOSTILE_CELLS:
        assert "'" + hostile in texts, hostile
    assert "Monitoring alerts detect 100% API error rate" in texts  # plain text unchanged
    action_rows = list(csv.DictReader(io.StringIO(actions.read_text(encoding="utf-8"), newline="")))
    hostile_row = next(r for r in action_rows if "calc" in r["title"])
    assert hostile_row["title"] == "'=cmd|' /C calc'!A0" and hostile_row["owner"] == "'@ops"
    for row in action_rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_incident_csv_has_one_row(run, tmp_path):
    target = tmp_path / "inc.csv"
    assert run("export", "INC-2025-001", "-f", "csv", "-o", target)[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert len(rows) == 1 and rows[0]["id"] == "INC-2025-001" and rows[0]["severity"] == "SEV-1"


class ThirdPartyExporter:
    """A plugin as a third party would write it: two-argument export function."""

    @hookimpl
    def register_exporters(self, register):
        register("ids", lambda incident, path: path.write_text(incident.id + "\n"), suffix=".txt",
                 description="Just the id")


def test_a_third_party_exporter_is_used_like_the_built_ins(seed_workspace, tmp_path):
    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[ThirdPartyExporter()])
    with open_desk(seed_workspace, plugins=plugins) as desk:
        assert "ids" in exports.exporters(desk)
        result = exports.export_incident(desk, "INC-2025-001", "ids", tmp_path / "id.txt")
    assert result.path.read_text() == "INC-2025-001\n"


class BrokenExporter:
    @hookimpl
    def register_exporters(self, register):
        def explode(incident, path, context):
            path.write_text("half")
            raise RuntimeError("disk gremlins")

        register("broken", explode, suffix=".txt")


def test_a_failing_exporter_leaves_no_file_and_names_the_plugin(seed_workspace, tmp_path):
    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[BrokenExporter()])
    target = tmp_path / "out.txt"
    with open_desk(seed_workspace, plugins=plugins) as desk:
        with pytest.raises(exports.ExportError, match="exporter 'broken' .* failed: RuntimeError: disk gremlins"):
            exports.export_incident(desk, "INC-2025-001", "broken", target)
    assert list(tmp_path.iterdir()) == [tmp_path / "ws"] or not target.exists()
    assert not target.exists() and not list(tmp_path.glob(".out.txt.*"))


def test_the_guides_exporter_example_works(seed_workspace, tmp_path):
    guide = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = guide.split("## Adding an exporter", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    plugin_file = tmp_path / "ticket_exporter.py"
    plugin_file.write_text(code, encoding="utf-8")
    plugins = Plugins.load(entry_points=False, plugins_dir=tmp_path)
    assert not plugins.failures
    with open_desk(seed_workspace, plugins=plugins) as desk:
        result = exports.export_incident(desk, "INC-2025-001", "ticket", tmp_path / "out" / "ticket.txt")
        head = desk.workspace.audit_head("INC-2025-001")
    text = result.path.read_text(encoding="utf-8")
    assert text.startswith("Incident Response Analysis") and text.endswith(f"Audit head: {head}\n")
