"""Who may use the console, and the CSRF check of every form.

A credential is the console token, given once through the login form (which sets a signed, HttpOnly,
``SameSite=Strict`` session cookie) or on every request as ``Authorization: Bearer <token>``. Without a token
configured the console runs open (``--insecure-no-auth``, on 127.0.0.1 only). Every POST made with the session
cookie carries the session's CSRF token in a hidden ``csrf`` field; a bearer request needs none (a browser never
adds that header to a forged form).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

__all__ = ["CSRF_FIELD", "SESSION_COOKIE", "Access", "Credential", "csrf_token", "valid_csrf"]

SESSION_COOKIE = "bf_console"
CSRF_FIELD = "csrf"
SESSION_MAX_AGE = 8 * 3600

Credential = Literal["ok", "missing", "wrong"]


@dataclass(frozen=True)
class Access:
    """The console's credential: ``token`` (None: open, no credential asked)."""

    token: str | None

    @property
    def open(self) -> bool:
        return self.token is None

    def session_secret(self) -> str:
        """The key signing session cookies: derived from the token (a new token signs every session out); a
        fresh random one per process for an open console."""
        if self.token is None:
            return secrets.token_urlsafe(32)
        return hmac.new(self.token.encode(), b"browserflow console session", hashlib.sha256).hexdigest()

    def token_ok(self, given: str) -> bool:
        if self.token is None:
            return True
        return hmac.compare_digest(given.strip().encode(), self.token.encode())

    def credential(self, request: Request) -> Credential:
        """Whether ``request`` carries a valid credential: a bearer header, else a signed-in session."""
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not self.token_ok(value):
                return "wrong"
            request.state.bearer = True
            return "ok"
        if self.open or request.session.get("role") == "reviewer":
            return "ok"
        return "missing"

    @staticmethod
    def sign_in(request: Request) -> None:
        request.session.clear()
        request.session["role"] = "reviewer"
        request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def valid_csrf(request: Request, given: object) -> bool:
    """A bearer request, or a form field equal to the session's token."""
    if getattr(request.state, "bearer", False):
        return True
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
