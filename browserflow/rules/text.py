"""Word handling shared by the rules: tokens, synonyms, stop-words and fuzzy token matching."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import unquote, urlsplit

__all__ = [
    "STOP_WORDS",
    "field_tokens",
    "fuzzy_in",
    "norm",
    "overlap",
    "similarity",
    "tokens",
    "url_tokens",
]

_STOP_TEXT = """
    a an the and or but of for to in on at by with from into onto as is are be been it its this that these those
    my me i we our you your yours he she his her they their them us so then than please pls go click open find
    visit page website site want wants need needs make get use using via up down out here there now just also
    some any all each every which who whom what when where how will would can could should shall may might do
    does did have has had new item items
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# words that never tell two form fields apart
_FIELD_NOISE = frozenset({"id", "field", "input", "value", "enter", "select", "choose", "type", "txt", "fld"})

# token -> canonical tokens; applied after splitting
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "comment": ("note",),
    "remark": ("note",),
    "mail": ("email",),
    "emailaddress": ("email", "address"),
    "telephone": ("phone",),
    "tel": ("phone",),
    "mobile": ("phone",),
    "cell": ("phone",),
    "phonenumber": ("phone", "number"),
    "dob": ("date", "birth"),
    "birthday": ("date", "birth"),
    "birthdate": ("date", "birth"),
    "bday": ("date", "birth"),
    "born": ("birth",),
    "firstname": ("first", "name"),
    "forename": ("first", "name"),
    "given": ("first",),
    "lastname": ("last", "name"),
    "surname": ("last", "name"),
    "family": ("last",),
    "fullname": ("full", "name"),
    "username": ("user", "name"),
    "userid": ("user", "name"),
    "login": ("user", "name"),
    "zip": ("postal", "code"),
    "zipcode": ("postal", "code"),
    "postcode": ("postal", "code"),
    "pwd": ("password",),
    "passwd": ("password",),
    "pass": ("password",),
    "passcode": ("password",),
    "qty": ("quantity",),
    "addr": ("address",),
    "tos": ("terms",),
}

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
_URL_NOISE = frozenset(
    {"html", "htm", "php", "asp", "aspx", "jsp", "www", "http", "https", "com", "index", "org", "net"}
)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def norm(text: str) -> str:
    """Lower-case with runs of whitespace collapsed and typographic quotes made plain: the form values and
    option labels are compared in."""
    return " ".join(text.lower().translate(_APOSTROPHES).split())


@lru_cache(maxsize=16384)
def _tokens(text: str, drop_stop: bool) -> tuple[str, ...]:
    if not text.islower():
        text = _CAMEL.sub(r"\1 \2", text).lower()
    if "e-mail" in text:
        text = text.replace("e-mail", "email")
    words = _SPLIT.split(text)
    if drop_stop:
        return tuple(dict.fromkeys(w for w in words if w and w not in STOP_WORDS))
    return tuple(dict.fromkeys(w for w in words if w))


def tokens(text: str, *, drop_stop: bool = True) -> tuple[str, ...]:
    """Distinct lower-case word tokens of ``text`` in order: camelCase and snake_case split, stop-words
    dropped, ``e-mail`` read as ``email``."""
    return _tokens(text, drop_stop) if text else ()


@lru_cache(maxsize=8192)
def field_tokens(text: str) -> tuple[str, ...]:
    """Tokens for matching a data key against a form field: ``tokens`` with field synonyms folded
    (``dob`` -> ``date birth``, ``surname`` -> ``last name``) and words such as ``id`` dropped."""
    out: list[str] = []
    for raw in tokens(text):
        for tok in _SYNONYMS.get(raw, (raw,)):
            if tok not in out:
                out.append(tok)
    kept = tuple(t for t in out if t not in _FIELD_NOISE)
    return kept or tuple(out)


@lru_cache(maxsize=8192)
def url_tokens(url: str) -> tuple[str, ...]:
    """Words of a URL's path and query (not its host or scheme)."""
    if not url:
        return ()
    parts = urlsplit(url)
    if parts.scheme.lower() in {"javascript", "mailto", "tel", "data"}:
        return ()
    toks = tokens(unquote(f"{parts.path} {parts.query}"))
    return tuple(t for t in toks if t not in _URL_NOISE)


@lru_cache(maxsize=65536)
def token_match(a: str, b: str) -> bool:
    """Equal, or one a prefix of the other (4+ letters: swim/swimming), or sharing a 6+ letter stem
    (register/registration)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short) and not short.isdigit():
        return True
    if len(short) >= 6:
        common = 0
        for x, y in zip(short, long_, strict=False):
            if x != y:
                break
            common += 1
        return common >= 6 and common >= len(short) - 2
    return False


def fuzzy_in(token: str, pool: Iterable[str]) -> bool:
    return any(token_match(token, p) for p in pool)


def overlap(a: Sequence[str], b: Sequence[str]) -> int:
    """How many tokens of ``a`` match some token of ``b``."""
    return sum(1 for t in a if fuzzy_in(t, b))


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """F1 of the fuzzy token overlap of ``a`` and ``b`` (1.0 = same words)."""
    if not a or not b:
        return 0.0
    hits_a = overlap(a, b)
    if not hits_a:
        return 0.0
    hits_b = overlap(b, a)
    precision = hits_a / len(a)
    recall = hits_b / len(b)
    return 2 * precision * recall / (precision + recall)
