"""Writer processes for the store's reliability tests, run as `python writer_process.py MODE ...`.

Each mode writes through the real `Workspace` API and reports a write only after the call returned,
so whatever a test reads as acknowledged was acknowledged by the store.

- `append WS INCIDENT COUNT LABEL`: append COUNT events, print each acknowledged event id.
- `allocate WS YEAR COUNT`: allocate COUNT ids, print each.
- `forkserver WS`: read commands on stdin: `run SEED ACKFILE` forks a child running `chaos_writer`
  and prints its pid; `wait PID` reaps it and prints `dead`. A test kills the children with SIGKILL.
  Forking from one interpreter that already imported the store keeps 100+ kill rounds fast.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import datetime, timezone

from incident_desk.domain import Incident, TimelineEvent
from incident_desk.store import Workspace


def now() -> datetime:
    return datetime.now(timezone.utc)


def append(workspace: str, incident_id: str, count: int, label: str) -> None:
    with Workspace.open(workspace, lock_timeout=60) as ws:
        for number in range(count):
            event = TimelineEvent(at=now(), text=f"{label} event {number}", author=label)
            ws.append_event(incident_id, event, actor=label)
            print(event.id, flush=True)


def allocate(workspace: str, year: int, count: int) -> None:
    with Workspace.open(workspace, lock_timeout=60) as ws:
        for _ in range(count):
            print(ws.allocate_id(year), flush=True)


def chaos_writer(workspace: str, seed: int, ack_path: str) -> None:
    """Write forever (until killed): mostly timeline appends, some updates, some new incidents.

    Ack lines, written with one `os.write` each after the call returned:
    `E INCIDENT EVENT_ID`, `T INCIDENT TAG` (tag added by update), `C INCIDENT` (created)."""
    rng = random.Random(seed)
    ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    ws = Workspace.open(workspace, lock_timeout=60)
    step = 0
    while True:
        step += 1
        ids = ws.incident_ids()
        roll = rng.random()
        if roll < 0.08 or not ids:
            incident_id = ws.allocate_id(2026)
            ws.create(Incident(id=incident_id, title=f"chaos {seed}-{step}"), actor="chaos")
            os.write(ack, f"C {incident_id}\n".encode())
        elif roll < 0.3:
            incident_id = rng.choice(ids)
            tag = f"t{seed}-{step}"
            ws.update(incident_id, lambda incident, tag=tag: incident.tags.append(tag), actor="chaos", action="tag")
            os.write(ack, f"T {incident_id} {tag}\n".encode())
        else:
            incident_id = rng.choice(ids)
            event = TimelineEvent(at=now(), text=f"chaos {seed}-{step}")
            ws.append_event(incident_id, event, actor="chaos")
            os.write(ack, f"E {incident_id} {event.id}\n".encode())


def forkserver(workspace: str) -> None:
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                try:
                    chaos_writer(workspace, int(args[0]), args[1])
                finally:
                    os._exit(0)
            print(pid, flush=True)
        elif command == "wait":
            os.waitpid(int(args[0]), 0)
            print("dead", flush=True)
        elif command == "quit":
            return


def main(argv: list[str]) -> None:
    mode, workspace, *rest = argv
    if mode == "append":
        append(workspace, rest[0], int(rest[1]), rest[2])
    elif mode == "allocate":
        allocate(workspace, int(rest[0]), int(rest[1]))
    elif mode == "forkserver":
        forkserver(workspace)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
