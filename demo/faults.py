"""Fault switches for the demo site: the misbehaviours the engine must survive.

A :class:`Faults` object is shared by the test (or ``POST /__faults``) that flips the switches and by the
server threads that act on them, so every read-modify-write happens under one lock. ``served`` counts the
requests each fault actually affected, so a test can assert that the engine met the fault and recovered.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["FAULT_FIELDS", "FAULT_NAMES", "Faults"]

# switch name -> type; all off (0 / False) by default, except retry_after which only shapes the 429 answer
FAULT_FIELDS: dict[str, type] = {
    "late_element_ms": int,
    "slow_ms": int,
    "slow_count": int,
    "modal": bool,
    "rate_limit_count": int,
    "retry_after": int,
    "error_burst": int,
    "session_expires_after": int,
    "deny": bool,
    "down": bool,
}
_DEFAULTS: dict[str, int | bool] = {name: (False if kind is bool else 0) for name, kind in FAULT_FIELDS.items()}
_DEFAULTS["retry_after"] = 1

# keys of Faults.served: one per fault that can affect a request
FAULT_NAMES = ("late_element", "slow", "modal", "rate_limit", "error_burst", "session_expired", "deny", "down")


class Faults:
    """Thread-safe fault switches. Assign attributes directly (``site.faults.modal = True``) or use
    :meth:`set` for several at once; :meth:`clear` turns everything off and zeroes ``served``."""

    late_element_ms: int
    slow_ms: int
    slow_count: int
    modal: bool
    rate_limit_count: int
    retry_after: int
    error_burst: int
    session_expires_after: int
    deny: bool
    down: bool
    _lock: threading.RLock
    _served: dict[str, int]

    def __init__(self, **switches: Any) -> None:
        object.__setattr__(self, "_lock", threading.RLock())
        object.__setattr__(self, "_served", dict.fromkeys(FAULT_NAMES, 0))
        for name, value in _DEFAULTS.items():
            object.__setattr__(self, name, value)
        self.set(**switches)

    # --------------------------------------------------------------------------------------------------
    # switches

    @staticmethod
    def _check(name: str, value: Any) -> int | bool:
        kind = FAULT_FIELDS.get(name)
        if kind is None:
            raise AttributeError(f"unknown fault {name!r}; known: {', '.join(FAULT_FIELDS)}")
        if kind is bool:
            if not isinstance(value, bool):
                raise TypeError(f"fault {name} takes true/false, not {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TypeError(f"fault {name} takes a non-negative integer, not {value!r}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        checked = self._check(name, value)
        with self._lock:
            object.__setattr__(self, name, checked)

    def set(self, **switches: Any) -> None:
        """Set several switches atomically (all are validated before any is changed)."""
        checked = {name: self._check(name, value) for name, value in switches.items()}
        with self._lock:
            for name, value in checked.items():
                object.__setattr__(self, name, value)

    def clear(self) -> None:
        """Every switch back to its default and every counter to zero."""
        with self._lock:
            for name, value in _DEFAULTS.items():
                object.__setattr__(self, name, value)
            object.__setattr__(self, "_served", dict.fromkeys(FAULT_NAMES, 0))

    def as_dict(self) -> dict[str, Any]:
        """The switches and the counters, as ``GET /__faults`` shows them."""
        with self._lock:
            state: dict[str, Any] = {name: getattr(self, name) for name in FAULT_FIELDS}
            state["served"] = dict(self._served)
        return state

    @property
    def served(self) -> dict[str, int]:
        """fault name -> how many requests it affected (a copy)."""
        with self._lock:
            return dict(self._served)

    def __repr__(self) -> str:
        on = {k: v for k, v in self.as_dict().items() if k != "served" and v != _DEFAULTS.get(k)}
        return f"Faults({', '.join(f'{k}={v!r}' for k, v in on.items())})"

    # --------------------------------------------------------------------------------------------------
    # used by the server: each call decides for one request and counts it when the fault applies

    def record(self, name: str) -> None:
        with self._lock:
            self._served[name] += 1

    def take_down(self) -> bool:
        with self._lock:
            if self.down:
                self._served["down"] += 1
            return self.down

    def take_deny(self) -> bool:
        with self._lock:
            if self.deny:
                self._served["deny"] += 1
            return self.deny

    def take_rate_limit(self) -> int | None:
        """The Retry-After seconds when this request is rate limited, else None."""
        with self._lock:
            if self.rate_limit_count <= 0:
                return None
            object.__setattr__(self, "rate_limit_count", self.rate_limit_count - 1)
            self._served["rate_limit"] += 1
            return self.retry_after

    def take_error(self) -> bool:
        with self._lock:
            if self.error_burst <= 0:
                return False
            object.__setattr__(self, "error_burst", self.error_burst - 1)
            self._served["error_burst"] += 1
            return True

    def take_slow(self) -> float:
        """Seconds to delay this response (0 when not slowed)."""
        with self._lock:
            if self.slow_count <= 0 or self.slow_ms <= 0:
                return 0.0
            object.__setattr__(self, "slow_count", self.slow_count - 1)
            self._served["slow"] += 1
            return self.slow_ms / 1000.0

    def take_modal(self) -> bool:
        with self._lock:
            if self.modal:
                self._served["modal"] += 1
            return self.modal

    def take_late_element(self) -> int:
        """Milliseconds after which the submit button appears (0: it is there from the start)."""
        with self._lock:
            if self.late_element_ms > 0:
                self._served["late_element"] += 1
            return self.late_element_ms
