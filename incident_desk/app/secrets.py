"""Secret references in notifier configuration, and their resolution from the OS keyring or environment.

A configuration never holds a secret, only a reference to one:

- `keyring:SERVICE/NAME`: the OS keyring entry for service SERVICE and user name NAME
  (store it with `keyring set SERVICE NAME`);
- `env:NAME`: the environment variable NAME, for headless machines without a keyring backend.

`resolve_config` turns a raw mapping into the notifier's config model, replacing each reference in a
`Secret` field by a `Secret` holding the value. `check_config` validates the same mapping without
reading any secret (for loading and listing configuration). Error messages name the reference, never
the value.
"""

from __future__ import annotations

import os
import typing
from typing import Any, Callable, Mapping

from pydantic import BaseModel

from ..plugin.types import Secret, is_secret_reference


class SecretError(Exception):
    """A secret reference that is malformed or cannot be read; the message names the reference only."""


def secret_fields(config_model: type[BaseModel]) -> set[str]:
    """Names of the fields of `config_model` that hold a `Secret` (possibly optional)."""
    names = set()
    for name, info in config_model.model_fields.items():
        annotation = info.annotation
        if annotation is Secret or Secret in typing.get_args(annotation):
            names.add(name)
    return names


def resolve(reference: str, environ: Mapping[str, str] | None = None) -> Secret:
    """Read the secret behind `reference`; raise `SecretError` saying what to do when it cannot."""
    if not isinstance(reference, str) or not is_secret_reference(reference):
        raise SecretError(f"{reference!r} is not a secret reference such as keyring:incident-desk/NAME or env:NAME")
    kind, _, where = reference.partition(":")
    if kind == "env":
        value = (os.environ if environ is None else environ).get(where)
        if not value:
            raise SecretError(f"{reference}: environment variable {where} is not set")
        return Secret(value, reference)
    service, _, name = where.partition("/")
    import keyring
    import keyring.errors

    try:
        value = keyring.get_password(service, name)
    except keyring.errors.NoKeyringError:
        raise SecretError(f"{reference}: no keyring backend is available on this machine; put the secret in an "
                          f"environment variable and write env:NAME instead of {reference}") from None
    except keyring.errors.KeyringError as error:
        raise SecretError(f"{reference}: the keyring could not be read ({type(error).__name__}); "
                          "unlock it, or use an env:NAME reference") from None
    if value is None:
        raise SecretError(f"{reference}: nothing is stored in the keyring for service {service!r} and name "
                          f"{name!r}; store it with `keyring set {service} {name}` (or use env:NAME)")
    return Secret(value, reference)


def _validate(config_model: type[BaseModel], raw: Mapping[str, Any], fill: Callable[[str], Secret]) -> BaseModel:
    data = dict(raw)
    for name in secret_fields(config_model) & set(data):
        value = data[name]
        if value is None:
            continue
        if not isinstance(value, str) or not is_secret_reference(value):
            raise SecretError(f"{name}: must be a reference such as keyring:incident-desk/{name.replace('_', '-')} "
                              f"or env:{name.upper()}, never the secret itself")
        data[name] = fill(value)
    return config_model.model_validate(data)


def check_config(config_model: type[BaseModel], raw: Mapping[str, Any]) -> BaseModel:
    """Validate `raw` without reading secrets (each `Secret` holds an empty value). May raise
    `SecretError` or pydantic's `ValidationError`."""
    return _validate(config_model, raw, lambda reference: Secret("", reference))


def resolve_config(config_model: type[BaseModel], raw: Mapping[str, Any],
                   environ: Mapping[str, str] | None = None) -> BaseModel:
    """Validate `raw` and read every secret it refers to. May raise `SecretError` or `ValidationError`."""
    return _validate(config_model, raw, lambda reference: resolve(reference, environ))
