"""Entering the full record of a real post-mortem: one command per item against one `edit` (same run).

The record is modelled on a public post-mortem of a database outage (production data directory deleted,
five backup mechanisms failed, about six hours of data lost): 14 timeline events, 8 communications,
5 roles, 5 whys, 14 action items. Each way runs the real `incident-desk` console script as separate
processes against a fresh workspace, as a person would type it; `edit` uses a non-interactive $EDITOR
(a small script that writes the prepared sections into the YAML document the desk opens).

    python benchmarks/bench_edit.py        # prints commands, wall time and the ratio
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DAY = "2017-01-31T"
TIMELINE = [(f"{DAY}{t}Z", kind, text) for t, kind, text in [
    ("17:20:00", "note", "Spam wave starts loading the primary database"),
    ("19:00:00", "alert", "Database load alerts fire"),
    ("21:00:00", "alert", "Replication lag on the secondary grows"),
    ("22:00:00", "action", "Engineer starts resynchronising the secondary"),
    ("23:00:00", "action", "Data directory removed on the primary by mistake"),
    ("23:27:00", "decision", "Incident declared, site taken down"),
    ("23:30:00", "note", "Regular backups found empty"),
    ("23:45:00", "note", "Disk snapshots found not enabled"),
    ("23:55:00", "note", "Staging copy from six hours earlier found"),
    ("23:59:00", "decision", "Decision to restore from the staging copy"),
]] + [(f"2017-02-01T{t}Z", kind, text) for t, kind, text in [
    ("01:00:00", "action", "Copy of staging data to production starts"),
    ("10:00:00", "status", "Copy 50% complete"),
    ("17:00:00", "action", "Database restored; webhooks re-enabled"),
    ("18:14:00", "status", "Service back online"),
]]
COMMS = [(f"{DAY}23:40:00Z", "status_page", "Emergency database maintenance"),
         (f"{DAY}23:50:00Z", "internal", "Live stream of the recovery started"),
         ("2017-02-01T00:30:00Z", "customer", "Data entered in the last 6 hours may be lost"),
         ("2017-02-01T02:00:00Z", "status_page", "Restoring from a 6-hour-old copy"),
         ("2017-02-01T06:00:00Z", "executive", "Expected recovery in the afternoon"),
         ("2017-02-01T10:00:00Z", "status_page", "Copy 50% complete"),
         ("2017-02-01T17:30:00Z", "status_page", "Service restored, monitoring"),
         ("2017-02-10T12:00:00Z", "customer", "Post-mortem published")]
ROLES = [("incident_commander", "Alex"), ("communications_lead", "Sam"), ("operations_lead", "Jordan"),
         ("scribe", "Riley"), ("subject_expert", "Morgan")]
WHYS = [("Why was data lost?", "The data directory on the primary was removed"),
        ("Why was it removed?", "The command ran on the primary instead of the secondary"),
        ("Why could it not be restored?", "Five backup mechanisms had failed unnoticed"),
        ("Why unnoticed?", "Backup failure emails were rejected"),
        ("Why rejected?", "DMARC was not configured for the sending host")]
ACTIONS = [(f"Action item {n}: {text}", ("critical", "high", "medium", "low")[n % 4], f"2017-02-{10 + n:02d}")
           for n, text in enumerate(["Monitor backups", "Test restores daily", "Fix backup emails",
                                     "Enable disk snapshots", "Hostname in shell prompt", "Replication runbook",
                                     "Alert on empty backups", "Recovery drills", "PITR for the database",
                                     "Review retention", "Staging data policy", "Alert on replication lag",
                                     "Document resync", "Audit cron jobs"], start=1)]


def run(workspace: Path, *args: str, env: dict[str, str] | None = None) -> None:
    environment = {**os.environ, "INCIDENT_DESK_WORKSPACE": str(workspace), "INCIDENT_DESK_USER": "bench",
                   "PYTHONPATH": str(REPO), **(env or {})}
    done = subprocess.run([sys.executable, "-m", "incident_desk", *args], capture_output=True, text=True,
                          env=environment)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr}")


def declare(workspace: Path) -> list[tuple[str, ...]]:
    return [("init",), ("declare", "Production database deleted; backups failed", "--type", "data-loss",
                        "--started-at", f"{DAY}17:20:00Z", "--declared-at", f"{DAY}23:27:00Z")]


def per_item_commands() -> list[tuple[str, ...]]:
    incident = "INC-2017-001"
    commands = [("timeline", "add", incident, text, "--kind", kind, "--at", at) for at, kind, text in TIMELINE]
    commands += [("comms", "add", incident, text, "--channel", channel, "--at", at) for at, channel, text in COMMS]
    commands += [("role", "assign", incident, role, person, "--at", f"{DAY}23:30:00Z") for role, person in ROLES]
    commands += [("investigation", "set", incident, "--why", q, a) for q, a in WHYS]
    commands += [("action", "add", incident, title, "--owner", "Infrastructure", "--priority", priority,
                  "--due", due) for title, priority, due in ACTIONS]
    return commands


def edit_document() -> str:
    """The YAML sections an editor writes: the same items as the per-item commands."""
    def q(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"
    lines = ["timeline:"] + [f"- at: {q(at)}\n  kind: {kind}\n  text: {q(text)}" for at, kind, text in TIMELINE]
    lines += ["communications:"] + [f"- at: {q(at)}\n  channel: {ch}\n  message: {q(text)}" for at, ch, text in COMMS]
    lines += ["roles:"] + [f"- role: {role}\n  person: {person}\n  assigned_at: '{DAY}23:30:00Z'"
                           for role, person in ROLES]
    lines += ["investigation:", "  whys:"] + [f"  - question: {q(a)}\n    answer: {q(b)}" for a, b in WHYS]
    lines += ["action_items:"] + [f"- id: A{n}\n  title: {q(t)}\n  owner: Infrastructure\n  priority: {p}\n  due: '{d}'"
                                  for n, (t, p, d) in enumerate(ACTIONS, start=1)]
    return "\n".join(lines) + "\n"


EDITOR_SCRIPT = '''import sys, re
path, document = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
text = open(path, encoding="utf-8").read()
header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
rest = text[len(header):]
# keep every field of the record that the prepared document does not replace
import ruamel.yaml
yaml = ruamel.yaml.YAML()
data = yaml.load(rest)
new = yaml.load(document)
timeline = list(data["timeline"]) + list(new["timeline"])
data["timeline"] = timeline
data["communications"] = new["communications"]
data["roles"] = list(data["roles"]) + list(new["roles"])
data["investigation"]["whys"] = new["investigation"]["whys"]
data["action_items"] = new["action_items"]
with open(path, "w", encoding="utf-8") as out:
    out.write(header)
    yaml.dump(data, out)
'''


def record(workspace: Path) -> dict[str, object]:
    """What was entered, for checking that both ways give the same record (texts and counts)."""
    environment = {**os.environ, "INCIDENT_DESK_WORKSPACE": str(workspace), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "incident_desk", "show", "INC-2017-001", "--json"],
                          capture_output=True, text=True, env=environment, check=True)
    incident = json.loads(done.stdout)
    return {
        "timeline": sorted((e["at"], e["kind"], e["text"]) for e in incident["timeline"] if e["source"] == "manual"
                           and e["kind"] != "role"),
        "communications": sorted((c["at"], c["channel"], c["message"]) for c in incident["communications"]),
        "roles": sorted((r["role"], r["person"]) for r in incident["roles"]),
        "whys": [(w["question"], w["answer"]) for w in incident["investigation"]["whys"]],
        "actions": [(a["title"], a["priority"], a["due"]) for a in incident["action_items"]],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        per_item = base / "per-item"
        setup = declare(per_item)
        for command in setup:
            run(per_item, *command)
        commands = per_item_commands()
        start = time.perf_counter()
        for command in commands:
            run(per_item, *command)
        per_item_seconds = time.perf_counter() - start

        edited = base / "edit"
        for command in declare(edited):
            run(edited, *command)
        (base / "document.yaml").write_text(edit_document(), encoding="utf-8")
        (base / "editor.py").write_text(EDITOR_SCRIPT, encoding="utf-8")
        editor = f"{sys.executable} {base / 'editor.py'} --"
        # the editor is called with the file to edit; our script takes (file, document)
        wrapper = base / "editor.sh"
        wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {base / 'editor.py'} \"$1\" {base / 'document.yaml'}\n")
        wrapper.chmod(0o755)
        start = time.perf_counter()
        run(edited, "edit", "INC-2017-001", "--yes", env={"EDITOR": str(wrapper), "VISUAL": ""})
        edit_seconds = time.perf_counter() - start
        del editor
        one_by_one, at_once = record(per_item), record(edited)
        if one_by_one != at_once:
            raise SystemExit(f"the two ways entered different records: {one_by_one} != {at_once}")

    items = len(TIMELINE) + len(COMMS) + len(ROLES) + len(WHYS) + len(ACTIONS)
    print(f"record: {len(TIMELINE)} timeline events, {len(COMMS)} communications, {len(ROLES)} roles, "
          f"{len(WHYS)} whys, {len(ACTIONS)} action items ({items} items)")
    print(f"one command per item: {len(commands)} commands, {per_item_seconds:.1f} s "
          f"({per_item_seconds / len(commands):.2f} s per command)")
    print(f"edit:                 1 command, {edit_seconds:.1f} s")
    print(f"ratio: {len(commands)}x fewer commands, {per_item_seconds / edit_seconds:.1f}x less wall time")


if __name__ == "__main__":
    main()
