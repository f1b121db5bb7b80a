"""People in the loop: what a reviewer is asked, the reviewer's verbs (each a signal and an update; unknown
fields are an error), the answer the workflow keeps, and the update's acknowledgement."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictStr

from browserflow.contracts.actions import Action
from browserflow.contracts.requests import FORBID

__all__ = [
    "Approve",
    "Instruct",
    "Pause",
    "ProvideInput",
    "Reject",
    "Resume",
    "ReviewAck",
    "ReviewRequest",
    "ReviewResponse",
    "ReviewVerb",
    "TakeOver",
]


class ReviewRequest(BaseModel):
    """What a reviewer is asked to decide. The screenshot is a file on the worker, never in history."""

    reason: str
    detail: str = ""
    step: int
    url: str
    proposed: list[Action] = Field(default_factory=list)
    screenshot: str = ""
    requested_at: datetime


class Approve(BaseModel):
    model_config = FORBID
    note: str = ""


class Reject(BaseModel):
    model_config = FORBID
    reason: str = Field(min_length=1)


class ProvideInput(BaseModel):
    model_config = FORBID
    values: dict[str, StrictStr] = Field(min_length=1, description="task data to add or replace")


class Instruct(BaseModel):
    model_config = FORBID
    action: Action


class TakeOver(BaseModel):
    model_config = FORBID
    result: dict[str, StrictStr] = Field(default_factory=dict, description="result data the person obtained")
    note: str = ""


class Pause(BaseModel):
    model_config = FORBID
    reason: str = ""


class Resume(BaseModel):
    model_config = FORBID


ReviewVerb = Literal["approve", "reject", "provide_input", "instruct", "take_over"]


class ReviewResponse(BaseModel):
    """A reviewer's answer, as the workflow keeps it."""

    verb: ReviewVerb
    reason: str = ""
    values: dict[str, str] = Field(default_factory=dict)
    action: Action | None = None
    result: dict[str, str] = Field(default_factory=dict)


class ReviewAck(BaseModel):
    """The immediate answer of a review update."""

    accepted: bool
    detail: str
