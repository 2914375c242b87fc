"""Playbooks as PDF, through the CLI: the live severity table and escalation steps are in the pages, an
edited rule changes the regenerated PDF, and an unknown incident type is a clear error that writes nothing."""

from __future__ import annotations

import re

import pytest

from incident_desk.cli.main import main
from tests.cli_support import run_cli_redirected

from .conftest import pdftotext


@pytest.fixture
def ws(tmp_path, monkeypatch):
    path = tmp_path / "ws"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(path))
    monkeypatch.setenv("INCIDENT_DESK_USER", "alice")
    assert main(["init"]) == 0
    return path


def run(*args):
    return run_cli_redirected(*args)


def words(text: str) -> str:
    """pdftotext's text with every run of whitespace as one space (table cells and lines wrap)."""
    return re.sub(r"\s+", " ", text)


def test_security_playbook_pdf_follows_the_active_rules(ws, tmp_path):
    target = tmp_path / "security-playbook.pdf"
    code, _, err = run("analyze", "--playbook", "--type", "security", "--output", target)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF-") and "Wrote PDF playbook" in err
    text = words(pdftotext(target))
    from incident_desk.engine import load_ruleset

    active = load_ruleset(ws / "rules")
    assert [level.id for level in active.levels] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    for level in active.levels:
        assert f"{level.id} {level.name}" in text
    assert "SEV-1 Critical 5m 30m 4h" in text
    for policy in active.policies:  # every escalation step of the active rules, as the engine words it
        assert policy.id in text
        for action in policy.actions:
            assert words(action.summary) in text
    assert "contain Isolate affected hosts" in text and "Were personal, payment or health data exposed?" in text
    # edit a live rule: the regenerated PDF changes with it (here through `playbook show --format pdf`)
    severity = ws / "rules" / "severity.yaml"
    severity.write_text(severity.read_text().replace("acknowledge_within: 5m", "acknowledge_within: 3m")
                        .replace("name: Critical", "name: Emergency"))
    again_path = tmp_path / "again.out"
    code, _, err = run("playbook", "show", "security", "--format", "pdf", "--output", again_path)
    assert code == 0, err
    again = words(pdftotext(again_path))
    assert "SEV-1 Emergency 3m 30m 4h" in again and "SEV-1 Critical" not in again
    assert words(pdftotext(target)) == text  # the first file is untouched


def test_playbook_format_follows_the_output_suffix(ws, tmp_path):
    markdown, pdf = tmp_path / "p.md", tmp_path / "p.pdf"
    assert run("playbook", "show", "availability", "--output", markdown)[0] == 0
    assert run("playbook", "show", "availability", "--output", pdf)[0] == 0
    assert markdown.read_text().startswith("# ") and pdf.read_bytes().startswith(b"%PDF-")
    code, _, err = run("analyze", "--playbook", "--type", "security", "--format", "csv")
    assert code == 2 and "markdown or pdf" in err
    code, _, err = run("playbook", "show", "security", "--generator", "custom", "--output", tmp_path / "c.pdf")
    assert code == 2 and "built-in layout" in err and not (tmp_path / "c.pdf").exists()


def test_unknown_type_is_a_clear_error_and_writes_nothing(ws, tmp_path):
    target = tmp_path / "out" / "securty.pdf"
    code, out, err = run("analyze", "--playbook", "--type", "securty", "--output", target)
    assert code == 3
    assert "unknown playbook for incident type 'securty'" in err and "did you mean 'security'" in err
    assert "Traceback" not in err + out
    assert not target.exists() and not (target.parent.exists() and any(target.parent.iterdir()))
    code, _, err = run("playbook", "show", "nosuch", "--format", "pdf", "--output", target)
    assert code == 3 and "nosuch" in err and not target.exists()


def test_markup_in_a_playbook_file_is_printed_not_interpreted(ws, tmp_path):
    playbook_file = ws / "rules" / "playbooks" / "security.yaml"
    hostile = '<img src="http://127.0.0.1:9/x.png"/> <font color="red">R&D</font> ☠'
    playbook_file.write_text(playbook_file.read_text().replace(
        "title: Security incident response", f"title: '{hostile}'"))
    target = tmp_path / "hostile.pdf"
    code, _, err = run("playbook", "show", "security", "--format", "pdf", "--output", target)
    assert code == 0, err
    assert words(hostile) in words(pdftotext(target))
