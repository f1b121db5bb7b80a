"""Choosing a decision by escalating through tiers, cheapest first (default ``rules → ollama → claude``).

A tier's answer is taken when it proposes actions, none of which already failed on this page, with a
confidence at or above that tier's threshold. Otherwise the router moves on to the next tier: on low
confidence, on a repeated failure, on an invalid answer and on a provider fault (which also counts against the
provider's circuit breaker; an open breaker skips the tier). A costlier tier is never asked while a cheaper one
is confident. Before a paid call the tier estimates the most it could cost; when that would take the task
past its budget the router stops with ``BudgetExceeded``.

Every tier consulted is recorded as a ``DecisionAttempt`` (tier, provider, model, tokens, latency, cost,
outcome) and returned with the decision, so every cent is accounted for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from browserflow.contracts import AttemptOutcome, DecideInput, Decision, DecisionAttempt
from browserflow.errors import BudgetExceeded, ProviderFault
from browserflow.llm.base import InvalidAnswer, Tier
from browserflow.llm.breaker import CircuitBreaker
from browserflow.llm.validate import repeated_failure

__all__ = ["DEFAULT_THRESHOLD", "RoutedDecision", "TierRouter", "attempts_from"]

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.6


@dataclass
class RoutedDecision:
    """The router's answer: the decision to act on (totals over all attempts) and every attempt made."""

    decision: Decision
    attempts: list[DecisionAttempt] = field(default_factory=list)
    chosen_tier: str | None = None
    fallback: bool = False  # no tier was confident; this is the best low-confidence answer

    @property
    def cost_usd(self) -> float:
        return self.decision.cost_usd

    @property
    def can_proceed(self) -> bool:
        return self.decision.can_proceed


def attempts_from(exc: BaseException) -> list[DecisionAttempt]:
    """The attempts the router made before it raised ``exc`` (a ``BudgetExceeded``), for recording."""
    return list(exc.attempts) if isinstance(exc, BudgetExceeded) else []


def _summary(decision: Decision) -> str:
    return decision.describe() if decision.actions else ""


class TierRouter:
    def __init__(
        self,
        tiers: Sequence[Tier],
        thresholds: Mapping[str, float] | None = None,
        breakers: Mapping[str, CircuitBreaker] | None = None,
        budget_usd: float = 0.50,
        *,
        default_threshold: float = DEFAULT_THRESHOLD,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        names = [t.name for t in tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"tier names must be unique: {names}")
        self.tiers = list(tiers)
        self.thresholds = dict(thresholds or {})
        self.breakers = dict(breakers or {})
        self.budget_usd = budget_usd
        self.default_threshold = default_threshold
        self._clock = clock

    # -- introspection (worker metrics) ----------------------------------------------------------------------

    @property
    def tier_names(self) -> list[str]:
        return [t.name for t in self.tiers]

    def breaker_states(self) -> dict[str, str]:
        return {provider: b.state.value for provider, b in self.breakers.items()}

    def threshold_for(self, tier: str) -> float:
        return self.thresholds.get(tier, self.default_threshold)

    async def readiness(self, timeout_s: float = 5.0) -> dict[str, str]:
        """Can each tier that has a health check (Ollama: is the server up, is the model pulled?) answer?

        Tier name -> ``"ready"`` or what is wrong; each problem is logged as a warning (a worker calls this once
        at start-up, so a missing model is said there, not found out on the first escalated page). Each check
        waits at most ``timeout_s``. Never raises: a tier that is not ready is skipped by its breaker like any
        other fault."""
        found: dict[str, str] = {}
        for tier in self.tiers:
            health = getattr(tier, "health", None)
            if health is None:
                continue
            try:
                report = await asyncio.wait_for(health(), timeout_s)
            except ProviderFault as exc:
                found[tier.name] = str(exc)
            except TimeoutError:
                found[tier.name] = f"no answer to the health check within {timeout_s:g}s"
            else:
                model = report.get("model")
                found[tier.name] = "ready" if report.get("model_available", True) else f"model {model!r} is not pulled"
            if found[tier.name] == "ready":
                log.info("decision tier %r is ready", tier.name)
            else:
                log.warning("decision tier %r is not ready: %s", tier.name, found[tier.name])
        return found

    async def aclose(self) -> None:
        for tier in self.tiers:
            closer = getattr(tier, "aclose", None)
            if closer is not None:
                await closer()

    # -- deciding --------------------------------------------------------------------------------------------

    async def decide(
        self, inp: DecideInput, spent_usd: float = 0.0, *, budget_usd: float | None = None
    ) -> RoutedDecision:
        """Decide the next actions for ``inp``. ``spent_usd`` is what the task has spent so far.

        Raises ``BudgetExceeded`` (with ``attempts_from(exc)`` listing what was tried) when the next tier's
        call could take the task past its budget and no tier was confident before it.
        """
        budget = self.budget_usd if budget_usd is None else budget_usd
        attempts: list[DecisionAttempt] = []
        fallbacks: list[tuple[int, Decision]] = []  # low-confidence answers with actions, by attempt index
        spent_here = Decimal(0)

        def record(tier: Tier, outcome: AttemptOutcome, started: float | None, **fields: object) -> DecisionAttempt:
            latency = (self._clock() - started) * 1000.0 if started is not None else 0.0
            base = {"tier": tier.name, "provider": tier.provider, "model": getattr(tier, "model", None)}
            attempt = DecisionAttempt.model_validate({**base, "outcome": outcome, "latency_ms": latency, **fields})
            attempts.append(attempt)
            return attempt

        for tier in self.tiers:
            breaker = self.breakers.get(tier.provider)
            if breaker is not None and not breaker.allow():
                record(tier, "skipped_breaker", None, detail=f"circuit open; next trial in {breaker.retry_in():.0f}s")
                continue
            budget_left = float(Decimal(str(budget)) - Decimal(str(spent_usd)) - spent_here)
            started = self._clock()
            try:
                decision = await tier.decide(inp, budget_left)
            except BudgetExceeded as exc:
                if breaker is not None:
                    breaker.release()
                record(tier, "budget", started, detail=exc.message)
                total = float(spent_here)
                raise BudgetExceeded(
                    f"budget ${budget:.2f} reached: spent ${spent_usd + total:.6f}; {tier.name}: {exc.message}",
                    spent_usd=total,
                    attempts=attempts,
                ) from None
            except ProviderFault as exc:
                if breaker is not None:
                    breaker.record_failure()
                record(tier, "fault", started, detail=exc.message)
                log.warning("tier %s faulted: %s", tier.name, exc.message)
                continue
            except InvalidAnswer as exc:
                if breaker is not None:
                    breaker.record_success()  # the provider answered; the answer was bad
                usage = exc.usage
                cost = usage.cost_usd if usage else 0.0
                spent_here += Decimal(str(cost))
                record(
                    tier,
                    "invalid",
                    started,
                    model=usage.model if usage else None,
                    input_tokens=usage.prompt_tokens if usage else 0,
                    output_tokens=usage.output_tokens if usage else 0,
                    cache_creation_input_tokens=usage.cache_creation_input_tokens if usage else 0,
                    cache_read_input_tokens=usage.cache_read_input_tokens if usage else 0,
                    cost_usd=cost,
                    actions=exc.proposed,
                    detail=exc.reason,
                )
                log.info("tier %s gave an invalid answer: %s", tier.name, exc.reason)
                continue
            except asyncio.CancelledError:
                if breaker is not None:
                    breaker.release()
                raise
            except Exception as exc:  # a bug in a tier must not stop the escalation
                log.exception("tier %s raised unexpectedly", tier.name)
                if breaker is not None:
                    breaker.record_failure()
                record(tier, "fault", started, detail=f"unexpected {type(exc).__name__}: {exc}"[:300])
                continue

            if breaker is not None:
                breaker.record_success()
            spent_here += Decimal(str(decision.cost_usd))
            common: dict[str, object] = {
                "model": decision.model,
                "confidence": decision.confidence,
                "input_tokens": decision.input_tokens,
                "output_tokens": decision.output_tokens,
                "cache_creation_input_tokens": getattr(decision, "cache_creation_input_tokens", 0),
                "cache_read_input_tokens": getattr(decision, "cache_read_input_tokens", 0),
                "cost_usd": decision.cost_usd,
                "actions": _summary(decision),
            }
            threshold = self.threshold_for(tier.name)
            if not decision.actions:
                record(
                    tier, "low_confidence", started, detail=f"no actions proposed: {decision.reason}"[:300], **common
                )
                continue
            repeat = repeated_failure(decision.actions, inp.failed_actions)
            if repeat is not None:
                record(
                    tier, "repeat_failure", started, detail=f"{repeat.describe()} already failed on this page", **common
                )
                continue
            if decision.confidence < threshold:
                record(
                    tier,
                    "low_confidence",
                    started,
                    detail=f"confidence {decision.confidence:.2f} < {threshold:.2f}: {decision.reason}"[:300],
                    **common,
                )
                fallbacks.append((len(attempts) - 1, decision))
                continue
            record(tier, "chosen", started, detail=decision.reason[:300], **common)
            return self._result(decision, attempts, fallback=False)

        if fallbacks:
            index, best = max(fallbacks, key=lambda item: (item[1].confidence, -item[0]))
            attempts[index] = attempts[index].model_copy(
                update={"outcome": "chosen", "detail": "best of low-confidence answers; " + attempts[index].detail}
            )
            return self._result(best, attempts, fallback=True)

        reasons = "; ".join(f"{a.tier}: {a.outcome}" + (f" ({a.detail[:80]})" if a.detail else "") for a in attempts)
        empty = Decision(
            tier="none", confidence=0.0, reason=f"no tier could decide: {reasons or 'no tiers configured'}"
        )
        return self._result(empty, attempts, fallback=False)

    @staticmethod
    def _result(decision: Decision, attempts: list[DecisionAttempt], *, fallback: bool) -> RoutedDecision:
        total_cost = sum((Decimal(str(a.cost_usd)) for a in attempts), Decimal(0))
        data = Decision.model_validate(decision.model_dump(include=set(Decision.model_fields)))
        reason = data.reason
        if fallback:
            reason = f"low confidence ({data.confidence:.2f}): {reason}"
        final = data.model_copy(
            update={
                "reason": reason,
                "input_tokens": sum(a.input_tokens for a in attempts),
                "output_tokens": sum(a.output_tokens for a in attempts),
                "cost_usd": float(total_cost),
                "latency_ms": sum(a.latency_ms for a in attempts),
                "attempts": list(attempts),
            }
        )
        chosen = next((a.tier for a in attempts if a.outcome == "chosen"), None)
        return RoutedDecision(decision=final, attempts=list(attempts), chosen_tier=chosen, fallback=fallback)
