"""Requests at the edge (issue 14): numbers are finite and never true/false, indicator selectors are CSS,
allowed hosts may carry a port, extract patterns are RE2. Each refusal names the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from browserflow.contracts import Approve, TaskRequest, allowed_host
from browserflow.css import css_selector_problem
from browserflow.errors import RequestInvalid
from client.sdk import parse_request

GOOD: dict[str, Any] = {"goal": "Register", "start_url": "http://127.0.0.1:8765/", "data": {"name": "Eden"}}

REFUSED = [
    ('"max_steps": true', "max_steps: must be a number, not true/false"),
    ('"priority": false', "priority: must be a number, not true/false"),
    ('"timeout": true', "timeout: must be a number, not true/false"),
    ('"budget_usd": Infinity', "budget_usd: Input should be a finite number"),
    ('"budget_usd": NaN', "budget_usd: Input should be a finite number"),
    ('"review_timeout": Infinity', "review_timeout: Input should be a finite number"),
    ('"park_after": -Infinity', "park_after: Input should be a finite number"),
    ('"timeout": NaN', "timeout: Input should be a finite number"),
    ('"budget_usd": "inf"', "budget_usd: Input should be a finite number"),
    ('"success": [{"selector": "div["}]', "success.0.selector: selector 'div[' is not a valid CSS"),
    ('"success": [{"selector": "#"}]', "expected an id after '#'"),
    ('"success": [{"selector": "a >"}]', "success.0.selector"),
    ('"allowed_domains": ["exa mple.com"]', "allowed_domains: allowed_domains entry 'exa mple.com'"),
    ('"allowed_domains": ["host:http"]', "is not a host name"),
    ('"extract": {"n": "(a)\\\\1"}', "extract pattern 'n' is not a valid regular expression: invalid escape"),
    ('"extract": {"n": "(?=x)y"}', "patterns run on RE2"),
]


@pytest.mark.parametrize(("fragment", "message"), REFUSED, ids=[f for f, _ in REFUSED])
def test_requests_as_a_caller_writes_them_are_refused_naming_the_field(fragment: str, message: str) -> None:
    text = json.dumps(GOOD)[:-1] + ", " + fragment + "}"  # Python's json reads Infinity and NaN, as the CLI does
    with pytest.raises(RequestInvalid) as info:
        parse_request(json.loads(text))
    assert message in info.value.message


def test_numbers_that_are_numbers_still_pass() -> None:
    req = parse_request({**GOOD, "max_steps": 5, "timeout": 30, "budget_usd": 0, "review_timeout": 1.5})
    assert (req.max_steps, req.timeout, req.budget_usd, req.review_timeout) == (5, 30.0, 0.0, 1.5)
    from_cli = parse_request({**GOOD, "max_steps": "7", "park_after": "2.5"})  # --set FIELD=VALUE gives strings
    assert (from_cli.max_steps, from_cli.park_after) == (7, 2.5)


def test_a_valid_request_survives_the_trip_to_the_worker() -> None:
    """What the SDK sends is what the worker decodes (Infinity used to turn into null on the way)."""
    req = parse_request({**GOOD, "review_timeout": 3600, "budget_usd": 0.5})
    again = TaskRequest.model_validate_json(req.model_dump_json())
    assert again == req


def test_allowed_hosts_keep_a_port_and_lose_a_scheme_or_path() -> None:
    req = parse_request({**GOOD, "allowed_domains": ["127.0.0.1:8765", "https://Pool.Example.com/x", "*.swim.test."]})
    assert req.allowed_domains == ["127.0.0.1:8765", "pool.example.com", "swim.test"]
    assert allowed_host("[::1]:8080") == "[::1]:8080"
    assert allowed_host("LocalHost:9000") == "localhost:9000"
    assert allowed_host("https://pool.example.com:8443/x") == "pool.example.com:8443"
    assert allowed_host(".example.org") == "example.org"


@pytest.mark.parametrize(
    "selector",
    [
        "#done",
        "div.confirmation > p",
        "a[href^='/x' i]",
        "ul li:nth-child(2n+1)",
        "div:not(.a, .b)",
        "section:has(> h2)",
        "p::before",
        "h1 + p ~ span",
        "#a\\:b",
        "div,span",
        "[lang|=en]",
        "svg|rect",
    ],
)
def test_valid_css_selectors_pass(selector: str) -> None:
    assert css_selector_problem(selector) is None
    assert parse_request({**GOOD, "success": [{"selector": selector}]}).indicators()[0].selector == selector


@pytest.mark.parametrize(
    "selector", ["div[", "..x", "#1abc", "> div", "a,,b", "div)", ":not(", "[x='y]", "a[href=]", "div > > p", "a,"]
)
def test_invalid_css_selectors_are_named(selector: str) -> None:
    assert css_selector_problem(selector)
    with pytest.raises(RequestInvalid, match=r"success\.0\.selector: .*not a valid CSS selector"):
        parse_request({**GOOD, "success": [{"selector": selector}]})


def test_review_verbs_refuse_non_finite_numbers_and_extra_keys() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Approve.model_validate({"note": "ok", "weight": 1})
    assert Approve.model_config.get("allow_inf_nan") is False
