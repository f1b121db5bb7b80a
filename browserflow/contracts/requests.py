"""What callers send: the task request, its success indicators, and the strict numbers and forbid-extra
config every caller-facing model uses (unknown fields and non-finite numbers are an error)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    field_validator,
    model_validator,
)

from browserflow.contracts.urls import allowed_host, check_http_url, site_of
from browserflow.css import css_selector_problem
from browserflow.patterns import check_pattern

__all__ = ["FORBID", "Count", "Number", "ReviewPolicy", "SuccessIndicator", "TaskRequest"]

# what callers and operators send (requests, review verbs): unknown fields are an error, and so are non-finite
# numbers (Infinity, NaN: JSON cannot carry them to the worker)
FORBID = ConfigDict(extra="forbid", allow_inf_nan=False)


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true/false is not a number (pydantic would take true as 1)
        raise ValueError("must be a number, not true/false")
    return value


# numbers a caller gives: never true/false, and finite (Infinity and NaN are refused; "10" from --set is fine)
Count = Annotated[int, BeforeValidator(_not_a_bool)]
Number = Annotated[float, BeforeValidator(_not_a_bool), AllowInfNan(False)]
_DATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


ReviewPolicy = Literal["never", "on_escalation", "before_irreversible", "always"]


class SuccessIndicator(BaseModel):
    """One way to tell the goal is reached. Exactly one of the three fields is set."""

    model_config = FORBID

    text: str | None = Field(default=None, min_length=1, description="text visible on the page")
    url_contains: str | None = Field(default=None, min_length=1, description="substring of the page URL")
    selector: str | None = Field(default=None, min_length=1, description="CSS selector present on the page")

    @field_validator("selector")
    @classmethod
    def _selector_css(cls, v: str | None) -> str | None:
        problem = css_selector_problem(v) if v is not None else None
        if problem:
            raise ValueError(f"selector {v!r} is not a valid CSS selector: {problem}")
        return v

    @model_validator(mode="after")
    def _exactly_one(self) -> SuccessIndicator:
        given = [n for n in ("text", "url_contains", "selector") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("a success indicator sets exactly one of text, url_contains, selector")
        return self

    def describe(self) -> str:
        if self.text is not None:
            return f"text {self.text!r} visible"
        if self.url_contains is not None:
            return f"url contains {self.url_contains!r}"
        return f"selector {self.selector!r} present"


class TaskRequest(BaseModel):
    """What a caller hands the engine. Unknown fields are an error."""

    model_config = FORBID

    goal: str = Field(min_length=1, max_length=2000, description="what the task must achieve, in words")
    start_url: str = Field(description="http(s) URL the browser opens first")
    data: dict[str, StrictStr] = Field(
        default_factory=dict, description="task data; values of the form env:NAME are secret references"
    )
    success_text: str | None = Field(default=None, min_length=1, description="shorthand for one text indicator")
    success: list[SuccessIndicator] = Field(default_factory=list)
    extract: dict[str, str] = Field(default_factory=dict, description="result name -> regular expression")
    max_steps: Count = Field(default=20, ge=1, le=200)
    timeout: Number = Field(default=600.0, gt=0, le=7 * 24 * 3600, description="seconds for the whole task")
    priority: Count = Field(default=5, ge=1, le=10, description="1 (lowest) .. 10 (highest)")
    request_id: str | None = Field(default=None, description="caller's id; makes submission idempotent")
    allowed_domains: list[str] = Field(
        default_factory=list, description="hosts navigation may reach; default: the start URL's host"
    )
    budget_usd: Number | None = Field(default=None, ge=0, description="AI spend cap; default BROWSERFLOW_BUDGET_USD")
    use_cache: bool = Field(default=True, description="replay a cached path for this site and goal when one exists")
    deep_links: bool = Field(
        default=True,
        description="a replay may load the page a cached path's leading link-following steps lead to directly",
    )
    review_policy: ReviewPolicy = Field(default="on_escalation", description="when a person is asked")
    review_timeout: Number = Field(default=24 * 3600, gt=0, description="seconds to wait for a reviewer")
    review_timeout_action: Literal["fail", "approve"] = Field(
        default="fail", description="after the timeout: fail (review_timeout), or approve a reversible action"
    )
    park_after: Number = Field(default=60.0, ge=0, description="seconds of waiting before the browser is parked")
    callback_url: str | None = Field(
        default=None, description="http(s) URL the engine POSTs the result and review events to (signed)"
    )

    @field_validator("goal")
    @classmethod
    def _goal_not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("goal must not be empty")
        return v

    @field_validator("start_url")
    @classmethod
    def _start_url_http(cls, v: str) -> str:
        return check_http_url(v, "start_url")

    @field_validator("callback_url")
    @classmethod
    def _callback_url_http(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = check_http_url(v, "callback_url")
        parts = urlsplit(v)
        try:
            parts.port  # noqa: B018 - raises for a port that is not a number
        except ValueError:
            raise ValueError("callback_url has a port that is not a number") from None
        if "@" in parts.netloc:
            raise ValueError("callback_url must not carry credentials (user:password@); sign with the shared secret")
        return v

    @field_validator("data")
    @classmethod
    def _data_keys(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if not _DATA_KEY.match(key):
                raise ValueError(f"data key {key!r} must be an identifier (letters, digits, _ . -)")
        return v

    @field_validator("extract")
    @classmethod
    def _patterns_compile(cls, v: dict[str, str]) -> dict[str, str]:
        for name, pattern in v.items():
            check_pattern(name, pattern)  # RE2 syntax (linear-time matching): browserflow/patterns.py
        return v

    @field_validator("allowed_domains")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        return [allowed_host(entry) for entry in v]

    @field_validator("request_id")
    @classmethod
    def _request_id_shape(cls, v: str | None) -> str | None:
        if v is not None and not _REQUEST_ID.match(v):
            raise ValueError("request_id must be 1-128 characters of letters, digits and . _ : -")
        return v

    @property
    def site(self) -> str:
        return site_of(self.start_url)

    def indicators(self) -> list[SuccessIndicator]:
        """All success indicators, the success_text shorthand included."""
        found = list(self.success)
        if self.success_text:
            found.insert(0, SuccessIndicator(text=self.success_text))
        return found

    def domains(self) -> list[str]:
        """Hosts navigation may reach (the start URL's host when none were given)."""
        hosts = [d.lower() for d in self.allowed_domains] or [urlsplit(self.start_url).hostname or ""]
        return hosts
