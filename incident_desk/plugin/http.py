"""A small JSON-over-HTTP helper for notifier plugins (standard library only).

`post_json` sends one POST and turns every outcome into a `DeliveryResult`: 2xx is sent; a timeout,
a refused connection, 408, 425, 429 and 5xx are retryable failures; other 4xx are permanent. Error
texts are scrubbed of the URL and any secret passed in `hide`, because webhook URLs carry tokens.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from typing import Any, Iterable

from .types import DeliveryResult
from .wording import seconds

RETRYABLE_STATUS = frozenset({408, 425, 429}) | frozenset(range(500, 600))
USER_AGENT = "incident-desk-notifier/1"


def scrub(text: str, hide: Iterable[str]) -> str:
    """`text` with every non-empty string of `hide` replaced by `***`; one shorter than 8 characters only
    where it stands as a whole token, so a one-letter password never turns `extension` into `e***tension`."""
    for secret in sorted((s for s in hide if s), key=len, reverse=True):
        if len(secret) >= 8:
            text = text.replace(secret, "***")
        else:
            text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", "***", text)
    return text


def encode_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None, timeout: float = 10.0,
              hide: Iterable[str] = (), url_label: str = "the receiver URL") -> DeliveryResult:
    """POST `body` (already JSON-encoded) to `url`; never raises for network or HTTP trouble.

    `url_label` names the URL in errors (e.g. its secret reference), since URLs often carry tokens."""
    if not url.startswith(("https://", "http://")):
        return DeliveryResult.failed(f"{url_label} is not an http(s) URL", retryable=False)
    hidden = [url, *hide]
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **(headers or {}),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            answer = response.read(2048).decode("utf-8", "replace").strip()
            return DeliveryResult.sent(detail=scrub(f"HTTP {response.status} {answer}"[:200], hidden))
    except urllib.error.HTTPError as error:
        answer = error.read(512).decode("utf-8", "replace").strip() if error.fp else ""
        text = scrub(f"HTTP {error.code} {error.reason}{': ' + answer if answer else ''}"[:300], hidden)
        return DeliveryResult.failed(text, retryable=error.code in RETRYABLE_STATUS)
    except (TimeoutError, socket.timeout):
        return DeliveryResult.failed(f"no answer within {seconds(timeout)}", retryable=True)
    except urllib.error.URLError as error:
        return DeliveryResult.failed(scrub(f"cannot reach the receiver: {error.reason}", hidden), retryable=True)
    except (ConnectionError, OSError) as error:
        return DeliveryResult.failed(scrub(f"connection failed: {error}", hidden), retryable=True)
