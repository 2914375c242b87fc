"""Issue 7, reproduction 1: the audit trail is evidence. A hand edit is refused by the next write (exit 5)
and stays reported by `audit verify`; a trail must start at revision 1; `import` checks the export's audit
head and format version."""

from __future__ import annotations

import json

import pytest

from incident_desk.store import audit

from tamper_helpers import declare, edit_file, incident_file, ordered, recompute_chain


@pytest.mark.parametrize("tampering", ["title", "delete audit records", "delete last record"])
def test_a_hand_edit_is_refused_by_the_next_write_and_never_laundered(cli, workspace, tampering):
    incident_id = declare(cli)
    path = incident_file(workspace, incident_id)
    before = path.read_bytes()
    edit_file(path, {
        "title": lambda d: d["incident"]["1"].__setitem__("title", "Nothing to see here"),
        "delete audit records": lambda d: d.__setitem__("audit", {}),
        "delete last record": lambda d: d["audit"].pop(str(len(d["audit"]))),
    }[tampering])
    tampered = path.read_bytes()
    assert before != tampered

    for write in (["timeline", "add", incident_id, "Fresh note"], ["status", incident_id, "identified"],
                  ["set", incident_id, "--title", "Another title"]):
        result = cli(*write)
        assert result.code == 5, (write, result)
        assert str(path) in result.err and "does not match its audit trail" in result.err
        assert "nothing was written" in result.err
    assert path.read_bytes() == tampered  # refused, not sealed over

    verify = cli("audit", "verify", incident_id)
    assert verify.code == 1 and "FAILED" in verify.out
    export = cli("export", incident_id)
    assert export.code == 5 and "does not match its audit trail" in export.err


def test_restore_puts_back_the_last_sealed_copy_and_keeps_the_edited_one(cli, workspace):
    incident_id = declare(cli)
    path = incident_file(workspace, incident_id)
    edit_file(path, lambda d: d["incident"]["1"].__setitem__("title", "Nothing to see here"))
    refused = cli("timeline", "add", incident_id, "note")
    assert refused.code == 5 and f"incident-desk restore {incident_id}" in refused.err
    restored = cli("restore", incident_id)
    assert restored.code == 0, restored.err
    kept = list((workspace / "damaged").iterdir())
    assert len(kept) == 1 and b"Nothing to see here" in kept[0].read_bytes()
    assert cli("audit", "verify", incident_id).code == 0
    assert cli("timeline", "add", incident_id, "after the restore").code == 0
    assert cli("show", incident_id, "--json").json()["title"] == "Checkout errors"


def test_a_trail_that_does_not_start_at_revision_1_is_refused(cli, workspace):
    incident_id = declare(cli)
    for n in range(4):
        assert cli("timeline", "add", incident_id, f"step {n}").code == 0
    path = incident_file(workspace, incident_id)

    def cut_first_records(data):
        records = ordered(data["audit"])
        data["audit"] = {str(n): r for n, r in enumerate(records[4:], start=1)}
        recompute_chain(data, incident_id)

    edit_file(path, cut_first_records)
    first = json.loads(path.read_text())["audit"]["1"]
    assert first["revision"] == 5 and first["prev_hash"] == audit.genesis_hash(incident_id)
    verify = cli("audit", "verify", incident_id)
    assert verify.code == 1
    assert "record 1: seals revision 5 but is record 1 of the trail: the trail must start at revision 1" in verify.out


def test_import_checks_the_export_against_its_audit_head(cli, workspace, tmp_path):
    incident_id = declare(cli)
    exported = json.loads(cli("export", incident_id).out)
    assert exported["format_version"] == 2 and exported["audit"][-1]["hash"] == exported["audit_head"]
    other = tmp_path / "other"
    assert cli("--workspace", other, "init").code == 0

    def attempt(name, change):
        document = json.loads(json.dumps(exported))
        change(document)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return path, cli("--workspace", other, "import", path)

    path, result = attempt("wrong-head", lambda d: d.__setitem__("audit_head", "0" * 64))
    assert result.code == 4 and str(path) in result.err and "is not the head of the export's audit trail" in result.err
    path, result = attempt("edited", lambda d: d["incident"].__setitem__("title", "Rewritten"))
    assert result.code == 4 and "does not match its own audit trail" in result.err
    path, result = attempt("future", lambda d: d.__setitem__("format_version", 999))
    assert result.code == 4 and "format_version 999 is not one this Incident Desk reads" in result.err
    path, result = attempt("old", lambda d: (d.__setitem__("format_version", 1), d.pop("audit")))
    assert result.code == 4 and "--allow-unverified" in result.err
    assert cli("--workspace", other, "list", "--json").json() == []

    path, result = attempt("intact", lambda d: None)
    assert result.code == 0, result.err
    trail = cli("--workspace", other, "audit", "log", incident_id, "--json").json()
    assert trail[0]["action"] == "import" and exported["audit_head"] in trail[0]["detail"]
    assert cli("--workspace", other, "audit", "verify").code == 0
