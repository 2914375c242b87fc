"""No secret is ever stored or shown, even when a receiver echoes it back (issue 7, point 7).

Every notifier is configured with secrets: a webhook whose URL carries a token in its path and query and whose
Authorization header is a secret reference, Slack and Teams webhook URLs, SMTP passwords (one of them a single
character), and a plugin that puts its revealed URL into an exception. The HTTP receiver on 127.0.0.1 echoes
everything back in its error body (URL path, headers, body), as real receivers do ("No such hook: /hooks/TOKEN").
Deliveries fail, are retried and succeed; then every file in the workspace (incident files, .prev copies,
outbox.json, changes.log, backups), every export, report and post-mortem, every command output and every log
record is searched for each secret and each token of its URL: none is found.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from pydantic import Field

from incident_desk.app.secrets import scrub
from incident_desk.cli.common import AppContext
from incident_desk.plugin import BaseNotifier, DeliveryResult, NotifierConfig, Plugins, Secret, hookimpl, scrub as plugin_scrub

from .cli_process import root_group
from .outbox_helpers import make_workspace, write_notifiers
from .receivers import MailSink, PasswordCheck, free_port

REPO = Path(__file__).resolve().parents[2]
HOOK_TOKEN = "hk7Tq2ZpL0w9"
QUERY_TOKEN = "q9Vx0Lm3Rt"
AUTH_TOKEN = "Bearer au8Kd3Wq9Zr1Xy"
HMAC_SECRET = "hm4c-Sec7et-Qw"
SLACK_PARTS = ("T0A1B2C3", "B9Z8Y7X6", "sl4ckT0kenPq8")
TEAMS_TOKEN = "te4msT0ken5a1b2c3"
LEAKY_TOKEN = "l3akyT0kenX9"
SMTP_PASSWORD = "Smtp-Pa55-wOrd-2026"


class EchoReceiver:
    """An HTTP receiver that answers `status` with everything it was sent: path, headers and body."""

    def __init__(self) -> None:
        self.status = 404
        self.requests: list[tuple[str, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                receiver.requests.append((self.path, headers))
                answer = f"No such hook: {self.path}; you sent {headers} {body[:80]!r}".encode()
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class LeakyConfig(NotifierConfig):
    url: Secret = Field(description="Reference to the URL")


class LeakyNotifier(BaseNotifier):
    """A careless plugin: its exception carries the revealed URL."""

    name = "leaky"
    config_model = LeakyConfig
    description = "raises with its URL in the message"

    def send(self, message, config: LeakyConfig) -> DeliveryResult:
        raise RuntimeError(f"cannot post to {config.url.reveal()}")


class LeakyPlugin:
    @hookimpl
    def register_notifiers(self, register):
        register(LeakyNotifier())


@pytest.fixture
def echo():
    server = EchoReceiver()
    yield server
    server.close()


READER = """
import contextlib, io, json, sys
from incident_desk.cli.main import main
outputs = []
for args in json.loads(sys.argv[1]):
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(args)
    out.flush()
    outputs.append([code, out.buffer.getvalue().decode("utf-8", "replace")])
print(json.dumps(outputs))
"""


def run_desk_process(workspace: Path, *commands: tuple[str, ...]) -> list[str]:
    """Reading commands in one fresh process, which knows no secret and so could hide none."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")])}
    argv = [["--workspace", str(workspace), *args] for args in commands]
    done = subprocess.run([sys.executable, "-c", READER, json.dumps(argv)], capture_output=True, text=True,
                          env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.splitlines()[-1])
    assert [code for code, _ in results] == [0] * len(commands), results
    return [text for _, text in results]


def test_no_secret_reaches_any_file_output_or_log_even_when_the_receiver_echoes_it(tmp_path, echo, caplog):
    workspace = make_workspace(tmp_path / "ws")
    sink = MailSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=PasswordCheck("desk", SMTP_PASSWORD),
                      auth_require_tls=False)
    smtp.start()
    write_notifiers(workspace.path, f"""
ops-hook:
  type: webhook
  url: env:HOOK_URL
  hmac_secret: env:HOOK_HMAC
  headers:
    Authorization: env:HOOK_AUTH
    X-Team: payments
chat:
  type: slack
  webhook_url: env:SLACK_URL
teams:
  type: teams
  webhook_url: env:TEAMS_URL
leaky:
  type: leaky
  url: env:LEAKY_URL
ops-email:
  type: email
  host: 127.0.0.1
  port: {smtp.port}
  security: none
  username: desk
  password: env:SMTP_PASSWORD
  sender: desk@example.com
  to: [oncall@example.com]
down-email:
  type: email
  host: 127.0.0.1
  port: {free_port()}
  security: none
  username: desk
  password: env:ONE_CHAR
  sender: desk@example.com
  to: [oncall@example.com]
""")
    env = {
        "HOOK_URL": echo.url(f"/hooks/{HOOK_TOKEN}?sig={QUERY_TOKEN}"), "HOOK_HMAC": HMAC_SECRET,
        "HOOK_AUTH": AUTH_TOKEN, "SLACK_URL": echo.url("/services/" + "/".join(SLACK_PARTS)),
        "TEAMS_URL": echo.url(f"/webhookb2/{TEAMS_TOKEN}/IncomingWebhook"),
        "LEAKY_URL": f"http://127.0.0.1:9/push/{LEAKY_TOKEN}", "SMTP_PASSWORD": SMTP_PASSWORD, "ONE_CHAR": "e",
    }
    secrets = [HOOK_TOKEN, QUERY_TOKEN, AUTH_TOKEN, AUTH_TOKEN.split()[1], HMAC_SECRET, *SLACK_PARTS, TEAMS_TOKEN,
               LEAKY_TOKEN, SMTP_PASSWORD, env["HOOK_URL"], env["SLACK_URL"], env["TEAMS_URL"]]
    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[LeakyPlugin()])
    group = root_group(plugins)
    outputs = []

    def run(*args: str) -> str:
        result = CliRunner().invoke(group, ["--workspace", str(workspace.path), *args], env=env,
                                    obj=AppContext(actor="dana"))
        outputs.append(result.output)
        return result.output

    try:
        with caplog.at_level(logging.DEBUG):
            echo.status = 404  # permanent failures, the answer echoing path and headers
            run("notify", "INC-2025-001", "-t", "internal_alert")
            echo.status = 500  # retryable failures
            run("notify", "INC-2025-001", "-t", "internal_alert")
            echo.status = 200
            run("outbox", "retry", "--all")
            for args in (("outbox", "list", "--all", "--json"), ("outbox", "--all"), ("plugins", "--json")):
                run(*args)
    finally:
        smtp.stop()

    # the secrets were really used and really echoed back
    paths = [path for path, _ in echo.requests]
    assert any(path == f"/hooks/{HOOK_TOKEN}?sig={QUERY_TOKEN}" for path in paths)
    assert any(headers.get("Authorization") == AUTH_TOKEN for _, headers in echo.requests)
    assert any(path.endswith(SLACK_PARTS[-1]) for path in paths) and any(TEAMS_TOKEN in path for path in paths)
    assert len(sink.messages) == 2
    incident = workspace.get("INC-2025-001")
    errors = [d.last_error for e in incident.communications for d in e.deliveries if d.last_error]
    assert any("No such hook: /hooks/***" in error for error in errors), errors
    assert any("cannot post to ***" in error for error in errors), errors
    assert any("Connection refused" in error or "refused" in error for error in errors), errors  # not 'r***fus***d'

    incident_id = "INC-2025-001"
    workspace.backup()
    outputs += run_desk_process(workspace.path, ("export", incident_id), ("report", incident_id),
                                ("report", incident_id, "--format", "markdown"),
                                ("report", incident_id, "--format", "json"), ("show", incident_id, "--json"),
                                ("timeline", "list", incident_id), ("audit", "log", incident_id),
                                ("analyze", "--post-mortem", "--incident-id", incident_id), ("outbox", "--all"))
    files = {path: path.read_bytes() for path in workspace.path.rglob("*") if path.is_file()}
    names = {path.name for path in files}
    assert {"outbox.json", "changes.log", "manifest.json"} <= names and any(".prev" in str(p) for p in files)
    for secret in secrets:
        assert not [path for path, data in files.items() if secret.encode() in data], secret
        assert not [text for text in outputs if secret in text], secret
        assert secret not in caplog.text, secret


def test_a_credential_header_written_as_a_literal_is_refused(tmp_path, echo):
    workspace = make_workspace(tmp_path / "ws")
    write_notifiers(workspace.path, """
ops-hook:
  type: webhook
  url: env:HOOK_URL
  headers:
    Authorization: Bearer literal-t0ken-123
""")
    result = CliRunner().invoke(root_group(Plugins.load(entry_points=False, plugins_dir=None)),
                                ["--workspace", str(workspace.path), "notify", "INC-2025-001", "-t", "internal_alert"],
                                env={"HOOK_URL": echo.url("/hook")}, obj=AppContext(actor="dana"))
    assert result.exit_code != 0
    assert "ops-hook.headers: the Authorization header carries a credential" in result.output
    assert "literal-t0ken-123" not in result.output
    assert echo.requests == []


def test_short_secrets_are_hidden_only_as_whole_words():
    assert plugin_scrub("cannot deliver: extension e refused", ["e"]) == "cannot deliver: extension *** refused"
    assert plugin_scrub("token=abcdefgh12 in abcdefgh12x", ["abcdefgh12"]) == "token=*** in ***x"
    assert scrub("an extension of e", ["e"]) == "an extension of ***"
