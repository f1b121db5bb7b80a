"""Secret references. Task data values of the form ``env:NAME`` are resolved only here, on the worker, at
the moment a value is typed into a page; they never reach workflow history, logs, step records or prompts.

Other stores plug in through ``register_resolver("vault", resolver)`` for values like ``vault:path``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from browserflow.errors import SecretUnavailable

__all__ = ["is_secret_ref", "register_resolver", "resolve"]

_REF = re.compile(r"^(?P<scheme>[a-z][a-z0-9_-]*):(?P<name>[A-Za-z0-9_./-]+)$")


def _from_env(name: str) -> str:
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


def resolve(value: str) -> str:
    """The real value of ``value``: itself, or what its secret reference points at."""
    match = _REF.match(value)
    if not match or match.group("scheme") not in _RESOLVERS:
        return value
    return _RESOLVERS[match.group("scheme")](match.group("name"))
