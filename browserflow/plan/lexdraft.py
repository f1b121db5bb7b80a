"""The goal compiler's working types: the reading context of one clause and the mutable draft of an intent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from browserflow.plan.lexquote import Quotes
from browserflow.plan.model import Condition, Constraint, Transform, ValueSpec, Verb
from browserflow.plan.phrases import TargetParts, looks_date, looks_time

__all__ = ["Ctx", "Draft", "with_transform"]


@dataclass
class Ctx:
    quotes: Quotes
    data: Mapping[str, str]
    phrase: str = ""  # the verb as written ("Fill in", "press", "sign up")
    container: str = ""  # a sentence-level container ("For the user @bob, ...")


@dataclass
class Draft:
    verb: Verb
    target: TargetParts = field(default_factory=TargetParts)
    value: ValueSpec | None = None
    fields: dict[str, ValueSpec] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    signup: bool = False
    commit: bool = False  # a click whose stated purpose is a write ('click the trash icon to delete it')
    text: str = ""
    refers: bool = False  # 'set its status': about the record an earlier clause found ('its', 'his', 'that issue')
    noun: str = ""
    when: Condition | None = None  # act once when this holds on the page ('buy X when the price is below $5')
    until: Condition | None = None  # act again until this holds ('click Roll until the number is odd')
    names_entity: bool = False  # a create that names its record after the noun ('a user "erin"')  # the record noun a search looks for ('find the issue about X': 'issue')


def with_transform(spec: ValueSpec | None, transform: Transform | None, fmt: str | None, reuse: bool,
                    target_words: str) -> ValueSpec | None:
    if spec is None:
        return None
    if transform is None:
        probe = (spec.literal or "") if spec.source == "literal" else (spec.key or "")
        words = (target_words + " " + (spec.key or "")).lower()
        if (spec.source == "literal" and looks_time(probe)) or re.search(r"\btime\b", words):
            transform = "time"
        elif (spec.source == "literal" and looks_date(probe)) or re.search(r"\b(?:date|dob|birth|birthday)\b", words.replace("_", " ")):
            transform = "date"
    if transform is None and fmt is None and not reuse:
        return spec
    return spec.model_copy(update={"transform": transform, "format": fmt, "reuse": reuse or spec.reuse})
