"""Secret references in notifier configuration, their resolution from the OS keyring or environment, and
the scrubber that keeps every secret value out of what is stored or shown.

A configuration never holds a secret, only a reference to one:

- `keyring:SERVICE/NAME`: the OS keyring entry for service SERVICE and user name NAME
  (store it with `keyring set SERVICE NAME`);
- `env:NAME`: the environment variable NAME, for headless machines without a keyring backend.

`resolve_config` turns a raw mapping into the notifier's config model, replacing each reference in a
`Secret` field (and each reference among the values of a `dict[str, Secret | str]` field such as the
webhook's `headers`) by a `Secret` holding the value; a credential header written as a literal
(`Authorization: Bearer ...`) is refused. `check_config` validates the same mapping without reading any
secret (for loading and listing configuration). Error messages name the reference, never the value.

The scrubber: every secret value this process reads is remembered, with its URL parts when it is a URL
(user info, password, path segments and query values that look like tokens), and `scrub(text)` replaces
each by `***` in any text before it is stored or shown: delivery errors and answers (`last_error`,
timeline events, outbox.json), command output, warnings and log records (a log record factory is
installed on first use). Secrets shorter than 8 characters are replaced only as whole tokens (never
inside a word); longer ones wherever they occur, in plain, percent-encoded and JSON-escaped forms.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import typing
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus, unquote, urlsplit

from pydantic import BaseModel

from ..plugin.types import DeliveryResult, Secret, is_secret_reference

MASK = "***"
WHOLE_WORD_BELOW = 8
_CREDENTIAL_HEADER_WORDS = ("authorization", "cookie", "token", "secret", "password", "passwd", "api-key",
                            "apikey", "api_key", "auth", "signature", "session")
_CREDENTIAL_VALUE = re.compile(r"^\s*(bearer|basic|token|digest|negotiate|apikey)\b", re.IGNORECASE)


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


def secret_mapping_fields(config_model: type[BaseModel]) -> set[str]:
    """Names of the fields of `config_model` that are mappings whose values may be secrets (`headers`)."""
    names = set()
    for name, info in config_model.model_fields.items():
        for candidate in (info.annotation, *typing.get_args(info.annotation)):
            if typing.get_origin(candidate) is dict and any(
                    arg is Secret or Secret in typing.get_args(arg) for arg in typing.get_args(candidate)[1:]):
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
        return remember(Secret(value, reference))
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
    return remember(Secret(value, reference))


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
    for name in secret_mapping_fields(config_model) & set(data):
        mapping = data[name]
        if isinstance(mapping, Mapping):
            data[name] = {key: _mapping_value(name, key, value, fill) for key, value in mapping.items()}
    return config_model.model_validate(data)


def _mapping_value(field: str, key: Any, value: Any, fill: Callable[[str], Secret]) -> Any:
    if isinstance(value, str) and is_secret_reference(value):
        return fill(value)
    lowered = str(key).lower()
    if isinstance(value, str) and (any(word in lowered for word in _CREDENTIAL_HEADER_WORDS)
                                   or _CREDENTIAL_VALUE.match(value)):
        raise SecretError(f"{field}: the {key} header carries a credential: write a reference such as "
                          f"env:NAME or keyring:incident-desk/NAME for its whole value, never the value itself")
    return value


def check_config(config_model: type[BaseModel], raw: Mapping[str, Any]) -> BaseModel:
    """Validate `raw` without reading secrets (each `Secret` holds an empty value). May raise
    `SecretError` or pydantic's `ValidationError`."""
    return _validate(config_model, raw, lambda reference: Secret("", reference))


def resolve_config(config_model: type[BaseModel], raw: Mapping[str, Any],
                   environ: Mapping[str, str] | None = None) -> BaseModel:
    """Validate `raw` and read every secret it refers to. May raise `SecretError` or `ValidationError`."""
    return _validate(config_model, raw, lambda reference: resolve(reference, environ))


# --------------------------------------------------------------------------- the scrubber

_known: set[str] = set()
_known_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None
_log_factory_installed = False


def remember(secret: Any) -> Any:
    """Teach the scrubber a secret value (a `Secret` or a str) and its URL parts; returns its argument."""
    global _pattern
    value = secret.reveal() if isinstance(secret, Secret) else secret
    forms = _forms(value) if isinstance(value, str) else set()
    with _known_lock:
        if forms - _known:
            _known.update(forms)
            _pattern = None
    _install_log_scrubbing()
    return secret


def scrub(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with every remembered secret (and each of `extra`) replaced by `***`."""
    if not isinstance(text, str) or not text:
        return text
    pattern = _compiled()
    if pattern is not None:
        text = pattern.sub(MASK, text)
    extras: set[str] = set()
    for value in extra:
        extras |= _forms(value) if value else set()
    return _build(extras).sub(MASK, text) if extras else text


def scrub_result(result: DeliveryResult, extra: Iterable[str] = ()) -> DeliveryResult:
    """A delivery result whose error and detail carry no secret."""
    extra = list(extra)
    error, detail = scrub(result.error, extra), scrub(result.detail, extra)
    if (error, detail) == (result.error, result.detail):
        return result
    return result.model_copy(update={"error": error, "detail": detail})


def config_secrets(config: Any) -> list[str]:
    """Every secret value held by a resolved notifier config (its fields and the values of its mappings)."""
    found = []
    for value in getattr(config, "__dict__", {}).values():
        values = value.values() if isinstance(value, Mapping) else [value]
        found += [v.reveal() for v in values if isinstance(v, Secret) and v.reveal()]
    return found


def _forms(value: str) -> set[str]:
    """The value, its URL parts that look like tokens, and the encodings they may be echoed in."""
    if not value:
        return set()
    parts = {value}
    try:
        url = urlsplit(value)
        password, username = url.password, url.username
    except ValueError:
        url, password, username = None, None, None
    if url is not None and url.scheme and url.netloc:
        if password:
            parts |= {password, f"{username}:{password}"}
        parts.update(part for part in url.path.split("/") if _looks_like_token(part))
        for pair in url.query.split("&"):
            name, _, item = pair.partition("=")
            parts.update(part for part in (item or name,) if _looks_like_token(part, query=True))
        if _looks_like_token(url.fragment):
            parts.add(url.fragment)
    forms = set()
    for part in parts:
        forms |= {part, unquote(part), quote(part, safe=""), quote_plus(part), json.dumps(part)[1:-1]}
    return {form for form in forms if form}


def _looks_like_token(part: str, *, query: bool = False) -> bool:
    """A URL part worth hiding wherever it appears: letters and digits mixed (Slack's T0123ABC, a GUID, a
    token), or very long; never plain words such as 'hooks', 'services' or 'IncomingWebhook' (the whole
    URL is hidden anyway). A query value counts from 6 characters (`?token=...`)."""
    part = unquote(part)
    mixed = any(c.isdigit() for c in part) and any(c.isalpha() for c in part)
    return (len(part) >= 4 and mixed) or len(part) >= 20 or (query and len(part) >= 6)


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _known_lock:
        if _pattern is None and _known:
            _pattern = _build(_known)
        return _pattern


def _build(values: Iterable[str]) -> re.Pattern[str]:
    alternatives = []
    for value in sorted(values, key=len, reverse=True):
        escaped = re.escape(value)
        alternatives.append(escaped if len(value) >= WHOLE_WORD_BELOW
                            else rf"(?<![0-9A-Za-z]){escaped}(?![0-9A-Za-z])")
    return re.compile("|".join(alternatives))


def _install_log_scrubbing() -> None:
    """Every log record, of any logger and handler, is scrubbed when it is made."""
    global _log_factory_installed
    if _log_factory_installed:
        return
    _log_factory_installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is reported by logging itself
            return record
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
