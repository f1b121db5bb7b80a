"""Untrusted patterns, run bounded: the ``extract`` regular expressions of a request run on RE2.

RE2 matches in time linear in the text (no backtracking), so ``a(a+)+$`` against a long run of ``a`` is as
cheap as any other pattern. What RE2 cannot express (backreferences ``\\1``, lookaround ``(?=``, ``(?<!``,
possessive and atomic groups) is refused when the request is validated, with the pattern's name and RE2's
reason. Patterns are limited to ``MAX_PATTERN_LENGTH`` characters and RE2's compiled-program memory.

The goal check that runs them (``activities/decide.py``) runs in a worker thread (RE2 releases the GIL while
matching) under ``TIME_LIMIT_SECONDS``: the worker's event loop, and every other workflow on it, stays
responsive, and a check past the limit fails the step with ``PatternTimeout`` (non-retryable).
``BROWSERFLOW_PATTERN_TIME_LIMIT`` (seconds, on the worker) overrides the limit.

Pure functions plus one async helper; no I/O, so the contracts (imported by workflow code) can use them.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import re2

if TYPE_CHECKING:
    from browserflow.errors import PatternInvalid, PatternTimeout

__all__ = [
    "MAX_PATTERN_LENGTH",
    "TIME_LIMIT_SECONDS",
    "PatternInvalid",
    "check_pattern",
    "compile_pattern",
    "first_match",
    "run_bounded",
    "time_limit",
]

MAX_PATTERN_LENGTH = 1000
TIME_LIMIT_SECONDS = 2.0
_MAX_MEM = 8 << 20  # bytes for one compiled pattern (RE2's default budget)

LIMIT_ENV = "BROWSERFLOW_PATTERN_TIME_LIMIT"

T = TypeVar("T")
R = TypeVar("R")


_errors: ModuleType | None = None  # browserflow.errors, bound by it as it loads (see bind_errors)


def bind_errors(module: ModuleType) -> None:
    """Called by ``browserflow.errors`` as it loads. It imports the contracts, which import this module, so this
    module cannot import it first; and an import inside a call would run in a workflow's sandbox (which imports
    such a module afresh, with a warning). Bound here, the error classes are read without an import."""
    global _errors
    _errors = module


def _errors_module() -> ModuleType:
    if _errors is None:
        import browserflow.errors  # noqa: F401  # binds itself (only when nothing has imported it yet)
    assert _errors is not None
    return _errors


def _invalid() -> type[PatternInvalid]:
    found: type[PatternInvalid] = _errors_module().PatternInvalid
    return found


def _timeout() -> type[PatternTimeout]:
    found: type[PatternTimeout] = _errors_module().PatternTimeout
    return found


def __getattr__(name: str) -> Any:
    """``PatternInvalid`` is re-exported from ``browserflow.errors``, where it is defined."""
    if name == "PatternInvalid":
        return _invalid()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 otherwise prints every rejected pattern on stderr
    options.max_mem = _MAX_MEM
    return options


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; raises ``PatternInvalid`` for a pattern RE2 cannot run."""
    invalid = _invalid()
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise invalid(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re2.compile(pattern, options=_options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise invalid(
            f"{reason} (patterns run on RE2: no backreferences, lookahead/lookbehind or atomic groups)"
        ) from None


def check_pattern(name: str, pattern: str) -> str:
    """``pattern`` when RE2 accepts it; a ``ValueError`` naming the pattern otherwise (for validators)."""
    try:
        compile_pattern(pattern)
    except _invalid() as exc:
        raise ValueError(f"extract pattern {name!r} is not a valid regular expression: {exc}") from None
    return pattern


def first_match(pattern: str, sources: Iterable[str]) -> str | None:
    """The first match of ``pattern`` in the first source where it matches: group 1 when the pattern has
    groups, else the whole match; None when nothing matches (or the group did not take part). A pattern
    RE2 refuses matches nothing (requests are validated before they get here)."""
    try:
        rx = compile_pattern(pattern)
    except _invalid():
        return None
    for source in sources:
        m = rx.search(source)
        if m is None:
            continue
        value = m.group(1) if rx.groups else m.group(0)
        return value if isinstance(value, str) else None
    return None


def time_limit() -> float:
    """The worker's limit for one goal check: ``BROWSERFLOW_PATTERN_TIME_LIMIT`` seconds, else the default."""
    from browserflow.config import ComponentSettings  # not at import: config imports errors, which import this

    return ComponentSettings.current().pattern_time_limit


async def run_bounded(fn: Callable[[T], R], arg: T, *, limit: float | None = None, what: str = "") -> R:
    """``fn(arg)`` in a worker thread, off the event loop; past ``limit`` seconds ``PatternTimeout`` (never
    retried: the activity hands it to Temporal as a non-retryable ``ApplicationError``). (A thread cannot be stopped: RE2's linear matching on the
    snapshot's bounded text is what makes the stray run finish soon after.)"""
    limit = time_limit() if limit is None else limit
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn, arg), timeout=limit)
    except TimeoutError:
        message = f"{what or 'the pattern check'} did not finish within {limit:g} s"
        raise _timeout()(message) from None
