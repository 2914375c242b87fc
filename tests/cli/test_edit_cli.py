"""`incident-desk edit`: the record in $EDITOR as YAML, validated, diffed, applied as one audited change.

The editor is a real command: a small script that rewrites the file it is given, as a person would."""

from __future__ import annotations

import stat
import sys
import textwrap
from pathlib import Path

from incident_desk.store import Workspace


def editor(tmp_path: Path, name: str, body: str) -> str:
    """An $EDITOR that runs `body` (Python, with `path` and `text`) on the file and saves the result."""
    script = tmp_path / f"{name}.py"
    script.write_text("import sys\npath = sys.argv[1]\ntext = open(path, encoding='utf-8').read()\n"
                      + textwrap.dedent(body) + "\nopen(path, 'w', encoding='utf-8').write(text)\n",
                      encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script}"


def declare(cli) -> str:
    result = cli("declare", "Database directory deleted", "--type", "data-loss",
                 "--started-at", "2017-01-31T23:00:00Z", "--declared-at", "2017-01-31T23:27:00Z", "--json")
    assert result.code == 0, result.err
    return result.json()["id"]


ADD_WHYS = '''
text = text.replace("  whys: []", "  whys:\\n  - question: Why was data lost?\\n    answer: The wrong directory was deleted\\n"
                                  "  - question: Why no restore?\\n    answer: Backups had silently failed")
text = text.replace("primary_cause: ''", "primary_cause: Accidental rm -rf on the primary")
assert "Why was data lost" in text and "Accidental" in text
'''


def test_edit_a_section_applies_one_audited_change_and_shows_the_diff(cli, tmp_path, monkeypatch, workspace):
    incident_id = declare(cli)
    monkeypatch.setenv("EDITOR", editor(tmp_path, "whys", ADD_WHYS))
    result = cli("edit", incident_id, "--section", "investigation", "--yes")
    assert result.code == 0, result.err
    assert "+    answer: The wrong directory was deleted" in result.out
    shown = cli("show", incident_id, "--json").json()
    assert [w["question"] for w in shown["investigation"]["whys"]] == ["Why was data lost?", "Why no restore?"]
    assert shown["investigation"]["primary_cause"] == "Accidental rm -rf on the primary"
    with Workspace.open(workspace) as ws:
        actions = [record.action for record in ws.audit_trail(incident_id)]
    assert actions[-1] == "edit investigation" and actions.count("edit investigation") == 1


def test_edit_whole_record_with_facts_reclassifies(cli, tmp_path, monkeypatch):
    incident_id = declare(cli)
    monkeypatch.setenv("EDITOR", editor(tmp_path, "facts", '''
text = text.replace("data_lost:\\n", "data_lost: true\\n").replace("data_recoverable:\\n", "data_recoverable: false\\n")
'''))
    assert cli("edit", incident_id, "--yes").code == 0
    assert cli("show", incident_id, "--json").json()["severity"]["computed"] == "SEV-1"


def test_invalid_edit_is_refused_with_line_and_field_and_kept_in_a_recovery_file(cli, tmp_path, monkeypatch,
                                                                                   workspace):
    incident_id = declare(cli)
    before = cli("show", incident_id, "--json").json()
    monkeypatch.setenv("EDITOR", editor(tmp_path, "bad", '''
text = text.replace("kind: status", "kind: alarm", 1)
'''))
    result = cli("edit", incident_id, "--section", "timeline", "--yes")
    assert result.code == 4
    assert "line 7: timeline.0.kind:" in result.err and "'alarm'" in result.err
    kept = next((workspace / "edits").glob(f"{incident_id}-*.yaml"))
    assert "kind: alarm" in kept.read_text(encoding="utf-8") and str(kept) in result.err
    assert cli("show", incident_id, "--json").json() == before  # nothing changed


def test_derived_facts_cannot_be_typed_in_an_edit(cli, tmp_path, monkeypatch):
    incident_id = declare(cli)
    monkeypatch.setenv("EDITOR", editor(tmp_path, "derived", '''
text = text.replace("facts:\\n", "facts:\\n  sla_breached: true\\n", 1)
'''))
    result = cli("edit", incident_id, "--section", "facts", "--yes")
    assert result.code == 4 and "sla_breached is derived by the desk" in result.err


def test_an_incident_changed_meanwhile_is_refused_and_the_text_kept(cli, tmp_path, monkeypatch, workspace):
    incident_id = declare(cli)
    # The "person" is slow: while they edit, someone else adds a timeline event.
    monkeypatch.setenv("EDITOR", editor(tmp_path, "slow", f'''
import subprocess
subprocess.run([{sys.executable!r}, "-m", "incident_desk", "--workspace", {str(workspace)!r},
                "timeline", "add", {incident_id!r}, "Someone else wrote this"], check=True)
text = text.replace("title: Database directory deleted", "title: Production database deleted")
'''))
    result = cli("edit", incident_id, "--section", "identity", "--yes")
    assert result.code == 4, result.out
    assert "not changed" in result.err and "kept in" in result.err
    shown = cli("show", incident_id, "--json").json()
    assert shown["title"] == "Database directory deleted"
    assert any(e["text"] == "Someone else wrote this" for e in shown["timeline"])
    kept = next((workspace / "edits").glob(f"{incident_id}-*.yaml"))
    assert "Production database deleted" in kept.read_text(encoding="utf-8")
    # the kept text applies once the person has looked again
    assert cli("edit", incident_id, "--section", "identity", "--from-file", kept, "--yes").code == 0
    assert cli("show", incident_id, "--json").json()["title"] == "Production database deleted"


def test_unchanged_edit_changes_nothing(cli, tmp_path, monkeypatch):
    incident_id = declare(cli)
    monkeypatch.setenv("EDITOR", "true")
    revision = cli("show", incident_id, "--json").json()["revision"]
    result = cli("edit", incident_id)
    assert result.code == 0 and "no changes" in result.out
    assert cli("show", incident_id, "--json").json()["revision"] == revision


def test_a_document_that_tries_to_build_objects_is_refused(cli, tmp_path, monkeypatch, workspace):
    incident_id = declare(cli)
    marker = tmp_path / "pwned"
    monkeypatch.setenv("EDITOR", editor(tmp_path, "hostile", f'''
text = text.replace("title: Database directory deleted",
                    "title: !!python/object/apply:os.system [touch {marker}]")
'''))
    result = cli("edit", incident_id, "--section", "identity", "--yes")
    assert result.code == 4 and "line 4:" in result.err and "not allowed" in result.err
    assert not marker.exists()
    assert cli("show", incident_id, "--json").json()["title"] == "Database directory deleted"


def test_roles_in_an_edit_must_be_the_workspace_roles(cli, tmp_path, monkeypatch, workspace):
    incident_id = declare(cli)
    assert cli("role", "assign", incident_id, "scribe", "Riley", "--at", "2017-01-31T23:35:00Z").code == 0
    monkeypatch.setenv("EDITOR", editor(tmp_path, "role", '''
text = text.replace("role: scribe", "role: technical_lead")
'''))
    refused = cli("edit", incident_id, "--section", "roles", "--yes")
    assert refused.code == 4 and "unknown role 'technical_lead'" in refused.err and "roles.yaml" in refused.err
    (workspace / "roles.yaml").write_text("roles:\n  - id: technical_lead\n", encoding="utf-8")
    assert cli("edit", incident_id, "--section", "roles", "--yes").code == 0
    assert [r["role"] for r in cli("show", incident_id, "--json").json()["roles"]] == ["technical_lead"]
