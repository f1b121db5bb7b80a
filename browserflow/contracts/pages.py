"""Pages as the decider sees them: the interactive elements and the compact snapshot kept in history."""

from __future__ import annotations

from pydantic import BaseModel, Field

from browserflow.contracts.faults import RecoveryAttempt

__all__ = ["Element", "Option", "PageSnapshot"]


class Option(BaseModel):
    value: str
    label: str
    selected: bool = False


class Element(BaseModel):
    """One visible interactive element of a page, as the decider sees it."""

    ref: str = Field(description="handle valid for this page state, e.g. 'e7'")
    selector: str = Field(description="durable Playwright selector, reusable on a later visit")
    tag: str
    role: str = ""
    name: str = Field(default="", description="accessible name")
    type: str = ""
    html_id: str = ""
    html_name: str = ""
    label: str = ""
    placeholder: str = ""
    autocomplete: str = ""
    value: str = Field(default="", description="current value; never filled for password fields")
    checked: bool | None = None
    required: bool = False
    disabled: bool = False
    options: list[Option] = Field(default_factory=list)
    href: str = ""
    context: str = Field(default="", description="nearby text: the table row, list item or fieldset legend")
    form: int | None = Field(default=None, description="index of the form the element belongs to")
    error: str = Field(default="", description="validation message shown for this field, if any")
    static: bool = Field(default=False, description="no interactive role: a short text or a pointer-cursor element")
    pointer: bool = Field(default=False, description="styled or wired to be clicked (cursor, onclick, tabindex)")
    dialog: bool = Field(default=False, description="inside a dialog, modal or popup")
    floating: bool = Field(
        default=False, description="in a box laid over the page (positioned absolute/fixed): a suggestion list, a menu"
    )
    readonly: bool = Field(default=False, description="a read-only field (a date picker's input, say)")
    expanded: bool | None = Field(default=None, description="aria-expanded, when the element has it")
    selected: bool | None = Field(default=None, description="aria-selected, when the element has it")


class PageSnapshot(BaseModel):
    """A compact picture of a page: what is needed to decide, small enough for workflow history."""

    url: str
    title: str = ""
    elements: list[Element] = Field(default_factory=list)
    text: str = Field(default="", description="excerpt of the visible text")
    state_hash: str = ""
    present_selectors: list[str] = Field(default_factory=list, description="probed selectors found")
    errors: list[str] = Field(default_factory=list, description="visible error messages (alerts, field errors)")
    status_code: int | None = None
    truncated: bool = False
    active: str = Field(default="", description="ref of the focused element, when it is listed")
    recoveries: list[RecoveryAttempt] = Field(
        default_factory=list, description="recovery attempts made while loading/taking this page (navigate, extract)"
    )
