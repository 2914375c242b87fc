"""`notify`, `outbox`, `watch` and `plugins` as a user runs them, against real receivers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from incident_desk.cli.common import AppContext
from incident_desk.plugin import Plugins

from .cli_process import root_group
from .outbox_helpers import make_workspace, webhook_env, webhook_yaml, write_notifiers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    write_notifiers(ws.path, webhook_yaml())
    return ws


def run(workspace, *args, env=None, plugins=None):
    plugins = plugins or Plugins.load(entry_points=False, plugins_dir=None)
    result = CliRunner().invoke(root_group(plugins), ["--workspace", str(workspace.path), *args], env=env,
                                obj=AppContext(actor="dana"))
    return result


def test_preview_shows_the_text_and_sends_nothing(workspace, receiver):
    result = run(workspace, "notify", "INC-2025-001", "--template", "status_investigating", "--preview",
                 "--next-update", "30m", env=webhook_env(receiver.url()))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Investigating - Checkout returns 500\nChannel: status_page\n")
    assert "We are investigating reports of problems affecting Checkout." in result.output
    assert receiver.requests == [] and not (workspace.path / "outbox.json").exists()
    assert workspace.get("INC-2025-001").communications == []


def test_notify_sends_logs_and_lists(workspace, receiver):
    result = run(workspace, "notify", "INC-2025-001", "-t", "internal_alert", "--via", "ops-hook", "--json",
                 env=webhook_env(receiver.url()))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["state"] for m in data["messages"]] == ["sent"]
    assert receiver.requests[0].json()["subject"] == data["subject"]
    assert workspace.get("INC-2025-001").communications[0].deliveries[0].state.value == "sent"
    listed = run(workspace, "outbox", "--json")
    assert listed.exit_code == 0 and json.loads(listed.output) == []
    assert len(json.loads(run(workspace, "outbox", "list", "--all", "--json").output)) == 1


def test_failed_delivery_exits_6_then_outbox_retry_delivers(workspace, receiver):
    receiver.status = 403
    failed = run(workspace, "notify", "INC-2025-001", "-t", "internal_alert", env=webhook_env(receiver.url()))
    assert failed.exit_code == 6
    assert "some deliveries failed or were not sent; see `incident-desk outbox`" in failed.output
    listing = run(workspace, "outbox")
    assert "failed" in listing.output and "HTTP 403" in listing.output
    message_id = json.loads(run(workspace, "outbox", "list", "--json").output)[0]["id"]
    receiver.status = 200
    retried = run(workspace, "outbox", "retry", message_id, env=webhook_env(receiver.url()))
    assert retried.exit_code == 0 and "Retried 1 message(s); sent 1" in retried.output
    assert run(workspace, "outbox").output.strip() == "The outbox is empty: nothing pending or failed."


@pytest.mark.parametrize(("args", "code", "text"), [
    (["notify", "INC-2025-009", "-t", "internal_alert", "--preview"], 3, "INC-2025-009"),
    (["notify", "INC-2025-001", "-t", "sms", "--preview"], 3, "no such template; known templates: customer_email"),
    (["notify", "INC-2025-001", "-t", "internal_alert", "--via", "pager"], 3, "no notifier 'pager' is configured"),
    (["notify", "INC-2025-001", "-t", "internal_alert", "--next-update", "soon", "--preview"], 2, "--next-update"),
    (["outbox", "retry"], 2, "give a message id or --all"),
    (["outbox", "retry", "m-000000000000"], 3, "no message m-000000000000"),
])
def test_mistakes_are_one_line_errors_with_exit_codes(workspace, args, code, text):
    result = run(workspace, *args)
    assert result.exit_code == code, result.output
    assert text in result.output and "Traceback" not in result.output


def test_a_bad_notifiers_file_is_refused_with_file_and_line(workspace):
    write_notifiers(workspace.path, "ops:\n  type: webhook\n  url: env:U\n  retries: 3\n")
    result = run(workspace, "notify", "INC-2025-001", "-t", "internal_alert")
    assert result.exit_code == 4
    assert f"{workspace.path / 'notifiers.yaml'}:4: ops.retries: Extra inputs are not permitted" in result.output


def test_plugins_lists_loaded_sources_and_failures(workspace, tmp_path):
    drop_in = tmp_path / "drop"
    drop_in.mkdir()
    (drop_in / "broken.py").write_text("raise RuntimeError('half-written plugin')\n")
    plugins = Plugins.load(entry_points=False, plugins_dir=drop_in)
    result = run(workspace, "plugins", "--json", plugins=plugins)
    data = json.loads(result.output)
    assert {p["name"]: p["source"] for p in data["loaded"]}["incident_desk_slack"] == "builtin"
    assert sorted(n["type"] for n in data["notifiers"]) == ["desktop", "email", "slack", "teams", "webhook"]
    assert data["failed"] == [{"plugin": "broken", "hook": "load", "kind": "load",
                               "error": f"cannot import {drop_in / 'broken.py'}: RuntimeError: half-written plugin"}]
    human = run(workspace, "plugins", plugins=plugins).output
    assert "Failed:\n  broken: load: cannot import" in human


def test_watch_once_drains_the_outbox(workspace, receiver):
    queued = run(workspace, "notify", "INC-2025-001", "-t", "internal_alert", "--queue-only",
                 env=webhook_env(receiver.url()))
    assert queued.exit_code == 0 and receiver.requests == []
    watched = run(workspace, "watch", "--once", env=webhook_env(receiver.url()))
    assert watched.exit_code == 0, watched.output
    assert "sent 1" in watched.output and len(receiver.requests) == 1


def test_watch_stops_cleanly_on_sigterm(workspace, receiver):
    env = {**os.environ, **webhook_env(receiver.url()),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("cli_process.py")), str(workspace.path),
                              "watch", "--interval", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 20
        line = child.stdout.readline()
        assert "escalations 0" in line, child.stderr.read() if child.poll() is not None else line
        run(workspace, "notify", "INC-2025-001", "-t", "internal_alert", "--queue-only")
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(receiver.requests) == 1  # the running watcher delivered it
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0
    assert "watch stopped after" in err and "Traceback" not in err
