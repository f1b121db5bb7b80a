"""Prices of model calls: USD per million tokens, per model.

Defaults cover the current Claude models; local Ollama models cost nothing. Override or extend with
``BROWSERFLOW_PRICES``: a JSON object, or the path of a JSON file holding one, mapping a model name to
``{"input": 3, "output": 15, "cache_write": 3.75, "cache_read": 0.3}`` or to ``[input, output]``.

A model is matched exactly, then by the longest known prefix (``claude-sonnet-4-5-20250929`` is priced as
``claude-sonnet-4-5``). An unknown Anthropic model is priced like the most expensive known one, so budgets
err on the safe side; an unknown Ollama model is free. All arithmetic is done in ``Decimal``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_PRICES", "Price", "PriceTable", "load_overrides"]

log = logging.getLogger(__name__)

_MILLION = Decimal(1_000_000)


def _dec(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"a price must be a number, not {value!r}")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"a price must be a number, not {value!r}") from None
    if not result.is_finite() or result < 0:
        raise ValueError(f"a price must be a finite number >= 0, not {value!r}")
    return result


@dataclass(frozen=True)
class Price:
    """USD per million tokens. Cache writes default to 1.25x and cache reads to 0.1x the input price."""

    input: Decimal
    output: Decimal
    cache_write: Decimal | None = None
    cache_read: Decimal | None = None

    @classmethod
    def of(
        cls,
        input: Any,
        output: Any,
        cache_write: Any = None,
        cache_read: Any = None,
    ) -> Price:
        """A price from numbers (or numeric strings), USD per million tokens."""
        return cls(
            input=_dec(input),
            output=_dec(output),
            cache_write=None if cache_write is None else _dec(cache_write),
            cache_read=None if cache_read is None else _dec(cache_read),
        )

    @property
    def cache_write_price(self) -> Decimal:
        return self.cache_write if self.cache_write is not None else self.input * Decimal("1.25")

    @property
    def cache_read_price(self) -> Decimal:
        return self.cache_read if self.cache_read is not None else self.input * Decimal("0.1")

    @property
    def free(self) -> bool:
        return self.input == 0 and self.output == 0


FREE = Price(Decimal(0), Decimal(0), Decimal(0), Decimal(0))

DEFAULT_PRICES: dict[str, Price] = {
    "claude-opus-4-1": Price.of(15, 75),
    "claude-opus-4-0": Price.of(15, 75),
    "claude-opus-4": Price.of(15, 75),
    "claude-opus-4-5": Price.of(5, 25),
    "claude-sonnet-4-5": Price.of(3, 15),
    "claude-sonnet-4-0": Price.of(3, 15),
    "claude-sonnet-4": Price.of(3, 15),
    "claude-3-7-sonnet": Price.of(3, 15),
    "claude-haiku-4-5": Price.of(1, 5),
    "claude-3-5-haiku": Price.of("0.8", 4),
    "claude-3-haiku": Price.of("0.25", "1.25"),
}


def _parse_entry(model: str, raw: Any) -> Price:
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return Price.of(raw[0], raw[1])
    if isinstance(raw, Mapping) and "input" in raw and "output" in raw:
        unknown = set(raw) - {"input", "output", "cache_write", "cache_read"}
        if unknown:
            raise ValueError(f"price of {model!r}: unknown fields {sorted(unknown)}")
        return Price.of(
            raw["input"], raw["output"], cache_write=raw.get("cache_write"), cache_read=raw.get("cache_read")
        )
    raise ValueError(f"price of {model!r} must be [input, output] or {{'input': .., 'output': ..}} USD per million")


def load_overrides(raw: str) -> dict[str, Any]:
    """Parse a ``BROWSERFLOW_PRICES`` value (inline JSON object or the path of a JSON file) and check it."""
    text = raw.strip()
    if not text.startswith("{"):
        text = Path(text).expanduser().read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("BROWSERFLOW_PRICES must be a JSON object of model -> price")
    for model, entry in data.items():
        _parse_entry(str(model), entry)
    return data


class PriceTable:
    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._prices: dict[str, Price] = dict(DEFAULT_PRICES if prices is None else prices)

    @classmethod
    def from_json(cls, raw: str | Mapping[str, Any], *, base: Mapping[str, Price] | None = None) -> PriceTable:
        """Defaults (or ``base``) overridden by the JSON object ``raw``."""
        data = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(data, Mapping):
            raise ValueError("BROWSERFLOW_PRICES must be a JSON object of model -> price")
        prices = dict(DEFAULT_PRICES if base is None else base)
        for model, entry in data.items():
            prices[str(model)] = _parse_entry(str(model), entry)
        return cls(prices)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PriceTable:
        """Defaults plus ``BROWSERFLOW_PRICES`` (inline JSON or a path to a JSON file)."""
        raw = (env if env is not None else os.environ).get("BROWSERFLOW_PRICES", "")
        return cls.from_json(load_overrides(raw)) if raw.strip() else cls()

    def known(self) -> dict[str, Price]:
        return dict(self._prices)

    def price_for(self, model: str | None, provider: str) -> Price:
        name = (model or "").strip()
        if name in self._prices:
            return self._prices[name]
        matches = [k for k in self._prices if name.startswith(k)]
        if matches:
            return self._prices[max(matches, key=len)]
        if provider == "ollama" or not self._prices:
            return FREE
        costliest = max(self._prices.values(), key=lambda p: (p.output, p.input))
        log.warning("no price known for model %r (%s); using the costliest known price to stay safe", name, provider)
        return costliest

    def cost(
        self,
        model: str | None,
        provider: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_creation_input_tokens: int = 0,
        cache_read_input_tokens: int = 0,
    ) -> float:
        """The USD cost of a call from its reported usage (Anthropic's input_tokens exclude cache tokens)."""
        return float(
            self.cost_decimal(
                model,
                provider,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cache_creation_input_tokens=cache_creation_input_tokens,
                cache_read_input_tokens=cache_read_input_tokens,
            )
        )

    def cost_decimal(
        self,
        model: str | None,
        provider: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_creation_input_tokens: int = 0,
        cache_read_input_tokens: int = 0,
    ) -> Decimal:
        price = self.price_for(model, provider)
        total = (
            Decimal(max(0, input_tokens)) * price.input
            + Decimal(max(0, output_tokens)) * price.output
            + Decimal(max(0, cache_creation_input_tokens)) * price.cache_write_price
            + Decimal(max(0, cache_read_input_tokens)) * price.cache_read_price
        )
        return total / _MILLION

    def estimate_max(self, model: str | None, provider: str, *, prompt_tokens: int, max_tokens: int) -> float:
        """The most a call can cost: the estimated prompt at the input price plus max_tokens at the output price."""
        return self.cost(model, provider, input_tokens=prompt_tokens, output_tokens=max_tokens)
