"""`incident-desk keys`: create, import and list the signing keys used for checkpoints and signed PDFs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..app import keys as key_store
from ..app.config import resolve_workspace_path
from .common import EXIT_DATA, EXIT_NOT_FOUND, EXIT_REFUSED, AppContext, CliError, emit, json_option, pass_app
from .formatting import table, when
from .passphrase import passphrase_env_option, read_passphrase

EXIT_BY_KIND = {"not_found": EXIT_NOT_FOUND, "io": EXIT_DATA}


def key_problem_exit_code(problem: key_store.KeyProblem) -> int:
    return EXIT_BY_KIND.get(problem.kind, EXIT_REFUSED)


@contextmanager
def translate_key_problems() -> Iterator[None]:
    """A `KeyProblem` becomes one line and its exit code (3 no such key, 5 unreadable, else 4)."""
    try:
        yield
    except key_store.KeyProblem as problem:
        raise CliError(str(problem), key_problem_exit_code(problem)) from None


def refuse_keys_in_workspace(app: AppContext) -> None:
    """Keys never live in a workspace: whoever can copy or write the data must not get the key with it."""
    folder = key_store.keys_folder().resolve()
    workspace = resolve_workspace_path(app.workspace_path).resolve()
    if folder == workspace or workspace in folder.parents:
        raise CliError(f"the keys folder {folder} is inside the workspace {workspace}; keys must live outside "
                       f"it (set ${key_store.KEYS_DIR_ENV} to a folder of your own)", EXIT_REFUSED)


def info_json(info: key_store.KeyInfo) -> dict:
    return {"name": info.name, "subject": info.subject, "issuer": info.issuer, "serial": info.serial,
            "not_before": info.not_before, "not_after": info.not_after,
            "fingerprint_sha256": info.fingerprint_sha256, "has_non_repudiation": info.has_non_repudiation,
            "self_signed": info.self_signed, "p12_path": info.p12_path, "cert_path": info.cert_path}


def info_block(info: key_store.KeyInfo) -> str:
    return "\n".join([
        f"Key {info.name}",
        f"  Subject:      {info.subject}",
        f"  Issuer:       {info.issuer}{' (self-signed)' if info.self_signed else ''}",
        f"  Valid:        {when(info.not_before)} to {when(info.not_after)}",
        f"  SHA-256:      {info.fingerprint_sha256}",
        f"  Key file:     {info.p12_path}",
        f"  Certificate:  {info.cert_path}",
    ])


@click.group()
def keys() -> None:
    """Signing keys (X.509 with non-repudiation) for audit checkpoints and signed PDF reports.

    Keys live in $INCIDENT_DESK_KEYS_DIR, else the user's config folder, never in a workspace.
    """


@keys.command(name="create")
@click.argument("name")
@click.option("--cn", "common_name", required=True, help="Common name of the signer, e.g. 'Jane Doe'.")
@click.option("--org", "organisation", help="Organisation name.")
@click.option("--email", help="E-mail address put in the certificate.")
@click.option("--days", "valid_days", type=click.IntRange(1, key_store.MAX_VALID_DAYS), default=825,
              show_default=True, help="Days the certificate is valid.")
@click.option("--algorithm", type=click.Choice(["rsa", "ec"]), default="rsa", show_default=True,
              help="rsa: RSA-3072; ec: ECDSA P-256.")
@click.option("--csr", "csr_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a certificate signing request for the organisation's CA to this file.")
@passphrase_env_option
@json_option
@pass_app
def keys_create(app, name, common_name, organisation, email, valid_days, algorithm, csr_path, passphrase_env,
                as_json):
    """Create key NAME with a self-signed certificate (and optionally a CSR for your CA)."""
    refuse_keys_in_workspace(app)
    with translate_key_problems():
        key_store.check_name(name)
        passphrase = read_passphrase(passphrase_env, confirm=True, what="New key passphrase")
        info = key_store.create_key(name, common_name=common_name, organisation=organisation, email=email,
                                    passphrase=passphrase, valid_days=valid_days, csr_path=csr_path,
                                    algorithm=algorithm)
    emit(info_json(info), as_json, lambda _: info_block(info)
         + (f"\nCertificate signing request written to {csr_path}; import the certificate your CA issues "
            f"with `keys import`." if csr_path else ""))


@keys.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name to keep the key under.")
@click.option("--cert", "cert_path", type=click.Path(dir_okay=False, path_type=Path),
              help="PEM certificate (and chain) when SOURCE is a PEM private key without its certificate.")
@passphrase_env_option
@json_option
@pass_app
def keys_import(app, source, name, cert_path, passphrase_env, as_json):
    """Import SOURCE: a PKCS#12 file (.p12/.pfx), or a PEM private key with its certificate.

    The passphrase opens SOURCE (an unencrypted PEM key needs none) and protects the imported copy.
    """
    refuse_keys_in_workspace(app)
    with translate_key_problems():
        key_store.check_name(name)
        passphrase = read_passphrase(passphrase_env)
        info = key_store.import_key(source, name=name, passphrase=passphrase, cert=cert_path)
    emit(info_json(info), as_json, lambda _: info_block(info))


@keys.command(name="list")
@json_option
def keys_list(as_json):
    """The keys in the keys folder (no passphrase needed)."""
    with translate_key_problems():
        infos = key_store.list_keys()
        folder = key_store.keys_folder()
    rows = [[i.name, i.subject, when(i.not_after), "yes" if i.has_non_repudiation else "NO",
             i.fingerprint_sha256[:16]] for i in infos]

    def human(_: object) -> str:
        if not rows:
            return f"No keys in {folder}; create one with `incident-desk keys create NAME --cn 'Your Name'`."
        return table(["NAME", "SUBJECT", "VALID UNTIL", "NON-REPUDIATION", "SHA-256"], rows) + f"\n({folder})"

    emit([info_json(i) for i in infos], as_json, human)


def register(cli: click.Group) -> None:
    cli.add_command(keys)
