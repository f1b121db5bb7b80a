"""Phrase readers of the goal compiler: a target description, a value with its provenance, a data key.

All functions take *masked* text (quoted literals replaced by placeholders, see ``lexquote``) and the goal's
``Quotes``; none copies a task data value: a value found in the data is named by its key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from browserflow.plan.lexicon import (
    ARTICLES,
    NOT_NAMES,
    ORDINAL_WORDS,
    PERSON_NOUNS,
    RECORD_NOUNS,
    role_of,
    role_prefix,
    role_suffix,
)
from browserflow.plan.lexquote import Quotes, has_quote, strip_quotes
from browserflow.plan.model import Transform, ValueSpec

__all__ = [
    "TargetParts",
    "extract_transform",
    "looks_date",
    "looks_time",
    "match_key",
    "match_value",
    "parse_target",
    "parse_value",
    "record_entity",
    "split_items",
    "strip_articles",
]

_ART = r"(?:the|a|an|this|that|my|your)"


def strip_articles(text: str) -> str:
    words = text.strip().split()
    while len(words) > 1 and words[0].lower() in ARTICLES:
        words.pop(0)
    return " ".join(words)


def _norm(text: str) -> str:
    t = text.lower().replace("e-mail", "email").replace("_", " ").replace("-", " ")
    t = re.sub(r"'s\b", "", t)
    words = [w for w in re.findall(r"[a-z0-9]+", t) if w not in ARTICLES]
    return " ".join(words)


def _secret(value: str) -> bool:
    return value.startswith("env:")


def match_key(phrase: str, data: Mapping[str, str]) -> str | None:
    """The data key a phrase names ('the email' -> 'email_address', '{username}' -> 'username'), or None."""
    m = re.fullmatch(r"\s*(?:the\s+)?\{\s*([A-Za-z0-9_.-]+)\s*\}\s*", phrase)
    if m:
        return m.group(1)
    words = _norm(phrase)
    if not words or not data:
        return None
    keys = {k: _norm(k) for k in data}
    for k, kw in keys.items():
        if kw == words or kw.replace(" ", "") == words.replace(" ", ""):
            return k
    near = [k for k, kw in keys.items()
            if kw.startswith(words + " ") or words.startswith(kw + " ") or kw.endswith(" " + words)]
    return near[0] if len(near) == 1 else None


def match_value(phrase: str, data: Mapping[str, str]) -> str | None:
    """The data key whose (non-secret) value the unquoted phrase spells or starts/ends ('Eden' in 'Eden Levi')."""
    words = phrase.strip().lower().split()
    if not words or not all(re.fullmatch(r"[\w@.+'/:-]{2,}", w) for w in words):
        return None
    hits: list[str] = []
    for k, v in data.items():
        if _secret(v):
            continue
        tokens = v.lower().split()
        if tokens == words or (len(words) < len(tokens) and words == tokens[: len(words)]) or (
            len(words) < len(tokens) and words == tokens[-len(words) :]
        ):
            hits.append(k)
    return hits[0] if len(hits) == 1 else None


_TRANSFORMS: list[tuple[str, Transform]] = [
    (r"in\s+(?:all\s+)?lower[\s-]?case(?:\s+letters)?|(?:all\s+)?lower[\s-]?cased?|in\s+small\s+letters", "lower"),
    (r"in\s+(?:all\s+)?upper[\s-]?case(?:\s+letters)?|(?:all\s+)?upper[\s-]?cased?|in\s+(?:all\s+)?capitals|"
     r"in\s+capital\s+letters|in\s+all\s+caps|in\s+caps", "upper"),
    (r"in\s+title[\s-]?case", "title"),
]
_FORMAT = re.compile(r"\b(?:in\s+(?:the\s+)?(?:format\s+)?|formatted\s+as\s+|as\s+)([YMDHhms]{1,4}(?:[-/.: ][YMDHhms]{1,4}){1,3})"
                     r"(?:\s+format)?\b")
_FMT_PARTS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "M": "%m", "D": "%d", "HH": "%H", "hh": "%I",
              "mm": "%M", "ss": "%S"}


def extract_transform(clause: str) -> tuple[str, Transform | None, str | None]:
    """Take 'in lower case' / 'in capitals' / 'in the format YYYY-MM-DD' out of a clause."""
    transform: Transform | None = None
    for pattern, kind in _TRANSFORMS:
        m = re.search(r"\s*\b(?:" + pattern + r")\b", clause, re.I)
        if m:
            transform = kind
            clause = (clause[: m.start()] + clause[m.end() :]).strip()
            break
    fmt: str | None = None
    m = _FORMAT.search(clause)
    if m:
        fmt = re.sub(r"YYYY|YY|MM|DD|HH|hh|mm|ss|M|D", lambda p: _FMT_PARTS[p.group(0)], m.group(1))
        clause = (clause[: m.start()] + clause[m.end() :]).strip()
    return clause, transform, fmt


_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"


def looks_date(text: str) -> bool:
    t = text.strip().lower()
    return bool(re.fullmatch(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", t) or re.fullmatch(
        rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?(?:\s+\d{{4}})?|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?)", t))


def looks_time(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}(?::\d{2}){1,2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?", text.strip().lower()))


_PAGE = re.compile(
    r"^(?:the\s+)?(?:value|number|text|amount|figure|word|code|total|price|count)\s+(?:(?:that\s+is\s+)?(?:shown|displayed|written|"
    r"given|listed|found)\s+)?(?:of|for|next\s+to|beside|by|near|in|under|after|labeled|labelled)\s+(?:the\s+)?(.+)$",
    re.I,
)


def parse_value(phrase: str, quotes: Quotes, data: Mapping[str, str], *, bare: bool = True) -> tuple[ValueSpec | None, str]:
    """A value phrase -> (ValueSpec, the words that describe the target, e.g. 'password' of 'the password "x"').

    ``bare``: an unquoted phrase with no article that names no data key is a literal ('Enter Jerald ...')."""
    phrase = phrase.strip().strip(",")
    if not phrase:
        return None, ""
    m = _PAGE.match(phrase)
    if m:
        return ValueSpec(source="page", literal=quotes.unmask(m.group(1)).strip()), ""
    qs = quotes.find(phrase)
    if qs:
        rest = strip_articles(strip_quotes(phrase))
        return ValueSpec(source="literal", literal=qs[-1]), rest
    key = match_key(phrase, data)
    if key is not None:
        return ValueSpec(source="data", key=key), strip_articles(re.sub(r"[{}]", "", phrase))
    key = match_value(phrase, data)
    if key is not None:
        return ValueSpec(source="data", key=key), ""
    if bare and (phrase.split()[0].lower() not in ARTICLES or len(phrase.split()) == 1):
        return ValueSpec(source="literal", literal=phrase), ""
    return None, strip_articles(phrase)


def split_items(phrase: str, quotes: Quotes) -> list[str]:
    """'A, B and C' -> ['A', 'B', 'C'] (quoted items unquoted); one item -> [it]."""
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", phrase.strip())
    return [quotes.unmask(p).strip() for p in parts if p.strip()]


@dataclass
class TargetParts:
    words: str = ""
    role: str = ""
    ordinal: int | None = None
    container: str = ""
    entity: str = ""
    exact: bool = False
    rest: list[str] = field(default_factory=list)


_DIALOG = re.compile(rf"\s*\b(?:in|inside|within|on|of|from)\s+{_ART}?\s*(?:dialog(?:\s+box)?|pop-?up|modal)(?:\s+window)?\b", re.I)
_ROW = re.compile(r"\s*\b(?:in|on|from)\s+(?:the\s+)?(?:same\s+)?(?:row|line|entry|card)\s+(?:of|for|with|containing|as|that\s+(?:has|contains))\s+(.+?)$", re.I)
_ROW_POSS = re.compile(r"\s*\b(?:in|on)\s+(.+?)'s\s+(?:row|line|entry|card)\b", re.I)
_FOR = re.compile(r"\s*\b(?:for|of|next\s+to|beside)\s+(?:the\s+)?(?:user|contact|person|customer|row|entry|item|member|employee|product|account)\s+(.+?)$", re.I)
_IN_SECTION = re.compile(
    r"\s*\b(?:in|inside|within|under|on)\s+(?:the\s+)?(.*?)\b(search results?|results|section|panel|menu|table|list|sidebar|"
    r"header|footer|toolbar|navigation|nav bar|navbar|card|form|tab)$", re.I)
_LABEL = re.compile(
    r"\s*\b(?:labeled|labelled|named|called|titled|entitled|with\s+(?:the\s+)?(?:text|label|name|title|caption)|"
    r"that\s+(?:says|reads)|saying|reading)\s+(.+)$", re.I)
_NOISE = re.compile(r"\s*\b(?:below|above|on\s+(?:the|this)\s+(?:page|screen)|at\s+the\s+(?:top|bottom)(?:\s+of\s+the\s+page)?|"
                    r"on\s+the\s+(?:left|right)|shown|here|there)\s*$", re.I)


_ORDINALS = [(w, n, re.compile(rf"(?:^|\s)(?:the\s+)?{w}\b\s*", re.I), re.compile(rf"\s*{w}\s+(?:name|names)\b", re.I))
             for w, n in ORDINAL_WORDS.items()]
_ANY_ORDINAL = re.compile(r"\b(?:" + "|".join(ORDINAL_WORDS) + r")\b", re.I)


def _ordinal(text: str) -> tuple[str, int | None]:
    m = re.search(r"(?:^|\s)(?:the\s+)?(\d+)(?:st|nd|rd|th)\b\s*", text, re.I)
    if m:
        return (text[: m.start()] + " " + text[m.end() :]).strip(), int(m.group(1))
    if _ANY_ORDINAL.search(text):
        for _word, n, at, named in _ORDINALS:
            m = at.search(text)
            if m and not named.match(text[m.start() :]):
                return (text[: m.start()] + " " + text[m.end() :]).strip(), n
    m = re.search(r"(?:^|\s)(?:number|no\.?)\s+(\d+)\b", text, re.I)
    if m and m.start() == 0:
        return text[m.end() :].strip(), int(m.group(1))
    return text, None


_NOUNS = "|".join(re.escape(n) for n in sorted(PERSON_NOUNS | RECORD_NOUNS, key=lambda n: (-len(n), n)))
_NAMED = re.compile(rf"({_NOUNS})\s+(\ue000\d+\ue001|[\w@./:+#'-]+)", re.I)
_OF_NAMED = re.compile(rf"(?:the\s+)?({_NOUNS})\s+of\s+(?:the\s+)?(?:({_NOUNS})\s+)?(\ue000\d+\ue001|[\w@./:+#'-]+)", re.I)


def record_entity(words: str, quotes: Quotes) -> tuple[str, str] | None:
    """'user alice' -> ('user', 'alice'); 'flat page /contact/' -> ('flat page', '/contact/'); 'user account of
    dave' -> ('user account', 'dave'); 'account of the user bob' -> ('user', 'bob'); None when no record is named.
    After a person noun any bare word names it; after another record noun only a path, address or code does."""
    m = _OF_NAMED.fullmatch(words.strip())
    if m and (m.group(2) or m.group(1).lower() in PERSON_NOUNS):
        noun, name = m.group(2) or m.group(1), m.group(3)
    else:
        m = _NAMED.fullmatch(words.strip())
        if m is None:
            return None
        noun, name = m.group(1), m.group(2)
    person = noun.lower() in PERSON_NOUNS
    low = name.lower()
    if has_quote(name) or re.search(r"[/@.\d:#-]", name):
        return noun, quotes.unmask(name).lstrip("#")
    if person and low not in NOT_NAMES and low not in ARTICLES and not role_of(low):
        return noun, name
    return None


def _entity(words: str, quotes: Quotes) -> tuple[str, str]:
    """'user "bob"' -> ('user', 'bob'); 'issue 3' -> ('issue', '3'); '"About" page' -> ('page', 'About')."""
    m = re.fullmatch(r"(.*?\S)\s+(\ue000\d+\ue001|#?\d+|@[\w.-]+)", words)
    if m and not has_quote(m.group(1)):
        return m.group(1), quotes.unmask(m.group(2)).lstrip("#")
    m = re.fullmatch(r"(\ue000\d+\ue001)\s+(\S.*)", words)
    if m and not has_quote(m.group(2)):
        return m.group(2), quotes.unmask(m.group(1))
    return record_entity(words, quotes) or (words, "")


def parse_target(phrase: str, quotes: Quotes, *, records: bool = False) -> TargetParts:
    """A target phrase -> its words, role, ordinal, container and (for record verbs) entity."""
    t = TargetParts()
    text = " " + phrase.strip().strip(",") + " "
    named = record_entity(strip_articles(phrase.strip().strip(",")), quotes) if records else None
    if named is not None and " of " in phrase:
        t.words, t.entity = named
        return t
    if _DIALOG.search(text):
        t.container = "dialog"
        text = _DIALOG.sub(" ", text)
    for rx in (_ROW, _ROW_POSS, _FOR):
        m = rx.search(text.rstrip())
        if m:
            t.container = quotes.unmask(strip_articles(m.group(1))).strip()
            text = text[: m.start()] + " "
            break
    else:
        m = _IN_SECTION.search(text.rstrip())
        if m and strip_articles(text[: m.start()]):
            name, noun = quotes.unmask(strip_articles(m.group(1).strip())), m.group(2).lower()
            t.container = (name + " " + noun).strip() if noun.endswith(("results", "result")) or not name else name
            text = text[: m.start()] + " "
    text = re.sub(r"\s+", " ", text).strip()
    while _NOISE.search(text):
        text = _NOISE.sub("", text).strip()
    labeled = ""
    m = _LABEL.search(text)
    if m:
        labeled, text = m.group(1).strip(), text[: m.start()].strip()
    text = strip_articles(text)
    text, t.ordinal = _ordinal(text)
    text = strip_articles(text)
    hashed = re.search(r"#\s*(\d+)\b", text)
    if hashed:
        t.ordinal = int(hashed.group(1)) if t.ordinal is None else t.ordinal
    m = re.fullmatch(r"(\ue000\d+\ue001)\s+(?:widget|element|control|item|thing)s?", text, re.I)
    if m:
        said = quotes.unmask(m.group(1)).strip().strip("\"'\u201c\u201d").lower()
        _, r = role_suffix(said)
        r = r or ("textline" if said in ("text", "input", "text input") else "")
        if r:
            t.role = r
            return t
        text = m.group(1)
    words, t.role = role_suffix(text)
    if not t.role and not hashed:
        words, t.role = role_prefix(text)
    elif hashed:
        _, t.role = role_prefix(text) if not t.role else ("", t.role)
        words = text
    if labeled:
        t.words, t.exact = quotes.unmask(labeled).strip(), has_quote(labeled)
        return t
    if records:
        words, t.entity = _entity(words, quotes)
    qs = quotes.find(words)
    if qs and not records and quotes.only(words) is None:
        t.rest = [strip_quotes(words)]
        words = qs[0]
        t.exact = True
    elif quotes.only(words) is not None:
        words = quotes.only(words) or ""
        t.exact = True
    else:
        words = quotes.unmask(words)
    t.words = words.strip()
    return t
