"""Goal signatures: the key under which a site's known path to a goal is cached.

The rule, applied to the goal text:

1. case-fold the goal and every task data value;
2. replace each data value that appears in the goal as whole words by ``{key}`` (longest values first, so
   a value inside a longer one does not split it): "Register Eden for the Tuesday evening swim class" with
   ``{student_name: "Eden", class_id: "Tuesday evening swim"}`` becomes
   "register {student_name} for the {class_id} class";
3. delete every digit outside the placeholders (dates, counts and ids vary from run to run);
4. turn punctuation into spaces and collapse whitespace.

A cached path is saved under the signature that abstracts only the data keys it *binds* (fills, selects,
ticks); a value that merely steered a choice (which table row's link to follow) stays literal, so a task
for another class does not replay this class's path. The signature is a hash of that template together
with the sorted data *keys*: two tasks share a cached path
exactly when they ask for the same thing with the same kinds of data, whatever the values. Secret references
(``env:NAME``) are never matched. Values never reach the signature or the database; only the template
(placeholders instead of values) is stored beside it for people to read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

__all__ = ["goal_signature", "goal_template"]

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")

DataArg = Mapping[str, str] | Iterable[str] | None


def _keys_and_values(data: DataArg) -> tuple[list[str], dict[str, str]]:
    if data is None:
        return [], {}
    if isinstance(data, Mapping):
        return sorted(data), {str(k): str(v) for k, v in data.items()}
    return sorted(set(data)), {}


def _clean(text: str) -> str:
    return _NON_WORD.sub(" ", _DIGITS.sub("", text))


def goal_template(goal: str, data: DataArg = None) -> str:
    """The normalised goal text (steps 1-4 of the module rule), with ``{key}`` where data values were."""
    _, values = _keys_and_values(data)
    # Segments of the goal: plain text (str) or an already placed placeholder (a 1-tuple).
    segments: list[str | tuple[str]] = [goal.casefold()]
    for key, value in sorted(values.items(), key=lambda kv: (-len(kv[1].strip()), kv[0])):
        needle = value.strip().casefold()
        if not needle or needle.startswith("env:"):
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
        placeholder = ("{" + key.casefold() + "}",)
        updated: list[str | tuple[str]] = []
        for segment in segments:
            if isinstance(segment, tuple):
                updated.append(segment)
                continue
            pieces = pattern.split(segment)
            for i, piece in enumerate(pieces):
                if i:
                    updated.append(placeholder)
                updated.append(piece)
        segments = updated
    text = " ".join(s[0] if isinstance(s, tuple) else _clean(s) for s in segments)
    return _SPACES.sub(" ", text).strip()


def goal_signature(goal: str, data: DataArg = None, bound: Iterable[str] | None = None) -> str:
    """A 32-hex-digit signature of ``goal`` with ``data`` (a mapping of key to value, or just the keys).

    ``bound``: the data keys a cached path actually *binds* (types, selects, ticks). Only their values are
    abstracted in the goal; any other value stays literal, because a path that chose a link by it (the
    "Tuesday evening swim" row) is only right for that value. ``None``: abstract every value.
    """
    keys, values = _keys_and_values(data)
    if bound is not None:
        wanted = set(bound)
        values = {k: v for k, v in values.items() if k in wanted}
    material = goal_template(goal, values or None) + "\n" + ",".join(keys)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
