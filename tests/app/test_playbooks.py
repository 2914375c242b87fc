"""Playbooks rendered from the live rules, checklists attached and ticked, drills recorded."""

from __future__ import annotations

import json
import os

import pytest

from incident_desk.cli.main import main
from tests.cli_support import run_cli_redirected


@pytest.fixture
def ws(tmp_path, monkeypatch):
    path = tmp_path / "ws"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(path))
    monkeypatch.setenv("INCIDENT_DESK_USER", "alice")
    assert main(["init"]) == 0
    return path


def run(*args):
    return run_cli_redirected(*args)


def test_security_playbook_follows_the_active_rules(ws, tmp_path):
    target = tmp_path / "security-playbook.md"
    code, _, err = run("analyze", "--playbook", "--type", "security", "--output", target)
    assert code == 0, err
    text = target.read_text()
    assert "| SEV-1 | Critical | 5m | 30m | 4h |" in text
    assert "| SEV-2 | High | 15m | 1h | 8h |" in text
    from incident_desk.engine import load_ruleset

    active = load_ruleset(ws / "rules")
    for policy in active.policies:  # every escalation step of the active rules, as the engine words it
        assert f"**{policy.id}**" in text
        for action in policy.actions:
            assert f"  - {action.summary}" in text
    assert "- [ ] `contain` Isolate affected hosts" in text and "**Were personal, payment or health data exposed?**" in text
    # edit the live rules: the regenerated playbook changes with them
    severity = ws / "rules" / "severity.yaml"
    severity.write_text(severity.read_text().replace("acknowledge_within: 5m", "acknowledge_within: 3m")
                        .replace("name: Critical", "name: Emergency"))
    escalation = ws / "rules" / "escalation.yaml"
    lines = escalation.read_text().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if "target: executives," in line and not line.lstrip().startswith("#"))
    lines[first] = lines[first].replace("target: executives,", "target: ciso,")
    escalation.write_text("".join(lines))
    code, again, _ = run("playbook", "show", "security")
    assert code == 0
    assert "| SEV-1 | Emergency | 3m | 30m | 4h |" in again and "| SEV-1 | Critical |" not in again
    assert "  - notify ciso via " in again and "  - notify executives via " in again  # the first one changed


def test_checklist_attach_tick_and_drill(ws):
    code, out, _ = run("declare", "Token leak", "--type", "security")
    incident_id = out.split()[1] if out.startswith("Declared") else json.loads(run("list", "--json")[1])[0]["id"]
    code, out, err = run("playbook", "attach", incident_id)
    assert code == 0, err
    assert "[ ] security/contain" in out
    code, out, _ = run("playbook", "tick", incident_id, "contain")
    assert code == 0 and "[x] security/contain" in out
    code, _, err = run("playbook", "tick", incident_id, "contain")
    assert code == 4 and "already done" in err
    code, _, err = run("playbook", "tick", incident_id, "containn")
    assert code == 4 and "no step 'containn'" in err
    code, out, _ = run("show", incident_id, "--json")
    timeline = [e["text"] for e in json.loads(out)["timeline"]]
    assert any(t.startswith("Checklist step done: Isolate affected hosts") for t in timeline)
    code, out, _ = run("playbook", "drill", "availability")
    assert code == 0 and out.startswith("Recorded drill")
    code, out, _ = run("metrics", "--json")
    assert json.loads(out)["current"]["drills_left_out"] == 1


def test_a_broken_playbook_is_reported_with_file_and_line(ws):
    broken = ws / "rules" / "playbooks" / "security.yaml"
    broken.write_text(broken.read_text().replace("phase: \"immediate\"", "phase: \"right-now\"", 1))
    code, _, err = run("playbook", "show", "security")
    assert code == 4 and "security.yaml:" in err and "steps[0].phase" in err
    code, _, err = run("rules", "check")
    assert code == 4 and "steps[0].phase" in err
    code, _, err = run("playbook", "show", "securty")
    assert code == 4  # the broken file is named before anything else


def test_a_failing_generator_plugin_is_reported_not_raised(ws):
    import incident_desk
    from incident_desk.app import playbook_service
    from incident_desk.app.wiring import open_desk
    from incident_desk.domain import DomainError
    from incident_desk.plugin import Plugins

    class Broken:
        @incident_desk.hookimpl
        def register_playbook_generators(self, register):
            def generate(document):
                raise RuntimeError(f"cannot draw {document.type}")
            register("fancy", generate, description="always fails")

    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[Broken()])
    with open_desk(ws, plugins=plugins) as desk:
        with pytest.raises(DomainError, match="the playbook generator failed: plugin .*fancy.generate: "
                                              "RuntimeError: cannot draw security"):
            playbook_service.render(desk, "security", "fancy")
        with pytest.raises(LookupError, match="no playbook generator 'nope'; loaded: fancy, markdown"):
            playbook_service.render(desk, "security", "nope")
        assert playbook_service.render(desk, "security").startswith("# Security incident response")
    code, _, err = run("playbook", "show", "security", "--generator", "nope")
    assert code == 3 and "no playbook generator 'nope'" in err


def test_an_edited_playbook_is_read_again_in_the_same_process(ws):
    """Playbooks are kept in memory between reads (a report asks twice; the window on every refresh), so an
    edit must still show at once: even one of the same size made within the file system's time-stamp tick."""
    security = ws / "rules" / "playbooks" / "security.yaml"
    original = security.read_text()
    assert "Isolate affected hosts" in run("playbook", "show", "security")[1]
    stamp = security.stat()
    security.write_text(original.replace("Isolate affected hosts", "Isolate affected nodes"))
    os.utime(security, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same size and modification time
    code, out, _ = run("playbook", "show", "security")
    assert code == 0 and "Isolate affected nodes" in out and "Isolate affected hosts" not in out
    security.write_text(original.replace("phase: \"immediate\"", "phase: \"right-now\"", 1))
    code, _, err = run("playbook", "show", "security")
    assert code != 0 and "security.yaml" in err
    security.write_text(original)
    assert "Isolate affected hosts" in run("playbook", "show", "security")[1]
