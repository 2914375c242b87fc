"""`incident-desk audit`: verify the hash-chained trails (incrementally or in full), read one incident's
trail, and pin every incident's head in a signed checkpoint."""

from __future__ import annotations

import click

from .common import EXIT_CHECK_FAILED, EXIT_NOT_FOUND, AppContext, CliError, emit, json_option, pass_app
from .context import open_desk, translate_errors
from .formatting import table, when
from .keys_cmds import translate_key_problems
from .passphrase import passphrase_env_option, read_passphrase

SHOW_AT_MOST = 20


@click.group()
def audit() -> None:
    """The hash-chained audit trail and its checkpoints (see docs/audit.md for what each one proves)."""


def _report_json(report) -> dict:
    return {"incident_id": report.incident_id, "ok": report.ok, "records": report.records,
            "head_hash": report.head_hash, "problems": report.problems}


@audit.command(name="verify")
@click.argument("incident_id", required=False)
@click.option("--full", is_flag=True, help="Read every incident file, not only those changed since the last "
                                           "verification, and compare with every checkpoint.")
@json_option
@pass_app
def audit_verify(app: AppContext, incident_id, full, as_json):
    """Check every audit chain (or one incident's) and the checkpoints; exit 1 when anything was changed.

    Quick by default: files unchanged since the last successful verification (same inode, size and
    change time) are not read again."""

    with open_desk(app) as desk:
        with translate_errors():
            outcome = desk.verify_audit(full=full, incident_id=incident_id)
    result = outcome.result
    failed = result.failed
    intact = result.total - len(failed)

    def human(_: object) -> str:
        shown = result.reports if (incident_id or len(result.reports) <= SHOW_AT_MOST) else failed
        lines = [f"{r.incident_id}: {'ok' if r.ok else 'FAILED'} ({r.records} records, head {r.head_hash[:16]})"
                 for r in shown]
        for r in failed:
            lines += [f"  {r.incident_id}: {problem}" for problem in r.problems]
        lines += [f"  {problem}" for problem in result.problems + outcome.problems]
        mode = ("full" if result.full else
                f"{result.checked} read, {result.unchanged} unchanged since the last verification")
        lines.append(f"{intact} of {result.total} audit chains intact ({mode})")
        if outcome.compared_with:
            lines.append("compared with " + "; ".join(outcome.compared_with))
        elif not outcome.checkpoints:
            lines.append("no checkpoints yet: a rewritten history with recomputed hashes cannot be told from a "
                         "real one; pin the heads with `incident-desk audit checkpoint`")
        return "\n".join(lines)

    data = {"ok": outcome.ok, "full": result.full, "total": result.total, "read": result.checked,
            "unchanged": result.unchanged, "failed": [_report_json(r) for r in failed],
            "reports": [_report_json(r) for r in result.reports], "problems": result.problems + outcome.problems,
            "compared_with": outcome.compared_with,
            "checkpoints": [{"seq": s.seq, "at": s.at, "actor": s.actor, "incidents": s.incidents,
                             "signed": s.signed, "signer": s.signer, "fingerprint_sha256": s.fingerprint,
                             "trusted_key": s.trusted_key, "problem": s.problem} for s in outcome.checkpoints]}
    emit(data, as_json, human)
    if not outcome.ok:
        raise SystemExit(EXIT_CHECK_FAILED)


@audit.command(name="log")
@click.argument("incident_id")
@json_option
@pass_app
def audit_log(app: AppContext, incident_id, as_json):
    """Who changed what, when."""

    with open_desk(app) as desk:
        records = desk.audit_trail(incident_id)
    rows = [[r.seq, when(r.at), r.actor, r.action, r.revision, ", ".join(r.changed)] for r in records]
    emit([r.__dict__ for r in records], as_json,
         lambda _: table(["#", "AT", "ACTOR", "ACTION", "REV", "CHANGED"], rows, 70))


@audit.command(name="checkpoint")
@click.option("--key", "key_name", help="Signing key (default: $INCIDENT_DESK_KEY, else your only key).")
@click.option("--unsigned", is_flag=True,
              help="Record the heads without a signature. It catches accidental edits only: anyone who can "
                   "write the workspace can rewrite an unsigned checkpoint.")
@passphrase_env_option
@json_option
@pass_app
def audit_checkpoint(app: AppContext, key_name, unsigned, passphrase_env, as_json):
    """Verify, then pin the current head of every incident's audit chain in the checkpoint log, signed.

    Later, `audit verify` reports every change made behind the checkpoint, even when the attacker
    recomputed every hash. Keep the printed checkpoint hash somewhere outside the workspace too."""
    from ..app import keys as key_store

    key = None
    if not unsigned:
        if key_name is None and not key_store.key_names():
            raise CliError(f"no signing key in {key_store.keys_folder()}: create one with `incident-desk keys create "
                           "NAME --cn 'Your Name'`, or record an unsigned checkpoint with --unsigned (it proves "
                           "nothing against someone who can write the workspace)", EXIT_NOT_FOUND)
        with translate_key_problems():
            name = key_name or key_store.default_key_name()
            passphrase = read_passphrase(passphrase_env, what=f"Passphrase of key '{name}'")
            key = key_store.open_key(name, passphrase)
    with open_desk(app) as desk:
        with translate_errors():
            entry, checked = desk.checkpoint_audit(key)

    def human(_: object) -> str:
        how = (f"signed with key '{key.info.name}' ({key.info.subject}, SHA-256 {key.info.fingerprint_sha256[:16]}…)"
               if key else "UNSIGNED: it detects accidental edits, but anyone who can write the workspace can "
                           "rewrite it; sign checkpoints with a key (`incident-desk keys create`)")
        return (f"Checkpoint {entry['seq']}: {entry['incidents']} incident heads pinned, {how}\n"
                f"Checkpoint hash {entry['hash']} (keep a copy outside the workspace)")

    emit({"seq": entry["seq"], "at": entry["at"], "incidents": entry["incidents"], "hash": entry["hash"],
          "signed": key is not None, "key": key.info.name if key else None}, as_json, human)


def register(cli: click.Group) -> None:
    cli.add_command(audit)
