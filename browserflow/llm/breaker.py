"""A circuit breaker per LLM provider.

closed    calls pass; ``failure_threshold`` consecutive faults open the circuit
open      calls are refused until ``cooldown_s`` has passed since it opened
half_open one trial call is let through: success closes the circuit, a fault re-opens it (a fresh cool-down)

The clock is injectable (``clock=lambda: now``) so tests move time instead of sleeping. One breaker is shared
by all the decisions a worker makes concurrently; a trial call that never reports back (cancelled) stops
blocking others after another cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum

__all__ = ["BreakerState", "CircuitBreaker"]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 3,
        cooldown_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cooldown_s < 0:
            raise ValueError("cooldown_s must not be negative")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_started: float | None = None
        self.opened_count = 0

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        """The state as of now: an open circuit whose cool-down has passed reads as half_open."""
        with self._lock:
            if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.cooldown_s:
                return BreakerState.HALF_OPEN
            return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_in(self) -> float:
        """Seconds until an open circuit lets a trial call through (0 when not open)."""
        with self._lock:
            if self._state is not BreakerState.OPEN:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))

    # -- using ---------------------------------------------------------------------------------------------

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one caller gets True (the trial)."""
        with self._lock:
            now = self._clock()
            if self._state is BreakerState.CLOSED:
                return True
            if self._state is BreakerState.OPEN:
                if now - self._opened_at < self.cooldown_s:
                    return False
                self._state = BreakerState.HALF_OPEN
                self._trial_started = now
                return True
            # half-open: one trial at a time; a trial that never reported back frees the slot after a cool-down
            if self._trial_started is None or now - self._trial_started >= max(self.cooldown_s, 1e-9):
                self._trial_started = now
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_started = None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
                if self._state is not BreakerState.OPEN:
                    self.opened_count += 1
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._trial_started = None

    def release(self) -> None:
        """A call that ``allow()`` let through was not made after all (budget, cancellation): free the trial."""
        with self._lock:
            self._trial_started = None

    def reset(self) -> None:
        self.record_success()

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.name!r}, state={self.state.value}, failures={self._failures})"
