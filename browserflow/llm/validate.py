"""Turning a model's answer into contract ``Action``s, refusing anything unsafe or meaningless.

The model answers with element indexes; this module maps each to the snapshot element's ref, selector and
label and checks:

- the index exists, the element is enabled, and the kind fits the element (no ``fill`` on a link);
- ``navigate`` (and clicks on links) stay within the task's allowed domains: page text is untrusted, so a
  page asking to "go to evil.example" must not get its way;
- ``fill``/``select`` with a ``data_key`` take ``inp.data[data_key]`` verbatim (possibly an ``env:`` secret
  reference, which is never resolved here); a model may not invent a secret reference of its own;
- ``select`` values name one of the element's options.

Every refusal raises ``InvalidAnswer`` (recorded by the router as an ``invalid`` attempt), never anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from browserflow.contracts import Action, DecideInput, Element
from browserflow.llm.base import InvalidAnswer
from browserflow.llm.elements import (
    absolute_url,
    allowed_hosts,
    display_name,
    element_kind,
    host_allowed,
    is_secret_value,
)
from browserflow.llm.schema import LLMAction, LLMAnswer

__all__ = ["answer_to_actions", "parse_answer", "repeated_failure", "same_action"]

_KEY = re.compile(r"^[A-Za-z0-9]+(\+[A-Za-z0-9]+)*$")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)
_IRREVERSIBLE = re.compile(
    r"\b(submit|pay|payment|purchase|buy|order|checkout|confirm|delete|remove|register|registration|sign\s*up|"
    r"book|booking|send|place|enrol|enroll|subscribe|transfer|donate|complete)\b",
    re.I,
)


def _wording_irreversible(*texts: str) -> bool:
    try:  # the rules tier's wording list, so both tiers mark the same buttons
        from browserflow.rules import is_irreversible
    except ImportError:  # pragma: no cover - the rules package is part of browserflow
        return any(_IRREVERSIBLE.search(t) for t in texts if t)
    return bool(is_irreversible(*texts))


def parse_answer(raw: str | Mapping[str, Any] | None) -> LLMAnswer:
    """Parse a model's answer (JSON text or an already-decoded object) into ``LLMAnswer``."""
    if raw is None:
        raise InvalidAnswer("empty answer")
    data: Any = raw
    if isinstance(raw, str):
        text = raw.strip()
        fenced = _FENCE.match(text)
        if fenced:
            text = fenced.group(1)
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            start, end = text.find("{"), text.rfind("}")
            try:
                if start < 0 or end <= start:
                    raise ValueError("no JSON object") from None
                data = json.loads(text[start : end + 1])
            except ValueError:
                raise InvalidAnswer(f"answer is not JSON: {text[:120]!r}") from None
    if not isinstance(data, Mapping):
        raise InvalidAnswer(f"answer is not a JSON object but {type(data).__name__}")
    try:
        return LLMAnswer.model_validate(dict(data))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:4])
        raise InvalidAnswer(f"answer does not match the schema: {problems}") from None


def _element(index: int | None, inp: DecideInput, kind: str) -> Element:
    if index is None:
        raise InvalidAnswer(f"{kind} needs an element index")
    elements = inp.snapshot.elements
    if not 0 <= index < len(elements):
        raise InvalidAnswer(f"{kind} on unknown element [{index}] (the page has {len(elements)})")
    el = elements[index]
    if el.disabled:
        raise InvalidAnswer(f"{kind} on disabled element [{index}] {display_name(el)!r}")
    return el


def _value_from(act: LLMAction, inp: DecideInput, index: int | None) -> tuple[str, str | None]:
    """The value to type/select and the data key it came from."""
    if act.data_key:
        if act.data_key not in inp.data:
            raise InvalidAnswer(f"{act.kind} [{index}] uses unknown data key {act.data_key!r}")
        return inp.data[act.data_key], act.data_key
    if act.value is None:
        raise InvalidAnswer(f"{act.kind} [{index}] gives neither a value nor a data_key")
    # a value that is exactly one of the task's values is that value (keeps paths parametrised by data keys)
    for key, value in inp.data.items():
        if value and value == act.value:
            return value, key
    if is_secret_value(act.value):
        raise InvalidAnswer(f"{act.kind} [{index}] proposes the secret reference {act.value!r}, not from task data")
    return act.value, None


def _irreversible(el: Element) -> bool:
    """A button whose wording says submit / pay / delete...: executed at most once."""
    if element_kind(el) != "button":
        return False
    words = [t.replace("_", " ").replace("-", " ") for t in (el.name, el.label, el.value, el.html_name, el.html_id)]
    return _wording_irreversible(*words)


def _one(act: LLMAction, inp: DecideInput, hosts: list[str]) -> Action:
    kind = act.kind
    page_url = inp.snapshot.url
    if kind == "navigate":
        target = act.value
        label = ""
        if not target and act.element is not None:
            el = _element(act.element, inp, kind)
            target, label = el.href, display_name(el)
        if not target:
            raise InvalidAnswer("navigate without a URL")
        url = absolute_url(target, page_url)
        if not host_allowed(url, hosts):
            raise InvalidAnswer(f"navigate to {url!r} refused: outside the allowed domains ({', '.join(hosts)})")
        return Action(kind="navigate", value=url, label=label)

    el = _element(act.element, inp, kind)
    ek = element_kind(el)
    name = display_name(el)
    base: dict[str, Any] = {"kind": kind, "ref": el.ref, "selector": el.selector, "label": name}

    if kind == "click":
        if ek == "link" and el.href and not el.href.strip().lower().startswith(("#", "javascript:")):
            url = absolute_url(el.href, page_url)
            if not host_allowed(url, hosts):
                raise InvalidAnswer(f"click on [{act.element}] {name!r} refused: it leads outside the allowed domains")
        return Action(**base, irreversible=_irreversible(el))
    if kind == "fill":
        if ek != "textbox":
            raise InvalidAnswer(f"fill on [{act.element}] {name!r}, which is a {ek}, not a text field")
        value, key = _value_from(act, inp, act.element)
        return Action(**base, value=value, data_key=key)
    if kind == "select":
        if ek != "select":
            raise InvalidAnswer(f"select on [{act.element}] {name!r}, which is a {ek}, not a drop-down")
        value, key = _value_from(act, inp, act.element)
        if el.options and not is_secret_value(value):
            wanted = value.strip().casefold()
            if not any(wanted in {o.value.strip().casefold(), o.label.strip().casefold()} for o in el.options):
                raise InvalidAnswer(f"select [{act.element}] {name!r}: no option {value!r}")
        return Action(**base, value=value, data_key=key)
    if kind in {"check", "uncheck"}:
        if ek not in {"checkbox", "radio"} or (kind == "uncheck" and ek == "radio"):
            raise InvalidAnswer(f"{kind} on [{act.element}] {name!r}, which is a {ek}")
        return Action(**base)
    # press
    key_name = (act.value or "Enter").strip()
    if not _KEY.match(key_name) or len(key_name) > 40:
        raise InvalidAnswer(f"press [{act.element}]: {key_name!r} is not a key name")
    return Action(**base, value=key_name)


def answer_to_actions(answer: LLMAnswer, inp: DecideInput) -> list[Action]:
    """The contract actions for a parsed answer; raises ``InvalidAnswer`` on the first unusable action."""
    hosts = allowed_hosts(inp)
    return [_one(act, inp, hosts) for act in answer.actions]


def same_action(a: Action, b: Action) -> bool:
    """Do two actions do the same thing to the same target (on the same page)?"""
    if a.kind != b.kind:
        return False
    if a.kind in {"navigate", "press", "select", "fill"} and (a.value or "") != (b.value or ""):
        return False
    if a.kind == "navigate":
        return True
    if a.selector and b.selector:
        return a.selector == b.selector
    if a.ref and b.ref:
        return a.ref == b.ref
    return bool(a.label) and a.label == b.label


def repeated_failure(actions: Sequence[Action], failed: Sequence[Action]) -> Action | None:
    """The first proposed action that already failed on this page, if any."""
    for action in actions:
        for bad in failed:
            if same_action(action, bad):
                return action
    return None
