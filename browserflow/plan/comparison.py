"""A condition on a number the page shows, and the guard that checks it in the page as an action runs.

Read from the goal by ``conditions.py`` ("when the price is less than $60.50"), carried by an ``Intent``
(``when`` / ``until``), judged on snapshots by ``guarded.py`` and in the page by ``actor.click_when``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CompareOp", "Condition", "Guard"]

_FROZEN = ConfigDict(extra="forbid")

CompareOp = Literal["lt", "le", "gt", "ge", "eq", "ne", "odd", "even"]
_OP_WORDS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "=", "ne": "!=", "odd": "is odd", "even": "is even"}


class Condition(BaseModel):
    """A condition on a number the page shows: 'the price is less than $60.50' (``price lt 60.50``), 'an odd
    number' (``number odd``). ``browserflow/plan/conditions.py`` reads and judges it."""

    model_config = _FROZEN

    subject: str = Field(description="the words naming what is read on the page: 'price', 'number'")
    op: CompareOp
    number: str | None = Field(default=None, description="the literal compared with, as a decimal ('60.50')")
    text: str = Field(default="", description="the goal's words")

    def describe(self) -> str:
        tail = f" {self.number}" if self.number is not None else ""
        return f"{self.subject} {_OP_WORDS[self.op]}{tail}"


class Guard(BaseModel):
    """A condition checked in the page at the moment an action runs, on the element that shows the number."""

    model_config = _FROZEN

    condition: Condition
    selector: str = Field(description="the element whose text is the number")
