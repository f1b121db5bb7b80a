"""Per-verb clause readers of the goal compiler: one clause (masked, verb known) -> draft intents.

Each reader gets the words after the verb and returns ``Draft`` objects (mutable; ``compiler.py`` turns them
into ``Intent`` models once the whole goal is read). A reader returns None when it cannot read its clause:
the clause then stays free text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from browserflow.plan.lexaffix import read_affix
from browserflow.plan.lexdraft import Ctx, Draft, with_transform
from browserflow.plan.lexgestures import menu_path, per_item, read_scroll
from browserflow.plan.lexicon import GENERIC_OBJECTS, match_verb
from browserflow.plan.lexorder import read_order
from browserflow.plan.lexquote import has_quote, strip_quotes
from browserflow.plan.lexrecords import (
    credential_fields,
    membership,
    read_note,
    read_route,
    read_status,
    take_create_phrases,
)
from browserflow.plan.lextravel import read_trip
from browserflow.plan.model import Constraint, ValueSpec, Verb
from browserflow.plan.phrases import (
    TargetParts,
    extract_transform,
    match_key,
    match_value,
    parse_target,
    parse_value,
    split_items,
    strip_articles,
)

__all__ = ["READERS", "Ctx", "Draft", "with_transform"]


Reader = Callable[[str, Ctx], list[Draft] | None]


_PRONOUN = re.compile(r"(?:it|that|this|them|those|these|(?:the|that|this)\s+(?:text|word|words|answer|result|value|number))", re.I)
_SUPERLATIVE = re.compile(r"\b(?:cheapest|lowest|highest|best|fastest|shortest|longest|earliest|latest|most|least)\b", re.I)
_FILL_PREPS = (r"into", r"in|inside|within|on|onto|under|using|with", r"to", r"as|for")


def _value_ok(phrase: str, ctx: Ctx) -> bool:
    spec, _ = parse_value(phrase, ctx.quotes, ctx.data)
    return spec is not None


def read_fill(rest: str, ctx: Ctx) -> list[Draft] | None:
    rest, transform, fmt = extract_transform(rest)
    reuse = bool(re.search(r"\b(?:into|in|to)\s+(?:both|all|each|every)\b|\btwice\b", rest, re.I))
    rest = re.sub(r"\s*\btwice\b", "", rest, flags=re.I).strip()
    rest = re.sub(r"\b(?:into|in|to)\s+(?:both|all|each|every)\s+(?:of\s+)?", "into ", rest, flags=re.I)
    affix = read_affix(rest, ctx)
    if affix is not None:
        return affix
    if re.search(r"\b(?:that|which)\s+(?:starts?|begins?|ends?|contains?|includes?|matches)\b", rest, re.I):
        return None  # a pattern, not a value: left to the model tiers
    note = read_note(rest, ctx) if ctx.phrase.lower() in ("write", "put", "enter") else None
    if note is not None:
        return note
    if ctx.phrase.lower() == "clear":
        t = parse_target(rest, ctx.quotes)
        if t.role == "checkbox":
            return [Draft("uncheck", target=t)]
        return [Draft("fill", target=t, value=ValueSpec(source="literal", literal=""))]
    value_part, target_part = rest, ""
    m = re.match(r"^(.+?)\s+with\s+(.+)$", rest, re.I)
    if ctx.phrase.lower().startswith("fill") and m:
        target_part, value_part = m.group(1), m.group(2)
    else:
        for preps in _FILL_PREPS:
            found = False
            for m in re.finditer(rf"\s+\b(?:{preps})\b\s+", rest, re.I):
                if _value_ok(rest[: m.start()], ctx) and rest[m.end() :].strip():
                    value_part, target_part, found = rest[: m.start()], rest[m.end() :], True
                    break
            if found:
                break
        if not found and re.search(r"\s\b(?:into|in)\b\s", rest, re.I) and not _value_ok(rest, ctx):
            return None  # 'type your answer into the textbox': a value the models must work out
    target = parse_target(target_part, ctx.quotes) if target_part else TargetParts()
    pairs = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", value_part) if p.strip()]
    if len(pairs) > 1 and (all(has_quote(p) and strip_articles(strip_quotes(p)) for p in pairs) or all(
            not has_quote(p) and match_key(p, ctx.data) for p in pairs)):
        out = []
        for p in pairs:
            spec, desc = parse_value(p, ctx.quotes, ctx.data)
            t = TargetParts(words=desc, role=target.role, container=target.container)
            out.append(Draft("fill", target=t, value=with_transform(spec, transform, fmt, reuse, desc)))
        return out
    if _PRONOUN.fullmatch(value_part.strip()):
        return None  # 'paste it into the textbox': the value comes from an earlier step the models must read
    spec, desc = parse_value(value_part, ctx.quotes, ctx.data, bare=True)
    if desc and not target.words:
        target.words = desc
    if spec is None and not target.words and not target.role:
        return None
    return [Draft("fill", target=target, value=with_transform(spec, transform, fmt, reuse, target.words))]


def read_select(rest: str, ctx: Ctx) -> list[Draft] | None:
    path = menu_path(rest)
    if path is not None:
        return path
    rest, transform, fmt = extract_transform(rest)
    if re.search(r"\b(?:similar\s+to|related\s+to|synonyms?\s+of|meaning)\b", rest, re.I):
        return None  # a semantic choice: left to the model tiers
    if re.fullmatch(r"nothing|none|no\s+(?:items?|options?|checkboxes|boxes)", rest.strip(), re.I):
        return [Draft("select", constraints=[Constraint(kind="nothing")])]
    value_part, target = rest, TargetParts()
    m = re.match(r"^(.+?)\s+(?:from|in|on|using|with|within|inside|under)\s+(.+)$", rest, re.I) or re.match(
        r"^(.+?)\s+as\s+(.+)$", rest, re.I)
    if m:
        value_part, target = m.group(1), parse_target(m.group(2), ctx.quotes)
    else:
        t = parse_target(rest, ctx.quotes)
        if t.role or t.ordinal is not None:
            target, value_part = TargetParts(role=t.role, ordinal=t.ordinal, container=t.container), t.words
            if t.exact:
                value_part = '"' + t.words + '"'
    if target.role == "checkbox" and not m:
        return [Draft("check", target=parse_target(rest, ctx.quotes))]
    items = split_items(value_part, ctx.quotes)
    if len(items) > 1:
        return [Draft("select", target=target, items=items)]
    if not value_part.strip():
        return [Draft("select", target=target)]
    spec, _ = parse_value(value_part, ctx.quotes, ctx.data, bare=True)
    return [Draft("select", target=target, value=with_transform(spec, transform, fmt, False, target.words))]


def read_check(rest: str, ctx: Ctx, verb: Verb) -> list[Draft] | None:
    m = re.match(r"^(.+?)\s+as\s+(.+)$", rest, re.I)
    if verb == "check" and ctx.phrase.lower() == "mark" and m:
        spec, _ = parse_value(m.group(2), ctx.quotes, ctx.data)
        return [Draft("edit", target=parse_target(m.group(1), ctx.quotes, records=True),
                      fields={"status": spec} if spec else {})]
    target = parse_target(rest, ctx.quotes)
    items = split_items(rest, ctx.quotes) if re.search(r",|\band\b|&", rest) else []
    if len(items) > 1:
        t = parse_target(re.split(r",|\band\b|&", rest)[0], ctx.quotes)
        role = "checkbox" if t.role in ("", "textbox") else t.role
        return [Draft(verb, target=TargetParts(role=role), items=[strip_articles(i) for i in items])]
    if target.role in ("", "textbox"):
        target.role = "checkbox"  # 'tick the box': a checkbox
    return [Draft(verb, target=target)]


def read_click(rest: str, ctx: Ctx) -> list[Draft] | None:
    rest = re.sub(r"^(?:on|at|onto|upon)\s+", "", rest, flags=re.I)
    path = menu_path(rest)
    if path is not None:
        return path
    if ctx.phrase.lower() in ("press", "hit", "tap") and re.fullmatch(r"(?:the\s+)?(?:enter|return)(?:\s+key)?", rest, re.I):
        return [Draft("submit", target=TargetParts(words="Enter"))]
    m = re.match(r"^(?:in|into|inside)\s+(.+)$", rest, re.I)
    if m:
        t = parse_target(m.group(1), ctx.quotes)
        if t.role in ("textbox", "searchbox", "textarea"):
            return [Draft("focus", target=t)]
    per = per_item(rest, ctx)
    if per is not None:
        return per
    purpose = re.search(r"\s+(?:in\s+order\s+)?to\s+(\S.*)$", rest, re.I)
    commit = False
    if purpose and match_verb(purpose.group(1)):
        verb = match_verb(purpose.group(1))
        commit = verb is not None and verb[0] in ("create", "edit", "delete", "submit", "confirm", "add_to", "login")
        rest = rest[: purpose.start()]
    return [Draft("click", target=parse_target(rest, ctx.quotes), commit=commit)]


def read_focus(rest: str, ctx: Ctx) -> list[Draft] | None:
    rest = re.sub(r"^(?:on|into|in|inside|onto)\s+", "", rest, flags=re.I)
    return [Draft("focus", target=parse_target(rest, ctx.quotes))]


def read_search(rest: str, ctx: Ctx) -> list[Draft] | None:
    rest = re.sub(r"^for\s+", "", rest, flags=re.I)
    target = TargetParts()
    m = re.match(r"^(.+?)\s+for\s+(.+)$", rest, re.I)
    if m and not has_quote(m.group(1)):
        target, rest = parse_target(m.group(1), ctx.quotes), m.group(2)
    else:
        m = re.match(r"^(.+?)\s+(?:in|on|using|within)\s+(.+)$", rest, re.I)
        if m:
            rest, target = m.group(1), parse_target(m.group(2), ctx.quotes)
    spec, _ = parse_value(rest, ctx.quotes, ctx.data, bare=True)
    if spec is None and rest:
        spec = ValueSpec(source="literal", literal=ctx.quotes.unmask(rest))
    return [Draft("search", target=target, value=spec)]


def field_list(phrase: str, ctx: Ctx) -> dict[str, ValueSpec]:
    """'priority urgent, the title "X" and {email}' -> {'priority': ..., 'title': ..., 'email': data email}."""
    out: dict[str, ValueSpec] = {}
    for seg in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", phrase.strip()):
        seg = strip_articles(seg.strip())
        if not seg:
            continue
        brace = re.fullmatch(r"(.*?)\s*\{\s*([A-Za-z0-9_.-]+)\s*\}", seg)
        if brace:
            name = strip_articles(brace.group(1)) or brace.group(2).replace("_", " ")
            out[name.lower()] = ValueSpec(source="data", key=brace.group(2))
            continue
        head, _, last = seg.rpartition(" ")
        vkey = match_value(last, ctx.data) if head and not has_quote(seg) else None
        if vkey is not None and strip_articles(head):  # 'priority urgent', 'the email address a@b.org'
            out[ctx.quotes.unmask(strip_articles(head)).lower()] = ValueSpec(source="data", key=vkey)
            continue
        key = match_key(seg, ctx.data)
        if key is not None and not has_quote(seg):
            out[re.sub(r"[{}]", "", seg).replace("_", " ").lower()] = ValueSpec(source="data", key=key)
            continue
        m = re.match(r"^(.+?)\s*(?:[:=]|\bof\b|\bas\b|\bset to\b|\bequal to\b)\s*(.+)$", seg, re.I)
        spec: ValueSpec | None
        if m:
            name, spec = m.group(1), parse_value(m.group(2), ctx.quotes, ctx.data, bare=True)[0]
        elif has_quote(seg):
            name, spec = strip_quotes(seg), ValueSpec(source="literal", literal=ctx.quotes.find(seg)[-1])
        elif len(seg.split()) > 1:
            name, val = seg.rsplit(" ", 1)
            spec = parse_value(val, ctx.quotes, ctx.data, bare=True)[0]
        else:
            continue
        if spec is not None and strip_articles(name) and not _SUPERLATIVE.search(seg):
            out[ctx.quotes.unmask(strip_articles(name)).lower()] = spec
    return out


_SIGNUP_OBJECTS = re.compile(r"^(?:(?:a|an|my|your|the)\s+)?(?:new\s+)?(?:account|user account|profile|yourself|me|)$", re.I)


def read_create(rest: str, ctx: Ctx) -> list[Draft] | None:
    phrase = ctx.phrase.lower()
    if phrase in ("order", "buy", "purchase"):
        ordered = read_order(rest, ctx)  # items of a menu, then the order button
        if ordered is not None:
            return ordered
    if phrase in ("add", "post", "leave"):
        special = read_note(rest, ctx) or (read_route(rest, ctx) if phrase == "add" else None)
        if special is not None:
            return special
    if phrase == "add":
        m = re.match(r"^(.+?)\s+(?:to|into)\s+(.+)$", rest, re.I)
        if m:
            return [membership("add_to", m.group(1), m.group(2), ctx)]
    trip = read_trip(rest, ctx) if phrase not in ("add", "post", "leave") else None
    if trip is not None:  # "book a flight from X to Y on D": the search form first, then the item
        made = read_create(trip[0], ctx)
        return [*trip[1], *made] if made else None
    signup = phrase in ("sign up", "enroll", "subscribe") or (
        phrase in ("register", "create", "make a new") and bool(_SIGNUP_OBJECTS.match(rest.strip())))
    rest = re.sub(r"^(?:(?:a|an|the)\s+)?new\s+", "", rest, flags=re.I)
    rest, fields = take_create_phrases(rest, ctx)
    m = re.search(r"\s+with\s+(.+)$", rest, re.I)
    if m:
        fields.update(field_list(m.group(1), ctx))
        rest = rest[: m.start()]
    entity = ""
    m = re.search(r"\s+(titled|entitled|called|named)\s+(.+)$", rest, re.I)
    if m:
        spec, _ = parse_value(m.group(2), ctx.quotes, ctx.data, bare=True)
        if spec is not None:
            fields = {("title" if "titled" in m.group(1).lower() else "name"): spec, **fields}
            entity = spec.literal or "" if spec.source == "literal" else ""
        rest = rest[: m.start()]
    words_part = rest
    m = re.match(r"^(.*?)\s*\bfor\s+(.+)$", rest, re.I)
    if m and m.group(1).split(" ", 1)[0].lower() in ("a", "an", "the", "my", "some"):
        words_part = m.group(1)
    elif m:
        words_part = m.group(2)
        if m.group(1).strip():
            entity = entity or ctx.quotes.unmask(strip_articles(m.group(1)))
    t = parse_target(words_part, ctx.quotes, records=True)
    named = bool(t.entity) and not entity and words_part is rest
    t.entity = entity or t.entity
    if signup and not t.words:
        t.words = ctx.phrase
    return [Draft("create", target=t, fields=fields, signup=signup, names_entity=named)]


_POSSESSIVE = re.compile(r"^(?:its|his|her|their)\s+", re.I)


def read_edit(rest: str, ctx: Ctx) -> list[Draft] | None:
    phrase = ctx.phrase.lower()
    status = read_status(rest, ctx)
    if status is not None or phrase in ("give", "grant", "revoke"):
        return status
    m = re.match(r"^(.+?)\s+(?:from\s+.+?\s+)?(?:to|as|=)\s+(.+)$", rest, re.I)
    if phrase in ("rename", "assign", "reassign"):
        if not m:
            return [Draft("edit", target=parse_target(rest, ctx.quotes, records=True))]
        spec, _ = parse_value(m.group(2), ctx.quotes, ctx.data, bare=True)
        name = "name" if phrase == "rename" else "assigned to"
        return [Draft("edit", target=parse_target(m.group(1), ctx.quotes, records=True),
                      fields={name: spec} if spec else {})]
    w = re.search(r"\s+with\s+(.+)$", rest, re.I)
    if not m and w:
        return [Draft("edit", target=parse_target(rest[: w.start()], ctx.quotes, records=True),
                      fields=field_list(w.group(1), ctx))]
    if not m:
        return [Draft("edit", target=parse_target(rest, ctx.quotes, records=True))]
    left, spec = m.group(1), parse_value(m.group(2), ctx.quotes, ctx.data, bare=True)[0]
    left = re.sub(r"^(?:the\s+)?value\s+of\s+", "", left, flags=re.I)
    own = _POSSESSIVE.match(left) or re.match(r"^my\s+", left, re.I)
    if own and not re.search(r"\s(?:of|for|on|in)\s|'s\s", left):
        name = ctx.quotes.unmask(left[own.end() :]).lower().strip()
        words = "my account" if own.group(0).lower().startswith("my") else ""
        d = Draft("edit", target=TargetParts(words=words), fields={name: spec} if spec and name else {}, refers=not words)
        d.value = with_transform(spec, None, None, False, name)
        return [d]
    f = re.match(r"^(.+?)\s+(?:of|for|on|in)\s+(.+)$", left, re.I) or None
    p = re.match(r"^(.+?)'s\s+(.+)$", left)
    if f:
        name, target = f.group(1), parse_target(f.group(2), ctx.quotes, records=True)
    elif p:
        name, target = p.group(2), parse_target(p.group(1), ctx.quotes, records=True)
    else:
        name = left
        target = parse_target(left, ctx.quotes)
    name = ctx.quotes.unmask(strip_articles(name)).lower().strip()
    d = Draft("edit", target=target, fields={name: spec} if spec and name else {})
    if spec is not None:
        d.value = with_transform(spec, None, None, False, name)
    return [d]


def read_delete(rest: str, ctx: Ctx) -> list[Draft] | None:
    m = re.match(r"^(.+?)\s+from\s+(.+)$", rest, re.I)
    status = read_status(rest, ctx) if ctx.phrase.lower() == "remove" else None
    if status is not None:
        return status
    if ctx.phrase.lower() == "remove" and m:
        return [membership("remove_from", m.group(1), m.group(2), ctx)]
    rel = re.search(r"\s+(?:that|which|who|whose|where)\s+.+$", rest, re.I)
    return [Draft("delete", target=parse_target(rest[: rel.start()] if rel else rest, ctx.quotes, records=True))]


def read_login(rest: str, ctx: Ctx) -> list[Draft] | None:
    fields: dict[str, ValueSpec] = {}
    m = re.search(r"\bwith\s+(.+)$", rest, re.I)
    if m:
        fields.update(field_list(m.group(1), ctx))
        rest = rest[: m.start()]
    m = re.search(r"\bas\s+(.+)$", rest, re.I)
    if m:
        spec, _ = parse_value(m.group(1), ctx.quotes, ctx.data, bare=True)
        if spec is not None:
            name = (spec.key or "username").replace("_", " ") if spec.source == "data" else "username"
            fields = {name: spec, **fields}
    return [Draft("login", fields=credential_fields(fields))]


_EXPANDABLE = re.compile(r"\b(?:sections?|menus?|submenus?|accordions?|panels?|dropdowns?|details|tree)$", re.I)


def read_navigate(rest: str, ctx: Ctx) -> list[Draft] | None:
    if ctx.phrase.lower() in ("go back", "reload", "refresh"):
        return [Draft("navigate", target=TargetParts(words=ctx.phrase.lower().replace("go ", "")))]
    rest = re.sub(r"^(?:to|through|into|up|me)\s+", "", rest, flags=re.I)
    t = parse_target(rest, ctx.quotes, records=True)
    if ctx.phrase.lower() == "open" and _EXPANDABLE.search(t.words):
        t.words = re.sub(r"(?<=\S)\s+(?:section|menu|panel|accordion)$", "", t.words, flags=re.I)
        return [Draft("expand", target=t)]
    t.words = re.sub(r"\s+(?:page|screen|view)$", "", t.words, flags=re.I)
    return [Draft("navigate", target=t)]


def read_simple(verb: Verb) -> Reader:
    def read(rest: str, ctx: Ctx) -> list[Draft] | None:
        by = re.search(r"\s*\bby\s+(?:clicking|pressing|tapping|hitting|selecting)\s+(?:on\s+)?(.+)$", rest, re.I)
        t = parse_target(by.group(1), ctx.quotes) if by else TargetParts()
        main = parse_target(rest[: by.start()] if by else rest, ctx.quotes)
        if by:
            t.container = t.container or (main.role if main.role == "dialog" else main.words or main.container)
        else:
            t = main
        if verb in ("submit", "confirm") and strip_articles(t.words).lower() in GENERIC_OBJECTS and not t.role:
            t.words = ctx.phrase
        if verb in ("expand", "hover") and not by:
            t.words = re.sub(r"(?<=\S)\s+(?:section|menu|panel|accordion)$", "", t.words, flags=re.I)
        if verb == "close" and t.words.lower() in ("window", "popup", "alert", "message", "banner", "notification"):
            t.role = t.role or "dialog"
        return [Draft(verb, target=t)]

    return read


READERS: dict[str, Reader] = {
    "fill": read_fill, "select": read_select, "click": read_click, "focus": read_focus, "search": read_search,
    "create": read_create, "edit": read_edit, "delete": read_delete, "login": read_login,
    "navigate": read_navigate,
    "check": lambda r, c: read_check(r, c, "check"), "uncheck": lambda r, c: read_check(r, c, "uncheck"),
    "submit": read_simple("submit"), "confirm": read_simple("confirm"), "expand": read_simple("expand"),
    "close": read_simple("close"), "hover": read_simple("hover"), "scroll": read_scroll,
}
