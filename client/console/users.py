"""The console's users file (``--users FILE`` / ``BROWSERFLOW_CONSOLE_USERS``): people who sign in with a name
and a password, each a ``viewer`` or a ``reviewer``. The file holds password hashes only (scrypt, a random salt
per user), made by ``browserflow console hash-password``. TOML::

    [[users]]
    name = "dana"
    role = "reviewer"
    password = "scrypt$16384$8$1$<salt>$<hash>"

or JSON: ``{"users": [{"name": "dana", "role": "reviewer", "password": "scrypt$..."}]}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["User", "check", "hash_password", "load_users", "verify_password"]

_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1
_DUMMY = ""  # a hash checked for an unknown name, so a wrong name costs what a wrong password costs


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * n * r * p + 1024 * 1024)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64url): what the users file keeps instead of the password."""
    if not password:
        raise ValueError("an empty password")
    salt = salt if salt is not None else secrets.token_bytes(16)
    return "$".join([_SCHEME, str(_N), str(_R), str(_P), _b64(salt), _b64(_derive(password, salt, _N, _R, _P))])


def _parts(hashed: str) -> tuple[int, int, int, bytes, bytes]:
    scheme, n, r, p, salt, digest = hashed.split("$")
    if scheme != _SCHEME or int(n) < 2**12 or int(n) > 2**20 or int(r) > 32 or int(p) > 16:
        raise ValueError("not a scrypt hash of `browserflow console hash-password`")
    return int(n), int(r), int(p), _unb64(salt), _unb64(digest)


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` is the one ``hashed`` was made from (constant-time comparison)."""
    try:
        n, r, p, salt, digest = _parts(hashed)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(password, salt, n, r, p), digest)


class User(BaseModel):
    """One person of the users file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "reviewer"]
    password: str = Field(repr=False, description="the scrypt hash, never the password")

    @field_validator("name")
    @classmethod
    def _name(cls, raw: str) -> str:
        name = raw.strip()
        if not name or any(ch in name for ch in "\n\r\t:"):
            raise ValueError("a name is one line without ':'")
        return name

    @field_validator("password")
    @classmethod
    def _hash(cls, raw: str) -> str:
        try:
            _parts(raw)
        except ValueError as exc:
            raise ValueError("password must be a hash made by `browserflow console hash-password`") from exc
        return raw


def load_users(path: Path) -> tuple[User, ...]:
    """The users of ``path`` (``.json``, else TOML); ``ValueError`` naming the problem (never a hash)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ValueError(f"cannot read the users file {path}: {exc.strerror}") from exc
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"the users file {path} is not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}") from exc
    entries = raw.get("users") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"the users file {path} lists no users (a `users` list of name, role, password)")
    users: list[User] = []
    for index, entry in enumerate(entries, 1):
        try:
            users.append(User.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"the users file {path}, user {index}: {problems}") from None
    names = [user.name for user in users]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"the users file {path} names {', '.join(twice)} more than once")
    return tuple(users)


def check(users: tuple[User, ...], name: str, password: str) -> User | None:
    """The user ``name`` if ``password`` is theirs; an unknown name costs the same hashing time."""
    global _DUMMY
    found = next((user for user in users if user.name == name.strip()), None)
    if found is None:
        _DUMMY = _DUMMY or hash_password(secrets.token_urlsafe(16))
        verify_password(password, _DUMMY)
        return None
    return found if verify_password(password, found.password) else None
