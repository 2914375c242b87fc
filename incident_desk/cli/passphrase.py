"""Reading a key's passphrase: from a terminal prompt (never echoed) or from a named environment variable.

Commands that open or create a signing key share `passphrase_env_option` and `read_passphrase`; the
passphrase is never taken as a command-line value (it would land in the shell history and `ps`).
"""

from __future__ import annotations

import os
import sys

import click

from .common import EXIT_USAGE, CliError

passphrase_env_option = click.option(
    "--passphrase-env", "passphrase_env", metavar="VAR",
    help="Read the key's passphrase from this environment variable instead of asking on the terminal.")


def read_passphrase(env_var: str | None, *, confirm: bool = False, what: str = "Key passphrase") -> bytes:
    """The passphrase from `$env_var` when named, else asked on the terminal (twice when `confirm`)."""
    if env_var:
        value = os.environ.get(env_var)
        if value is None:
            raise CliError(f"--passphrase-env: environment variable {env_var} is not set", EXIT_USAGE)
        return value.encode("utf-8")
    if not sys.stdin.isatty():
        raise CliError("no terminal to ask for the passphrase on; name an environment variable that holds it "
                       "with --passphrase-env VAR", EXIT_USAGE)
    value = click.prompt(what, hide_input=True, confirmation_prompt=confirm, err=True)
    return value.encode("utf-8")
