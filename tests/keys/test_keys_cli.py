"""Signing keys through the command line: create, import, list; and the reasons a key is refused."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from incident_desk.app import keys
from tests.cli_support import run_cli

from .conftest import PASSPHRASE, handmade_p12


def run(capsys, *args):
    return run_cli(capsys, *args)


def test_create_writes_protected_p12_and_certificate_with_non_repudiation(keys_dir, capsys, tmp_path):
    code, out, err = run(capsys, "keys", "create", "alice", "--cn", "Alice Example", "--org", "Example Ltd",
                         "--email", "alice@example.com", "--passphrase-env", "KEY_PASS",
                         "--csr", tmp_path / "alice.csr", "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["has_non_repudiation"] is True and info["self_signed"] is True
    p12 = keys_dir / "alice.p12"
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    assert PASSPHRASE.encode() not in p12.read_bytes()
    with pytest.raises(ValueError):
        serialization.pkcs12.load_key_and_certificates(p12.read_bytes(), b"wrong passphrase")
    key, cert, _ = serialization.pkcs12.load_key_and_certificates(p12.read_bytes(), PASSPHRASE.encode())
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature
    assert key.key_size == 3072
    assert "CN=Alice Example" in info["subject"] and "O=Example Ltd" in info["subject"]
    csr = x509.load_pem_x509_csr((tmp_path / "alice.csr").read_bytes())
    assert csr.is_signature_valid and csr.subject == cert.subject
    code, out, _ = run(capsys, "keys", "list", "--json")
    assert code == 0 and [k["name"] for k in json.loads(out)] == ["alice"]
    assert json.loads(out)[0]["fingerprint_sha256"] == info["fingerprint_sha256"]


def test_passphrase_is_never_taken_silently(keys_dir, capsys, monkeypatch):
    code, _, err = run(capsys, "keys", "create", "k", "--cn", "K", "--passphrase-env", "NOT_SET_ANYWHERE")
    assert code == 2 and "NOT_SET_ANYWHERE is not set" in err
    monkeypatch.setenv("SHORT", "abc")
    code, _, err = run(capsys, "keys", "create", "k", "--cn", "K", "--passphrase-env", "SHORT")
    assert code == 4 and "at least 8" in err
    code, _, err = run(capsys, "keys", "create", "k", "--cn", "K")  # no terminal under pytest
    assert code == 2 and "--passphrase-env" in err
    assert not keys_dir.exists() or not list(keys_dir.iterdir())


def test_bad_names_and_duplicates_are_refused(keys_dir, capsys):
    code, _, err = run(capsys, "keys", "create", "../escape", "--cn", "X", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "not allowed" in err
    assert run(capsys, "keys", "create", "a", "--cn", "A", "--algorithm", "ec", "--passphrase-env", "KEY_PASS")[0] == 0
    code, _, err = run(capsys, "keys", "create", "a", "--cn", "B", "--algorithm", "ec", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "already exists" in err


def test_open_key_names_each_reason_for_refusal(keys_dir, capsys):
    with pytest.raises(keys.KeyProblem, match="no signing keys"):
        keys.open_key(None, PASSPHRASE.encode())
    keys.create_key("short", common_name="S", organisation=None, email=None, passphrase=PASSPHRASE.encode(),
                    valid_days=1, algorithm="ec")
    opened = keys.open_key(None, PASSPHRASE.encode())  # the only key is the default
    assert opened.info.name == "short" and opened.chain == []
    with pytest.raises(keys.KeyProblem, match="wrong passphrase for key 'short'") as wrong:
        keys.open_key("short", b"not the passphrase")
    assert wrong.value.kind == "passphrase"
    with pytest.raises(keys.KeyProblem, match=r"no key named 'other'.*keys here: short") as missing:
        keys.open_key("other", PASSPHRASE.encode())
    assert missing.value.kind == "not_found"
    later = datetime.now(timezone.utc) + timedelta(days=3)
    with pytest.raises(keys.KeyProblem, match=r"has expired: its certificate was valid from 20\d\d-") as expired:
        keys.open_key("short", PASSPHRASE.encode(), at=later)
    assert expired.value.kind == "validity"
    earlier = datetime.now(timezone.utc) - timedelta(days=3)
    with pytest.raises(keys.KeyProblem, match="not valid yet"):
        keys.open_key("short", PASSPHRASE.encode(), at=earlier)
    keys.create_key("second", common_name="T", organisation=None, email=None, passphrase=PASSPHRASE.encode(),
                    algorithm="ec")
    with pytest.raises(keys.KeyProblem, match=r"several keys \(second, short\)"):
        keys.open_key(None, PASSPHRASE.encode())


def test_import_pkcs12_validates_before_copying(keys_dir, capsys, tmp_path):
    good = handmade_p12(tmp_path / "good.p12")
    code, _, err = run(capsys, "keys", "import", good, "--name", "outside", "--passphrase-env", "KEY_PASS")
    assert code == 0, err
    assert keys.open_key("outside", PASSPHRASE.encode()).info.subject == "CN=Outside Signer"

    no_nr = handmade_p12(tmp_path / "no-nr.p12", non_repudiation=False)
    code, _, err = run(capsys, "keys", "import", no_nr, "--name", "nonr", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "lacks the non-repudiation" in err

    now = datetime.now(timezone.utc)
    old = handmade_p12(tmp_path / "old.p12", not_before=now - timedelta(days=60), not_after=now - timedelta(days=30))
    code, _, err = run(capsys, "keys", "import", old, "--name", "old", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "has expired" in err and (now - timedelta(days=30)).strftime("%Y-%m-%d") in err

    code, _, err = run(capsys, "keys", "import", good, "--name", "again", "--passphrase-env", "KEY_PASS_WRONG")
    assert code == 2
    import os
    os.environ["KEY_PASS_WRONG"] = "definitely wrong"
    try:
        code, _, err = run(capsys, "keys", "import", good, "--name", "again", "--passphrase-env", "KEY_PASS_WRONG")
    finally:
        del os.environ["KEY_PASS_WRONG"]
    assert code == 4 and "wrong passphrase" in err
    assert sorted(p.name for p in keys_dir.iterdir()) == ["outside.crt", "outside.p12"]


def test_import_pem_key_and_certificate(keys_dir, capsys, tmp_path):
    source = handmade_p12(tmp_path / "src.p12")
    key, cert, _ = serialization.pkcs12.load_key_and_certificates(source.read_bytes(), PASSPHRASE.encode())
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    cert_pem = tmp_path / "cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    code, _, err = run(capsys, "keys", "import", key_pem, "--name", "pem", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "no PEM certificate" in err
    code, out, err = run(capsys, "keys", "import", key_pem, "--cert", cert_pem, "--name", "pem",
                         "--passphrase-env", "KEY_PASS", "--json")
    assert code == 0, err
    assert json.loads(out)["subject"] == "CN=Outside Signer"
    assert keys.open_key("pem", PASSPHRASE.encode()).certificate == cert


def test_list_without_keys_says_how_to_create_one(keys_dir, capsys):
    code, out, _ = run(capsys, "keys", "list")
    assert code == 0 and "keys create" in out


def test_keys_folder_defaults_to_user_config_not_workspace(monkeypatch, tmp_path):
    monkeypatch.delenv("INCIDENT_DESK_KEYS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert keys.keys_folder() == tmp_path / "config" / "incident-desk" / "keys"


def test_a_keys_folder_inside_the_workspace_is_refused(tmp_path, monkeypatch, capsys):
    workspace = tmp_path / "ws"
    monkeypatch.setenv("INCIDENT_DESK_WORKSPACE", str(workspace))
    monkeypatch.setenv("INCIDENT_DESK_KEYS_DIR", str(workspace / "keys"))
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    code, _, err = run(capsys, "keys", "create", "k", "--cn", "K", "--algorithm", "ec", "--passphrase-env", "KEY_PASS")
    assert code == 4 and "inside the workspace" in err
    assert not (workspace / "keys").exists()
