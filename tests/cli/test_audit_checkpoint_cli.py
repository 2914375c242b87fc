"""Issue 7: signed checkpoints catch a history rewritten with every hash recomputed; `audit verify` is
incremental and reports what changed behind a checkpoint; a tampered workspace is never signed."""

from __future__ import annotations

import json

import pytest

from tamper_helpers import declare, edit_file, incident_file, recompute_chain

PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def signer(cli, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.delenv("INCIDENT_DESK_KEY", raising=False)
    monkeypatch.setenv("CHECKPOINT_PASS", PASSPHRASE)
    created = cli("keys", "create", "auditor", "--cn", "Audit Desk", "--algorithm", "ec",
                  "--passphrase-env", "CHECKPOINT_PASS")
    assert created.code == 0, created.err
    return "auditor"


def checkpoint(cli, *extra):
    result = cli("audit", "checkpoint", "--passphrase-env", "CHECKPOINT_PASS", *extra)
    assert result.code == 0, result.err
    return result


def rewrite_title(workspace, incident_id, title):
    def change(data):
        data["incident"]["1"]["title"] = title
        recompute_chain(data, incident_id)
    edit_file(incident_file(workspace, incident_id), change)


def test_a_recomputed_chain_is_caught_by_a_signed_checkpoint(cli, workspace, signer):
    first, second = declare(cli), declare(cli)
    made = checkpoint(cli)
    assert "Checkpoint 1: 2 incident heads pinned, signed with key 'auditor'" in made.out
    assert cli("timeline", "add", second, "work goes on after the checkpoint").code == 0

    rewrite_title(workspace, first, "Nothing happened")
    # every hash in the file is consistent again: without a checkpoint nothing could tell
    assert cli("timeline", "add", first, "a write on the forged file").code == 0

    verify = cli("audit", "verify")
    assert verify.code == 1
    assert f"{first}: changed behind checkpoint 1" in verify.out and "history was rewritten" in verify.out
    assert f"{second}: FAILED" not in verify.out
    full = cli("audit", "verify", "--full", "--json")
    assert full.code == 1
    assert [r["incident_id"] for r in full.json()["failed"]] == [first]


def test_a_forger_cannot_cover_up_with_a_new_unsigned_checkpoint(cli, workspace, signer):
    incident_id = declare(cli)
    checkpoint(cli)
    rewrite_title(workspace, incident_id, "Nothing happened")
    # the forged file's own chain is consistent; the signed checkpoint catches it, so no new checkpoint
    # can be laid over it
    covered = cli("audit", "checkpoint", "--unsigned")
    assert covered.code == 4 and "does not verify" in covered.err
    verify = cli("audit", "verify")
    assert verify.code == 1 and "changed behind checkpoint 1" in verify.out


def test_editing_a_signed_checkpoint_or_its_heads_is_detected(cli, workspace, signer):
    incident_id = declare(cli)
    checkpoint(cli)
    log = workspace / "checkpoints" / "log.jsonl"
    line = json.loads(log.read_text())
    line["incidents"] = 7
    log.write_text(json.dumps(line) + "\n")
    verify = cli("audit", "verify")
    assert verify.code == 1 and "checkpoint 1 was changed after it was written" in verify.out

    from incident_desk.store.checkpoints import line_hash
    line["hash"] = line_hash(line)  # re-sealed, but the signature still covers the old content
    log.write_text(json.dumps(line) + "\n")
    verify = cli("audit", "verify")
    assert verify.code == 1 and "signature does not verify" in verify.out

    line["incidents"] = 1
    line["hash"] = line_hash(line)
    log.write_text(json.dumps(line) + "\n")
    assert cli("audit", "verify").code == 0
    heads = workspace / "checkpoints" / "heads-000001.json"
    heads.write_text(heads.read_text().replace(f'"{incident_id}"', '"INC-2026-999"'))
    verify = cli("audit", "verify")
    assert verify.code == 1 and "not the heads checkpoint 1 pinned" in verify.out


def test_a_deleted_incident_is_reported_behind_a_checkpoint(cli, workspace, signer):
    incident_id = declare(cli)
    checkpoint(cli)
    assert cli("audit", "verify").code == 0  # the quick cache now knows this checkpoint
    incident_file(workspace, incident_id).unlink()
    for _ in range(2):  # reported every time, not only when first noticed
        verify = cli("audit", "verify")
        assert verify.code == 1 and f"{incident_id}: checkpoint 1" in verify.out and "file is gone" in verify.out


def test_verify_is_incremental_and_keeps_failing_until_repaired(cli, workspace, signer):
    ids = [declare(cli) for _ in range(3)]
    checkpoint(cli)
    quick = cli("audit", "verify", "--json").json()
    assert quick["ok"] and quick["read"] == 0 and quick["unchanged"] == 3
    assert cli("timeline", "add", ids[1], "one change").code == 0
    quick = cli("audit", "verify", "--json").json()
    assert quick["ok"] and quick["read"] == 1 and [r["incident_id"] for r in quick["reports"]] == [ids[1]]
    edit_file(incident_file(workspace, ids[2]), lambda d: d["incident"]["1"].__setitem__("title", "edited"))
    for _ in range(2):  # a failure is never cached as verified
        again = cli("audit", "verify", "--json")
        assert again.code == 1 and [r["incident_id"] for r in again.json()["failed"]] == [ids[2]]


def test_checkpoint_needs_a_key_or_an_explicit_unsigned(cli, workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(tmp_path / "no-keys"))
    declare(cli)
    refused = cli("audit", "checkpoint")
    assert refused.code == 3 and "--unsigned" in refused.err
    made = cli("audit", "checkpoint", "--unsigned")
    assert made.code == 0 and "UNSIGNED" in made.out
    assert not (workspace / "checkpoints" / "log.jsonl").read_text().count("signature")


def test_checkpoint_refuses_a_key_that_cannot_sign(cli, workspace, signer, monkeypatch):
    declare(cli)
    monkeypatch.setenv("CHECKPOINT_PASS", "not the passphrase")
    wrong = cli("audit", "checkpoint", "--passphrase-env", "CHECKPOINT_PASS")
    assert wrong.code == 4 and "wrong passphrase for key 'auditor'" in wrong.err
    missing = cli("audit", "checkpoint", "--key", "nobody", "--passphrase-env", "CHECKPOINT_PASS")
    assert missing.code == 3 and "keys here: auditor" in missing.err
    assert not (workspace / "checkpoints" / "log.jsonl").exists()


def test_quick_verify_sees_an_edit_that_kept_the_size_and_modification_time(cli, workspace):
    import os

    incident_id = declare(cli)
    assert cli("audit", "verify").code == 0
    path = incident_file(workspace, incident_id)
    before = path.stat()
    raw = path.read_bytes()
    assert b"Checkout errors" in raw
    with open(path, "r+b") as handle:  # in place: same inode, same size
        handle.write(raw.replace(b"Checkout errors", b"Checkout errorz"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    verify = cli("audit", "verify")
    assert verify.code == 1 and f"{incident_id}: FAILED" in verify.out


def test_an_rsa_signed_checkpoint_also_pins_the_rules_history(cli, workspace, tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("CHECKPOINT_PASS", PASSPHRASE)
    assert cli("keys", "create", "rsa", "--cn", "Audit Desk", "--passphrase-env", "CHECKPOINT_PASS").code == 0
    declare(cli)
    checkpoint(cli)
    verify = cli("audit", "verify")
    assert verify.code == 0 and "signed by CN=Audit Desk, your key 'rsa'" in verify.out

    from incident_desk.app.rules_archive import GENESIS
    import hashlib

    def recomputed(lines):  # an attacker rewrites the rules history and recomputes its chain
        prev, out = GENESIS, []
        for entry in lines:
            entry = {k: v for k, v in entry.items() if k != "hash"}
            entry["prev"] = prev
            entry["hash"] = hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":"),
                                                      ensure_ascii=False).encode()).hexdigest()
            prev = entry["hash"]
            out.append(entry)
        return out

    log = workspace / "rules-archive" / "history.jsonl"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    lines[0]["actor"] = "mallory"
    log.write_text("".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in recomputed(lines)))
    verify = cli("audit", "verify")
    assert verify.code == 1 and "the rules history was rewritten behind checkpoint 1" in verify.out
    assert "history.jsonl line 1: changed" not in verify.out  # its own chain is consistent again


@pytest.mark.parametrize("damage", ["seq not a number", "json list line", "heads not a table",
                                    "history list line", "history digest path"])
def test_hostile_checkpoint_and_rules_history_files_fail_verify_cleanly(cli, workspace, damage):
    import hashlib

    from incident_desk.store.checkpoints import line_hash

    declare(cli)
    assert cli("audit", "checkpoint", "--unsigned").code == 0
    log = workspace / "checkpoints" / "log.jsonl"
    heads = workspace / "checkpoints" / "heads-000001.json"
    history = workspace / "rules-archive" / "history.jsonl"
    line = json.loads(log.read_text())
    if damage == "seq not a number":
        line["seq"] = "abc"
        log.write_text(json.dumps(line) + "\n")
    elif damage == "json list line":
        log.write_text(log.read_text() + "[1, 2, 3]\n")
    elif damage == "heads not a table":  # an unsigned checkpoint re-sealed by whoever edited it
        heads.write_text('{"INC-2026-001": "nope"}')
        line["heads_digest"] = hashlib.sha256(heads.read_bytes()).hexdigest()
        line["hash"] = line_hash(line)
        log.write_text(json.dumps(line) + "\n")
    elif damage == "history list line":
        history.write_text(history.read_text() + "[1]\n")
    else:
        history.write_text(history.read_text().replace('"digest":"', '"digest":"../', 1))
    verify = cli("audit", "verify")
    assert verify.code == 1, verify
    assert "internal error" not in verify.err
