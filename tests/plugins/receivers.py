"""Real receivers on 127.0.0.1 for notifier tests: an HTTP server that records requests, an SMTP server."""

from __future__ import annotations

import socket
from typing import Any

from incident_desk.testing import HttpReceiver, Received  # noqa: F401 - the receivers plugin authors use too


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailSink:
    """aiosmtpd handler keeping every message it accepts (envelope and raw content)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class PasswordCheck:
    """aiosmtpd authenticator accepting one user name and password; remembers who logged in."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.attempts: list[tuple[str, str]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((mechanism, login))
        return AuthResult(success=login == self.user and password == self.password, handled=False)
