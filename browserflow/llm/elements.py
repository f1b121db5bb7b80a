"""Small helpers shared by the prompt builder and the answer validator: what an element is, what is secret,
which hosts are allowed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal
from urllib.parse import urljoin, urlsplit

from browserflow import secrets
from browserflow.contracts import DecideInput, Element

__all__ = [
    "ElementKind",
    "absolute_url",
    "allowed_hosts",
    "display_name",
    "element_kind",
    "host_allowed",
    "is_secret_key",
    "is_secret_value",
    "non_secret_items",
    "secret_targets",
    "sensitive_element",
]

ElementKind = Literal["link", "button", "textbox", "checkbox", "radio", "select", "file", "other"]

_TEXT_TYPES = {
    "",
    "text",
    "email",
    "password",
    "search",
    "tel",
    "url",
    "number",
    "date",
    "datetime-local",
    "month",
    "week",
    "time",
}
_BUTTON_TYPES = {"submit", "button", "reset", "image"}

_SECRET_AUTOCOMPLETE = {"current-password", "new-password", "one-time-code", "cc-number", "cc-csc"}


def is_secret_key(key: str | None) -> bool:
    """Does a data key / field name look like it holds a secret? (``browserflow.secrets.SENSITIVE_KEY``)"""
    return secrets.is_sensitive_key(key)


def is_secret_value(value: str | None) -> bool:
    """Is a value a secret reference (``env:NAME`` or another registered scheme)?"""
    if not value:
        return False
    return value.startswith("env:") or secrets.is_secret_ref(value)


def element_kind(el: Element) -> ElementKind:
    tag = el.tag.lower()
    role = el.role.lower()
    typ = el.type.lower()
    if tag == "input":
        if typ == "checkbox":
            return "checkbox"
        if typ == "radio":
            return "radio"
        if typ in _BUTTON_TYPES:
            return "button"
        if typ == "file":
            return "file"
        if typ == "hidden":
            return "other"
        return (
            "textbox" if typ in _TEXT_TYPES or role in {"textbox", "searchbox", "spinbutton", "combobox"} else "other"
        )
    if tag == "textarea":
        return "textbox"
    if tag == "select":
        return "select"
    if tag == "button":
        return "button"
    if tag == "a" and (el.href or role in {"", "link"}):
        return "link"
    if role in {"checkbox", "switch"}:
        return "checkbox"
    if role == "radio":
        return "radio"
    if role in {"textbox", "searchbox"}:
        return "textbox"
    if role in {"listbox", "combobox"}:
        return "select"
    if role in {"button", "menuitem", "tab", "option"}:
        return "button"
    if role == "link":
        return "link"
    return "other"


def display_name(el: Element) -> str:
    """The best human-readable name of an element."""
    for candidate in (el.name, el.label, el.placeholder, el.html_name, el.html_id):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return ""


def sensitive_element(el: Element) -> bool:
    """A field whose current value must never be shown to a model."""
    if el.type.lower() == "password" or el.autocomplete.lower() in _SECRET_AUTOCOMPLETE:
        return True
    return any(is_secret_key(n) for n in (el.html_name, el.html_id, el.label, el.name, el.placeholder))


def secret_targets(inp: DecideInput) -> set[str]:
    """Selectors and refs of fields earlier steps typed a secret into (their values are masked in prompts)."""
    found: set[str] = set()
    for step in inp.history:
        for action in step.actions:
            if action.kind not in {"fill", "select"}:
                continue
            data_value = inp.data.get(action.data_key) if action.data_key else None
            if is_secret_value(action.value) or is_secret_key(action.data_key) or is_secret_value(data_value):
                found.update(t for t in (action.selector, action.ref) if t)
    return found


def allowed_hosts(inp: DecideInput) -> list[str]:
    """The hosts navigation may reach: the task's allowed domains, else the current page's host."""
    hosts = [d.strip().lower().rstrip(".") for d in inp.allowed_domains if d.strip()]
    if hosts:
        return hosts
    current = urlsplit(inp.snapshot.url).hostname
    return [current.lower()] if current else []


def host_allowed(url: str, hosts: Iterable[str]) -> bool:
    """Is ``url`` http(s) with a host equal to (or under) one of ``hosts``? Same rule as the browser actor."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return False
    host = parts.hostname.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in hosts)


def absolute_url(href: str, base: str) -> str:
    return urljoin(base, href.strip()) if base else href.strip()


def non_secret_items(data: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """Task data as (key, value) with ``None`` for values that must not be shown."""
    return [(k, None if is_secret_key(k) or is_secret_value(v) else v) for k, v in data.items()]
