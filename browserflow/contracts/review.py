"""People in the loop: what a reviewer is asked, the reviewer's verbs (each a signal and an update; unknown
fields are an error), the answer the workflow keeps, and the update's acknowledgement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictStr

from browserflow.contracts.actions import Action
from browserflow.contracts.pages import Element
from browserflow.contracts.requests import FORBID

__all__ = [
    "Approve",
    "Instruct",
    "Pause",
    "ProvideInput",
    "Reject",
    "Resume",
    "ReviewAck",
    "ReviewElement",
    "ReviewRequest",
    "ReviewResponse",
    "ReviewVerb",
    "TakeOver",
    "review_elements",
]

REVIEW_ELEMENTS = 60
_NAME_CHARS = 80
_CLICKED_TYPES = {"button", "submit", "reset", "image", "checkbox", "radio", "file"}


class ReviewElement(BaseModel):
    """An element of the page under review a person may pick as an instruction's target: its role, accessible
    name and durable selector, never a value."""

    role: str
    name: str = ""
    selector: str

    def describe(self) -> str:
        return f"{self.role} '{self.name}'" if self.name else self.role


def review_elements(
    elements: Sequence[Element], hide: Iterable[str] = (), limit: int = REVIEW_ELEMENTS
) -> list[ReviewElement]:
    """The first ``limit`` enabled interactive elements of a snapshot, compactly. No value is carried: a name
    that holds the field's own value, or any of the ``hide`` strings (the task's data values), is left out, and
    so is a selector holding one (a value-based selector would show it)."""
    hidden = [text.casefold() for text in hide if len(text.strip()) >= 3 and not text.startswith("env:")]

    def shows(text: str) -> bool:
        folded = text.casefold()
        return any(value in folded for value in hidden)

    picked: list[ReviewElement] = []
    for element in elements:
        if element.static or element.disabled or not element.selector or shows(element.selector):
            continue
        typed = element.tag in {"input", "textarea"} and element.type not in _CLICKED_TYPES
        name = element.name or element.label or element.placeholder
        if typed and element.value and element.value.casefold() in name.casefold():
            name = element.label if element.value.casefold() not in element.label.casefold() else ""
        if shows(name) or (element.type == "password" and element.value):
            name = ""
        name = " ".join(name.split())
        role = element.role or element.tag
        picked.append(ReviewElement(role=role, name=name[:_NAME_CHARS], selector=element.selector))
        if len(picked) >= limit:
            break
    return picked


class ReviewRequest(BaseModel):
    """What a reviewer is asked to decide. The screenshot is a file on the worker, never in history."""

    reason: str
    detail: str = ""
    step: int
    url: str
    proposed: list[Action] = Field(default_factory=list)
    screenshot: str = ""
    requested_at: datetime
    elements: list[ReviewElement] = Field(
        default_factory=list, description="the page's interactive elements (no values): an instruction's targets"
    )


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
