"""Record readers of the goal compiler: the everyday phrasings of application goals about records.

'find the issue about X' (a search whose record later clauses call 'its' / 'his'), 'add a comment "X" to the
issue Y' (writing a field of Y), membership ('add the user carol to the Editors group', 'to the nosy list of the
issue X'), status words ('deactivate the user bob', 'give dave staff status', 'make dave an admin'), the field
phrases of a create ('at the URL /x/', 'on the example.com site', 'a redirect from A to B') and the name of the
record a create names ('a user "erin"'). Generic English only; task data values are named by key, never copied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from browserflow.plan.lexdraft import Ctx, Draft
from browserflow.plan.lexquote import has_quote
from browserflow.plan.model import ValueSpec
from browserflow.plan.phrases import TargetParts, parse_target, parse_value, record_entity, strip_articles

__all__ = [
    "credential_fields",
    "entity_field",
    "membership",
    "read_find",
    "read_note",
    "read_route",
    "read_status",
    "take_create_phrases",
]

_DET = r"(?:the|a|an|any|some)"
_FIND = re.compile(
    rf"^(?:find|locate|look\s+up|look\s+for|search\s+for)\s+{_DET}\s+(\w+(?:\s+\w+)?)\s+"
    r"(?:(?:that\s+is\s+)?(?:about|regarding|concerning|mentioning|titled|named|called|containing|matching)\s+(.+)|"
    r"(?:whose|where\s+(?:the|its|their|his|her))\s+(.+?)\s+(?:is|equals|contains|matches|reads)\s+(.+))$",
    re.I,
)


def read_find(clause: str, ctx: Ctx) -> list[Draft] | None:
    """'Find the issue about CSV export' / 'find the user whose email address is X' -> a search for the value,
    remembering the record noun for a later 'its' / 'his'; None for any other 'find'."""
    m = _FIND.match(clause.strip())
    if m is None:
        return None
    noun, value = m.group(1), m.group(2) or m.group(4)
    value = value.strip().strip(",")
    qs = ctx.quotes.find(value)
    literal = qs[0] if qs and ctx.quotes.only(value) is not None else ctx.quotes.unmask(value)
    if not literal:
        return None
    return [Draft("search", value=ValueSpec(source="literal", literal=literal), noun=noun.lower())]


_NOTE_NOUNS = r"comment|note|message|reply|remark|response|update|annotation"
_NOTE = re.compile(rf"^(?:(?:a|an|the|my|new)\s+)*({_NOTE_NOUNS})\s+(.+?)\s+(?:to|on|onto|for|under|in)\s+(.+)$", re.I)
_NOTE_SAYING = re.compile(rf"^(?:(?:a|an|the|my|new)\s+)*({_NOTE_NOUNS})\s+(?:to|on|onto|for|under|in)\s+(.+?)\s+"
                          r"(?:saying|that\s+says|reading|with\s+the\s+text|:)\s*(.+)$", re.I)


def read_note(rest: str, ctx: Ctx) -> list[Draft] | None:
    """'a comment "X" to the issue Y' (after add / post / write / leave) -> edit Y with {'comment': X}."""
    m = _NOTE.match(rest.strip())
    if m:
        noun, value, record = m.group(1), m.group(2), m.group(3)
    else:
        m = _NOTE_SAYING.match(rest.strip())
        if m is None:
            return None
        noun, record, value = m.group(1), m.group(2), m.group(3)
    spec, _ = parse_value(value, ctx.quotes, ctx.data, bare=True)
    if spec is None:
        return None
    target = parse_target(record, ctx.quotes, records=True)
    if not target.entity and not has_quote(record) and not re.match(r"(?:its|his|her|their|that|this)\b", record, re.I):
        return None
    d = Draft("edit", target=target, fields={noun.lower(): spec})
    d.refers = not target.entity
    return [d]


def _container(phrase: str, ctx: Ctx) -> tuple[str, str]:
    """The Y of 'add X to Y' -> (the record holding the list, the list's name): 'the nosy list of the issue "A"'
    -> ('A', 'nosy list'); 'the issue "A"' -> ('A', ''); 'the Editors group' -> ('Editors group', '')."""
    m = re.match(r"^(.+?)\s+(?:of|on|for)\s+(.+)$", phrase.strip(), re.I)
    if m:
        named = record_entity(strip_articles(m.group(2)), ctx.quotes)
        if named is not None:
            return named[1], ctx.quotes.unmask(strip_articles(m.group(1)))
    named = record_entity(strip_articles(phrase), ctx.quotes)
    if named is not None:
        return named[1], ""
    return ctx.quotes.unmask(strip_articles(phrase)).strip(), ""


def membership(verb: str, item: str, container: str, ctx: Ctx) -> Draft:
    """'add the user carol to the Editors group': add_to entity 'carol', words 'user', container 'Editors group';
    the list's own name ('nosy list of the issue X') becomes the words when the item names no noun."""
    t = parse_target(item, ctx.quotes, records=True)
    if not t.entity:
        t.entity, t.words = t.words, ""
    t.container, listed = _container(container, ctx)
    if listed and not t.words:
        t.words = listed
    return Draft("add_to" if verb == "add_to" else "remove_from", target=t)


_ROUTE = re.compile(r"^(?:a|an|new)\s+(?:new\s+)?(\w+(?:\s+\w+)?)\s+from\s+(\S+)\s+to\s+(\S+)$", re.I)


def read_route(rest: str, ctx: Ctx) -> list[Draft] | None:
    """'a redirect from /old/ to /new/' -> create 'redirect' with {'redirect from': /old/, 'redirect to': /new/}:
    a new record whose two ends are its fields (a form labels them '<noun> from' / '<noun> to')."""
    m = _ROUTE.match(rest.strip())
    if m is None or record_entity(m.group(1), ctx.quotes) is not None:
        return None
    noun = m.group(1).lower()
    ends = [parse_value(v, ctx.quotes, ctx.data, bare=True)[0] for v in (m.group(2), m.group(3))]
    if ends[0] is None or ends[1] is None:
        return None
    return [Draft("create", target=TargetParts(words=noun), fields={f"{noun} from": ends[0], f"{noun} to": ends[1]})]


_TRUE = ValueSpec(source="literal", literal="true")
_FALSE = ValueSpec(source="literal", literal="false")
_STATUS = r"(?:status|rights|permissions?|privileges?|access|role|flag)"
_ROLES = {"staff member": "staff", "member of staff": "staff", "staff": "staff", "admin": "staff",
          "administrator": "staff", "superuser": "superuser", "super user": "superuser", "moderator": "moderator"}


def _person(phrase: str, ctx: Ctx) -> TargetParts:
    t = parse_target(phrase, ctx.quotes, records=True)
    if not t.entity and t.words and not t.role:
        t.entity, t.words = t.words, "user"
    return t


def read_status(rest: str, ctx: Ctx) -> list[Draft] | None:
    """Status words: 'deactivate X' / 'disable X' -> {'active': 'false'}, 'activate' / 'enable' -> 'true';
    'give X staff status', 'make X an admin' -> {'staff status': 'true'}; 'revoke X's staff status' -> 'false'."""
    phrase = ctx.phrase.lower()
    rest = rest.strip()
    if phrase in ("activate", "deactivate", "enable", "disable", "reactivate"):
        t = parse_target(rest, ctx.quotes, records=True)
        if t.role in ("checkbox", "switch"):
            return [Draft("check" if phrase in ("activate", "enable", "reactivate") else "uncheck", target=t)]
        value = _FALSE if phrase in ("deactivate", "disable") else _TRUE
        return [Draft("edit", target=t, fields={"active": value})]
    if phrase in ("give", "grant"):
        m = re.match(rf"^(.+?)\s+(?:the\s+)?(\w+(?:\s+user)?\s+{_STATUS})$", rest, re.I) or re.match(
            rf"^(?:the\s+)?(\w+\s+{_STATUS})\s+to\s+(.+)$", rest, re.I)
        if m is None:
            return None
        who, status = (m.group(1), m.group(2)) if m.re.pattern.startswith("^(.+?)") else (m.group(2), m.group(1))
        return [Draft("edit", target=_person(who, ctx), fields={status.lower(): _TRUE})]
    if phrase == "make":
        roles = "|".join(sorted(_ROLES, key=len, reverse=True))
        m = re.match(rf"^(.+?)\s+(?:an?\s+)?({roles})$", rest, re.I)
        if m is None:
            return None
        return [Draft("edit", target=_person(m.group(1), ctx), fields={_ROLES[m.group(2).lower()] + " status": _TRUE})]
    if phrase in ("revoke", "remove"):
        m = re.match(rf"^(.+?)'s\s+(\w+\s+{_STATUS})$", rest, re.I)
        if m:
            return [Draft("edit", target=_person(m.group(1), ctx), fields={m.group(2).lower(): _FALSE})]
        m = re.match(rf"^(?:the\s+)?(\w+\s+{_STATUS})\s+(?:from|of)\s+(.+)$", rest, re.I)
        if m:
            return [Draft("edit", target=_person(m.group(2), ctx), fields={m.group(1).lower(): _FALSE})]
    return None


_AT = re.compile(r"\s+at\s+(?:the\s+)?(url|address|path|location|link)\s+(\S+)", re.I)
_ON_SITE = re.compile(r"\s+on\s+(?:the\s+)?(\S+)\s+(site|website|board|workspace|server|project|team)$", re.I)


def take_create_phrases(rest: str, ctx: Ctx) -> tuple[str, dict[str, ValueSpec]]:
    """Take 'at the URL /about/' and a trailing 'on the example.com site' out of a create clause as fields."""
    fields: dict[str, ValueSpec] = {}
    m = _ON_SITE.search(rest)
    if m:
        spec, _ = parse_value(m.group(1), ctx.quotes, ctx.data, bare=True)
        if spec is not None:
            fields[m.group(2).lower()] = spec
            rest = rest[: m.start()]
    m = _AT.search(rest)
    if m:
        spec, _ = parse_value(m.group(2), ctx.quotes, ctx.data, bare=True)
        if spec is not None:
            fields["url" if m.group(1).lower() in ("url", "link") else m.group(1).lower()] = spec
            rest = rest[: m.start()] + rest[m.end() :]
    return rest, fields


_NAME_FIELDS = frozenset({"name", "title", "username", "user name", "login", "subject", "summary", "full name"})
_USER_NOUNS = frozenset({"user", "user account", "account", "member", "login"})


def entity_field(d: Draft, data: Mapping[str, str]) -> None:
    """A create that names its record ('a user "erin"') also fills the record's name: {'name': literal}, or
    'username' for a user, or the data key whose value spells it; not when a field already names it."""
    entity = d.target.entity
    if d.verb != "create" or not entity or any(k in _NAME_FIELDS for k in d.fields):
        return
    name = "username" if d.target.words.lower() in _USER_NOUNS else "name"
    keys = [k for k, v in data.items() if v == entity and not v.startswith("env:")]
    spec = ValueSpec(source="data", key=keys[0]) if len(keys) == 1 else ValueSpec(source="literal", literal=entity)
    d.fields = {name: spec, **d.fields}


_CREDENTIAL_NAMES = frozenset({"username", "user", "user name", "email", "email address", "e-mail", "login", "user id",
                               "userid", "password", "passcode", "pass", "pin", "passwd", "pwd", "otp", "token",
                               "totp", "mfa code", "code", "account", "name"})


def credential_fields(fields: dict[str, ValueSpec]) -> dict[str, ValueSpec]:
    """A login's fields hold only credentials: 'with priority urgent' is record data, not a login field."""
    return {k: v for k, v in fields.items() if k.replace("_", " ").lower() in _CREDENTIAL_NAMES}
