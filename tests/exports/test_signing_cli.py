"""Signing through the command line with keys from `incident-desk keys`: the passphrase comes from the
terminal or a named environment variable; a key that cannot sign writes nothing and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from incident_desk.app import keys

from .conftest import pdfsig

PASSPHRASE = "correct horse battery"


def p12_file(key, path: Path, passphrase: str = PASSPHRASE) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key.private_key, key.certificate, key.chain,
        serialization.BestAvailableEncryption(passphrase.encode())))
    return path


def place_key(name: str, key) -> None:
    """Put a key in the keys folder as `keys` lays it out (NAME.p12 + NAME.crt), as if it had been imported
    when it was still usable (import itself refuses expired keys and keys without non-repudiation)."""
    folder = keys.keys_folder()
    folder.mkdir(parents=True, exist_ok=True)
    p12_file(key, folder / f"{name}.p12")
    (folder / f"{name}.crt").write_bytes(key.certificate.public_bytes(serialization.Encoding.PEM))


@pytest.fixture
def imported_key(run, ca, tmp_path, monkeypatch):
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    source = p12_file(ca.signer("Dana Reyes"), tmp_path / "dana.p12")
    code, out, err = run("keys", "import", source, "--name", "dana", "--passphrase-env", "KEY_PASS")
    assert code == 0, err
    return "dana"


def test_export_signed_with_an_imported_key(run, imported_key, tmp_path, ca_file, nss_db):
    target = tmp_path / "signed.pdf"
    code, _, err = run("export", "INC-2025-001", "--format", "pdf", "--output", target, "--sign",
                       "--passphrase-env", "KEY_PASS", "--reason", "Quarterly audit", "--location", "Berlin")
    assert code == 0, err
    assert "signed by Dana Reyes" in err
    report = pdfsig(target, nss_db)
    assert "Signature is Valid." in report and "Certificate is Trusted." in report
    code, out, _ = run("verify", target, "--trust", ca_file)
    assert code == 0 and "VALID" in out


def test_the_seed_report_invocation_signs_too(run, imported_key, tmp_path, nss_db):
    target = tmp_path / "INC-2025-001.pdf"
    code, _, err = run("analyze", "--report", "--incident-id", "INC-2025-001", "--format", "pdf", "--output",
                       target, "--key", "dana", "--passphrase-env", "KEY_PASS", "--stamp")
    assert code == 0, err
    assert "Signature is Valid." in pdfsig(target, nss_db)


def test_wrong_passphrase_writes_nothing(run, imported_key, tmp_path, monkeypatch):
    monkeypatch.setenv("WRONG", "not the passphrase")
    target = tmp_path / "out.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "WRONG")
    assert code == 4 and "wrong passphrase for key 'dana'" in err and "nothing was written" in err
    assert not target.exists() and list(tmp_path.glob("*.pdf*")) == []


@pytest.mark.parametrize("kind, message", [
    ("expired", "has expired"),
    ("usage", "lacks the non-repudiation"),
])
def test_a_key_that_cannot_sign_writes_nothing(run, ca, tmp_path, monkeypatch, kind, message):
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    place_key("old", ca.signer(expired=True) if kind == "expired" else ca.signer(non_repudiation=False))
    target = tmp_path / "out.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--key", "old",
                       "--passphrase-env", "KEY_PASS")
    assert code == 4 and message in err and "nothing was written" in err
    assert not target.exists()


def test_missing_key_and_missing_variable(run, tmp_path, monkeypatch):
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    target = tmp_path / "out.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--key", "nobody",
                       "--passphrase-env", "KEY_PASS")
    assert code == 3 and "nobody" in err and not target.exists()
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "UNSET_VAR")
    assert code == 2 and "UNSET_VAR" in err and not target.exists()


def test_only_pdf_can_be_signed(run, imported_key, tmp_path):
    code, _, err = run("export", "INC-2025-001", "-f", "json", "-o", tmp_path / "x.json", "--sign",
                       "--passphrase-env", "KEY_PASS")
    assert code == 4 and "only PDF exports can be signed" in err and not (tmp_path / "x.json").exists()


def test_no_terminal_and_no_variable_is_a_usage_error(run, imported_key, tmp_path):
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", tmp_path / "x.pdf", "--sign")
    assert code == 2 and "--passphrase-env" in err


def test_verify_trusts_your_own_keys_by_default(run, imported_key, tmp_path):
    target = tmp_path / "signed.pdf"
    assert run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")[0] == 0
    code, out, _ = run("verify", target)
    assert code == 0 and "ok    trust: the signer's certificate chains to your own keys' certificates" in out


def test_a_self_signed_key_from_keys_create_signs_and_verifies(run, tmp_path, monkeypatch, nss_db):
    monkeypatch.setenv("KEY_PASS", PASSPHRASE)
    code, _, err = run("keys", "create", "mine", "--cn", "Sam Okafor", "--passphrase-env", "KEY_PASS")
    assert code == 0, err
    target = tmp_path / "self.pdf"
    code, _, err = run("export", "INC-2025-001", "-f", "pdf", "-o", target, "--sign", "--passphrase-env", "KEY_PASS")
    assert code == 0, err
    code, out, _ = run("verify", target)
    assert code == 0 and "Signer:        Sam Okafor" in out
    assert "Signature is Valid." in pdfsig(target, nss_db)  # integrity holds for any verifier; trust is local
