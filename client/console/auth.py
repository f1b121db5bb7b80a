"""Who may use the console, and the CSRF check of every form.

A credential is the reviewer token (or the viewer token: pages only, every verb refused), or the name and password
of a user of the users file (``client/console/users.py``; the user's role decides), given once through the login
form (which sets a signed, HttpOnly, ``SameSite=Strict`` session cookie), or a token on every request as
``Authorization: Bearer <token>``. A user's session is checked against the file on every request (a user removed
or made a viewer loses what the session held). Without a token or users configured the console runs open (``--insecure-no-auth``, on 127.0.0.1 only). Every POST made with the session
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

from client.console.users import User, check

__all__ = ["CSRF_FIELD", "SESSION_COOKIE", "Access", "Credential", "Role", "csrf_token", "valid_csrf"]

SESSION_COOKIE = "bf_console"
CSRF_FIELD = "csrf"
SESSION_MAX_AGE = 8 * 3600

Role = Literal["reviewer", "viewer"]
Credential = Literal["reviewer", "viewer", "missing", "wrong"]


@dataclass(frozen=True)
class Access:
    """The console's credentials: ``token`` a reviewer's (None: open, everyone a reviewer), ``viewer_token``
    (optional) one that may look but not act."""

    token: str | None
    viewer_token: str | None = None
    users: tuple[User, ...] = ()

    @property
    def open(self) -> bool:
        return self.token is None and not self.users

    def session_secret(self) -> str:
        """The key signing session cookies: derived from the token (a new token signs every session out); a
        fresh random one per process for an open console."""
        if self.open:
            return secrets.token_urlsafe(32)
        hashes = "\0".join(f"{user.name}:{user.password}" for user in self.users)
        keys = f"{self.token or ''}\0{self.viewer_token or ''}\0{hashes}".encode()
        return hmac.new(keys, b"browserflow console session", hashlib.sha256).hexdigest()

    def role_of(self, given: str) -> Role | None:
        """The role the token ``given`` grants, if any."""
        if self.open:
            return "reviewer"
        given_bytes = given.strip().encode()
        if not given_bytes:
            return None
        if self.token and hmac.compare_digest(given_bytes, self.token.encode()):
            return "reviewer"
        if self.viewer_token and hmac.compare_digest(given_bytes, self.viewer_token.encode()):
            return "viewer"
        return None

    def credential(self, request: Request) -> Credential:
        """Whether ``request`` carries a valid credential: a bearer header, else a signed-in session."""
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, value = header.partition(" ")
            role = self.role_of(value) if scheme.lower() == "bearer" else None
            if role is None:
                return "wrong"
            request.state.bearer = True
            return role
        if self.open:
            return "reviewer"
        held = request.session.get("role")
        name = request.session.get("user")
        if isinstance(name, str):
            user = next((u for u in self.users if u.name == name), None)
            if user is None:
                return "missing"
            request.state.user = user.name
            return user.role
        if (held == "reviewer" and self.token) or (held == "viewer" and self.viewer_token):
            return "reviewer" if held == "reviewer" else "viewer"
        return "missing"

    def user(self, name: str, password: str) -> User | None:
        """The user of the users file these name and password sign in, if any."""
        return check(self.users, name, password) if self.users and name.strip() and password else None

    @staticmethod
    def sign_in(request: Request, role: Role, user: str | None = None) -> None:
        request.session.clear()
        request.session["role"] = role
        if user is not None:
            request.session["user"] = user
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
