"""Secret references and sensitive values.

Task data values of the form ``env:NAME`` are resolved only here, on the worker, at the moment a value is
typed into a page; they never reach workflow history, logs, step records or prompts. Only allowed names
resolve (read from the worker's environment at resolve time):

- names starting with ``BROWSERFLOW_SECRET_PREFIX`` (default ``BROWSERFLOW_SECRET_``; set it empty to allow
  no prefix), and
- names listed in ``BROWSERFLOW_SECRET_ALLOW`` (comma-separated, e.g. ``APP_PASSWORD,SMTP_TOKEN``).

Any other name (``env:PATH``, ``env:ANTHROPIC_API_KEY``) is refused with ``SecretNotAllowed``.

Values under *sensitive keys* (``SENSITIVE_KEY``: password, token, API key, card number, CVC, PIN, SSN, ...)
are secrets even when a caller passes them in clear: they are masked wherever ``env:`` references are kept
out (step log, store, prompts, reviewer screenshots, traces). ``mask`` replaces known secret values (and
their JSON-escaped and URL-encoded spellings) in a text.

``credentials_from`` picks the task's sign-in credentials out of its data, as references (what a re-login
types; resolved only then, like every other secret).

Other stores plug in through ``register_resolver("vault", resolver)`` for values like ``vault:path``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, MutableSet
from urllib.parse import quote, quote_plus

from browserflow.config import ComponentSettings
from browserflow.errors import SecretNotAllowed, SecretUnavailable

__all__ = [
    "DEFAULT_PREFIX",
    "MASK",
    "NO_RELOGIN",
    "REVIEWED_POLICIES",
    "SENSITIVE_KEY",
    "credentials_from",
    "env_name_allowed",
    "is_secret",
    "is_secret_ref",
    "is_sensitive_key",
    "mask",
    "register_resolver",
    "resolve",
    "spellings",
]

DEFAULT_PREFIX = "BROWSERFLOW_SECRET_"
MASK = "***"

_REF = re.compile(r"^(?P<scheme>[a-z][a-z0-9_-]*):(?P<name>[A-Za-z0-9_./-]+)$")

# the one pattern of data keys / field names that hold secrets (words may be joined by _ . - or a space)
_SEP = r"[_. -]?"
SENSITIVE_KEY = re.compile(
    rf"(pass(word|wd|phrase|code)|secret|token|api{_SEP}key|private{_SEP}key|access{_SEP}key|credential|"
    rf"card{_SEP}(number|num|no)|credit{_SEP}card|cc{_SEP}(number|num)|security{_SEP}code|one{_SEP}time|"
    rf"social{_SEP}security|pin{_SEP}(code|number))",
    re.I,
)
_SENSITIVE_PARTS = {"pwd", "pw", "pin", "otp", "cvv", "cvc", "cvv2", "csc", "ssn", "auth", "iban", "totp", "mfa", "2fa"}


def is_sensitive_key(key: str | None) -> bool:
    """Does a data key / field name look like it holds a secret (password, token, card number, CVC, PIN...)?"""
    if not key:
        return False
    if SENSITIVE_KEY.search(key):
        return True
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    parts = {p for p in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if p}
    return bool(parts & _SENSITIVE_PARTS)


def env_name_allowed(name: str) -> bool:
    """May ``env:name`` be resolved on this worker (prefix or allow-list, read now)?"""
    knobs = ComponentSettings.current()
    prefix, allowed = knobs.secret_prefix, set(knobs.secret_allow)
    return name in allowed or (bool(prefix) and name.startswith(prefix) and len(name) > len(prefix))


def _from_env(name: str) -> str:
    if not env_name_allowed(name):
        raise SecretNotAllowed(
            f"secret env:{name} is not allowed on this worker: name it with the prefix "
            f"{ComponentSettings.current().secret_prefix or '(none)'} or list it in "
            "BROWSERFLOW_SECRET_ALLOW"
        )
    value = os.environ.get(name)
    if value is None:
        raise SecretUnavailable(f"secret env:{name} is not set in this worker's environment")
    return value


_RESOLVERS: dict[str, Callable[[str], str]] = {"env": _from_env}


def register_resolver(scheme: str, resolver: Callable[[str], str]) -> None:
    """Resolve ``scheme:NAME`` values with ``resolver(NAME)`` (e.g. a vault client)."""
    _RESOLVERS[scheme] = resolver


def is_secret_ref(value: str | None) -> bool:
    if not value:
        return False
    match = _REF.match(value)
    return bool(match and match.group("scheme") in _RESOLVERS)


def is_secret(value: str | None, key: str | None = None) -> bool:
    """Is ``value`` (found under data key ``key``) a secret: a reference, or any value of a sensitive key?"""
    return is_secret_ref(value) or (bool(value) and is_sensitive_key(key))


def resolve(value: str, *, key: str | None = None, seen: MutableSet[str] | None = None) -> str:
    """The real value of ``value``: itself, or what its secret reference points at. A resolved secret (or a
    clear value under a sensitive ``key``) is added to ``seen`` (what a session must scrub from its trace)."""
    match = _REF.match(value)
    if not match or match.group("scheme") not in _RESOLVERS:
        if seen is not None and value and is_sensitive_key(key):
            seen.add(value)
        return value
    resolved = _RESOLVERS[match.group("scheme")](match.group("name"))
    if seen is not None and resolved:
        seen.add(resolved)
    return resolved


def spellings(value: str) -> set[str]:
    """``value`` as it may appear in kept text: itself, JSON-escaped, URL-encoded (``%20`` and ``+``),
    HTML-escaped."""
    if not value:
        return set()
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], quote(value, safe=""),
             quote_plus(value, safe=""), quote(value), quote_plus(value), html.escape(value),
             html.escape(value, quote=False)}
    # a JSON string holding a URL-encoded or escaped form (a form post inside a trace's network entry)
    forms |= {json.dumps(f)[1:-1] for f in list(forms)}
    return {f for f in forms if f}


def mask(text: str, values: Iterable[str], replacement: str = MASK) -> str:
    """``text`` with every spelling of every value replaced by ``replacement`` (longest first)."""
    forms = sorted({f for v in values for f in spellings(v)}, key=len, reverse=True)
    for form in forms:
        text = text.replace(form, replacement)
    return text


_USER_KEYS = ("username", "user", "login", "email", "user_name", "userid", "account")
_PASSWORD_KEYS = ("password", "pass", "passwd", "pin")
_LOGIN_URL_KEYS = ("login_url", "signin_url", "sign_in_url", "login_page")
REVIEWED_POLICIES = ("before_irreversible", "always")  # a person looks before a submit: no silent re-login
NO_RELOGIN = "__no_relogin__"  # a credentials key: re-login is left to the workflow's decisions (and review)


def credentials_from(data: Mapping[str, str] | None, review_policy: str = "") -> dict[str, str]:
    """``{"username": ref, "password": ref}`` from task data (values stay references), with ``login_url``
    when the data names the site's login page. Under a review policy that looks at submits
    (``before_irreversible``, ``always``) the result says so, and no re-login is made in the activity."""
    found: dict[str, str] = {}
    for key, value in (data or {}).items():
        low = key.lower()
        if "password" not in found and low in _PASSWORD_KEYS:
            found["password"] = value
        elif "username" not in found and low in _USER_KEYS:
            found["username"] = value
        elif "login_url" not in found and low in _LOGIN_URL_KEYS:
            found["login_url"] = value
    if not {"username", "password"} <= set(found):
        return {}
    review_policy = review_policy or (data or {}).get(NO_RELOGIN, "")  # kept when parsed a second time
    if review_policy in REVIEWED_POLICIES:
        found[NO_RELOGIN] = review_policy
    return found
