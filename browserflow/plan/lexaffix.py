"""A value known by how it starts and ends: 'an item that starts with "An" and ends with "ca" (into the tags
box)'. The start is typed; the suggestion of the field's list that fits both ends is picked (``suggest.py``).
"""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Ctx, Draft
from browserflow.plan.lexicon import GENERIC_OBJECTS
from browserflow.plan.model import ValueSpec
from browserflow.plan.phrases import TargetParts, parse_target

__all__ = ["read_affix"]

_Q = "\ue000\\d+\ue001"
_AFFIX = re.compile(
    rf"^(?:(?:a|an|the|one|any|some)\s+)?(?P<noun>[\w-]+(?:\s+[\w-]+){{0,2}}?)?\s*(?:that|which)\s+"
    rf"(?:starts?|begins?)\s+with\s+(?P<p>{_Q})(?:\s*,?\s*and\s+(?:that\s+|which\s+)?ends?\s+with\s+(?P<s>{_Q}))?"
    r"(?:\s+(?:into|in|inside)\s+(?P<t>.+?))?\s*$",
    re.I,
)


def read_affix(rest: str, ctx: Ctx) -> list[Draft] | None:
    """'an item that starts with "An" and ends with "ca" (into the tags box)': the value is known by how it
    starts (typed) and ends (the suggestion of an autocomplete list that fits is picked)."""
    m = _AFFIX.match(rest.strip())
    if m is None:
        return None
    start = ctx.quotes.find(m.group("p"))[0]
    end = ctx.quotes.find(m.group("s"))[0] if m.group("s") else None
    if not start:
        return None
    target = parse_target(m.group("t"), ctx.quotes) if m.group("t") else TargetParts()
    noun = (m.group("noun") or "").strip()
    if not target.words and noun.lower() not in GENERIC_OBJECTS | {"item", "value", "entry", "word", "one", "text"}:
        target.words = noun
    spec = ValueSpec(source="literal", literal=start, prefix=True, suffix=end or None)
    return [Draft("fill", target=target, value=spec)]
