"""Helpers for tests that tamper with a workspace as a clumsy user or an attacker would."""

from __future__ import annotations

import json

from incident_desk.store import audit


def declare(cli) -> str:
    result = cli("declare", "Checkout errors", "--fact", "customer_impact_pct=40", "--json")
    assert result.code == 0, result.err
    incident_id = result.json()["id"]
    assert cli("timeline", "add", incident_id, "Paged the database team").code == 0
    assert cli("status", incident_id, "investigating").code == 0
    return incident_id


def incident_file(workspace, incident_id):
    return next(workspace.glob(f"incidents/*/{incident_id}.json"))


def edit_file(path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def ordered(table: dict) -> list:
    return [doc for _, doc in sorted(table.items(), key=lambda item: int(item[0]))]


def recompute_chain(data: dict, incident_id: str) -> None:
    """What an attacker who can write the folder does: renumber and re-hash every record from the genesis,
    sealing the edited content, so every hash in the file is consistent again."""
    records = ordered(data["audit"])
    prev = audit.genesis_hash(incident_id)
    rebuilt = {}
    for seq, record in enumerate(records, start=1):
        record.update(seq=seq, prev_hash=prev)
        if seq == len(records):
            record["state_hash"] = audit.state_hash(data["incident"]["1"], ordered(data.get("timeline", {})),
                                                    ordered(data.get("communications", {})))
        record["hash"] = audit.record_hash(record)
        prev = record["hash"]
        rebuilt[str(seq)] = record
    data["audit"] = rebuilt
