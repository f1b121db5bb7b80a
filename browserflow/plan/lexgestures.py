"""Clause readers for gestures: menu paths (point, then click), scrolling, and a control on n of an author's
items. Split from ``lexverbs.py``; the same ``Draft`` contract."""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Ctx, Draft
from browserflow.plan.model import Constraint, ValueSpec
from browserflow.plan.phrases import TargetParts, parse_target

__all__ = ["menu_path", "per_item", "read_scroll"]


_PATH_SEP = re.compile(r"\s*(?:>|\u203a|\u2192|\u00bb)\s*")


def menu_path(rest: str) -> list[Draft] | None:
    """'Select File > Export > PDF': point at each entry on the way (a submenu opens under the pointer; a
    click there would choose the entry itself), then click the last one."""
    parts = [p.strip().strip("\"'\u201c\u201d") for p in _PATH_SEP.split(rest.strip().rstrip("."))]
    if len(parts) < 2 or any(not p or len(p.split()) > 4 for p in parts):
        return None
    return [Draft("hover", target=TargetParts(words=p, exact=True)) for p in parts[:-1]] + [
        Draft("click", target=TargetParts(words=parts[-1], exact=True))]


_SCROLL_TO = re.compile(r"^(.*?)\s*\b(?:(?:(?:all\s+)?the\s+way\s+)?(?:down|up)\s+)?(?:(?:to|until)\s+)?(?:the\s+)?(?:very\s+)?"
                        r"(?:bottom|top|end|start|beginning)\b(?:\s+of\s+(.+))?$", re.I)
_RUN_ON = re.compile(r"\s+(?:and\s+|then\s+)?((?:hit|press|click|tap)\s+(?:on\s+)?\S.*)$", re.I)


def read_scroll(rest: str, ctx: Ctx) -> list[Draft] | None:
    """'scroll to the bottom of the textarea', 'scroll the textarea to the top', 'scroll down', 'scroll
    through the terms': where to (the value: bottom or top) and what (the target; none is the page). A press
    run on without a comma ('... to the bottom of the text hit submit') is a clause of its own."""
    tail: list[Draft] = []
    run_on = _RUN_ON.search(rest)
    if run_on:
        from browserflow.plan.lexverbs import read_click  # the press reader (it reads menu paths too)

        tail = read_click(re.sub(r"^\S+\s+", "", run_on.group(1)), ctx) or []
        rest = rest[: run_on.start()]
    where = "top" if re.search(r"\b(?:top|up|start|beginning)\b", f"{ctx.phrase} {rest}", re.I) else "bottom"
    to = _SCROLL_TO.match(rest.strip())
    if to:  # 'the textarea to the bottom of the text': the box is named before; after 'of', its content
        what = to.group(1).strip() or (to.group(2) or "").strip()
    else:
        what = re.sub(r"^(?:(?:(?:all\s+)?the\s+)?way\s+)?(?:down|up)?\s*(?:(?:in|inside|within)\s+)?", "",
                      rest.strip(), flags=re.I).strip()
    t = parse_target(what, ctx.quotes) if what else TargetParts()
    if t.words.lower() in ("page", "the page", "window", "screen"):
        t = TargetParts()
    return [Draft("scroll", target=t, value=ValueSpec(source="literal", literal=where)), *tail]


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10}
_PER_ITEM = re.compile(
    r"\s+(?:on|in|for|of|under)\s+(all|every|each|\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:of\s+(?:the\s+)?)?"
    r"(posts?|items?|entries|entry|rows?|cards?|messages?|comments?|tweets?|results?|photos?|videos?|articles?)"
    r"\s+(?:by|from|of|posted\s+by|written\s+by|for)\s+(\S.*)$", re.I)


def per_item(rest: str, ctx: Ctx) -> list[Draft] | None:
    """'the Reply button on 2 posts by @dis': that control in as many of the author's items (or all)."""
    per = _PER_ITEM.search(rest)
    if per is None:
        return None
    t = parse_target(rest[: per.start()], ctx.quotes)
    t.container = per.group(3).strip()
    n = per.group(1).lower()
    many = Constraint(kind="all") if n in ("all", "every", "each") else Constraint(kind="count", text=str(
        int(n) if n.isdigit() else _NUMBER_WORDS[n]))
    return [Draft("click", target=t, constraints=[many])]
