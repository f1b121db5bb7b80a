"""Conditions a goal puts on an action: "buy ABC stock when the price is less than $60.50" (wait until it
holds, then act once), "click Generate until the number is less than 5", "generate an odd number" (act again
until it holds).

A condition compares a number the page shows next to the named thing ("price", "number") with a literal of
the goal, or asks for its parity. Reading: ``split_condition`` (a clause -> the clause without its condition,
the condition and how it binds), ``lead_condition`` ("Once the price is under $5, buy X" -> "buy X when the
price is under $5"). Judging: ``reading`` finds the number on a snapshot and ``holds`` compares it; the
browser checks the same condition again at the moment it acts (``browserflow/browser/actor.py``)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from browserflow.contracts.pages import Element, PageSnapshot
from browserflow.plan.model import CompareOp, Condition
from browserflow.rules.text import norm

__all__ = [
    "NUMBER",
    "Binding",
    "holds",
    "lead_condition",
    "page_number",
    "read_condition",
    "read_generate",
    "reading",
    "split_condition",
]

Binding = Literal["when", "until"]

NUMBER = r"[-+]?\s*[$\u20ac\u00a3\u00a5]?\s*[-+]?\d[\d,]*(?:\.\d+)?\s*%?"
"""A number as a page or a goal writes it: sign, currency, thousands separators, decimals, percent."""
_PAGE_NUMBER = re.compile(rf"^\s*({NUMBER})\s*$")

_CMP: list[tuple[str, CompareOp]] = [
    (
        r"(?:less|lower|smaller|fewer)\s+than\s+or\s+equal\s+to|at\s+most|no\s+more\s+than|not\s+(?:more|greater|"
        r"higher)\s+than|(?:below|under)\s+or\s+(?:equal\s+to|at)",
        "le",
    ),
    (
        r"(?:greater|more|higher|bigger|larger)\s+than\s+or\s+equal\s+to|at\s+least|no\s+less\s+than|not\s+(?:less|"
        r"lower)\s+than|(?:above|over)\s+or\s+(?:equal\s+to|at)",
        "ge",
    ),
    (r"(?:less|lower|smaller|fewer|cheaper)\s+than|below|under|beneath", "lt"),
    (r"(?:greater|more|higher|bigger|larger)\s+than|above|over|exceeds?|exceeding", "gt"),
    (r"not\s+equal\s+to|other\s+than|not", "ne"),
    (r"equal\s+to|equals?|exactly", "eq"),
]
_VERB = (
    r"(?:is|are|was|reads|shows|becomes|gets|goes|drops|dips|falls|sinks|rises|climbs|moves|trades|"
    r"is\s+trading|has\s+dropped|has\s+fallen|has\s+risen|is\s+at)"
)
_CMP_ALT = "|".join(f"(?P<{op}{n}>{rx})" for n, (rx, op) in enumerate(_CMP))
_COMPARE = re.compile(rf"^(?:{_VERB}\s+)?(?:to\s+)?(?:{_CMP_ALT})\s+(?:to\s+)?(?P<num>{NUMBER})\s*$", re.I)
_BARE = re.compile(rf"^(?:is|are|becomes|shows|reads|is\s+at)\s+(?P<num>{NUMBER})\s*$", re.I)
_PARITY = re.compile(r"^(?:is|are|becomes|turns)\s+(?:an?\s+)?(?P<par>odd|even)(?:\s+number)?\s*$", re.I)
_SUBJECT_END = re.compile(rf"\s+(?=(?:{_VERB}|to)\b|(?:{_CMP_ALT})\s+[-+$\u20ac\u00a3\u00a5\d])", re.I)

_WHEN = re.compile(
    r"^(?P<act>.+?)\s*,?\s+(?P<how>when|once|as\s+soon\s+as|the\s+moment|until|till)\s+"
    r"(?P<cond>.+?)\s*[.!]?\s*$",
    re.I,
)
_LEAD = re.compile(
    r"^(?:(?:and|then)\s+)?(?P<how>when|once|as\s+soon\s+as|the\s+moment|wait\s+(?:until|till|for))"
    r"\s+(?P<cond>[^,;]+?)\s*(?:,\s*(?:and\s+)?(?:then\s+)?|\s+then\s+|;\s*)(?P<act>.+)$",
    re.I,
)
_REPEAT = re.compile(r"^(?:keep\s+(?:on\s+)?|repeat(?:edly)?\s+|continue\s+)(\w+?)ing\b\s*", re.I)
_ITS = re.compile(r"^(?:its|their|the|a|an)\s+", re.I)


def _number(text: str) -> Decimal | None:
    raw = re.sub(r"[\s,$\u20ac\u00a3\u00a5%]", "", text)
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def page_number(text: str) -> Decimal | None:
    """The number an element shows when that is all it shows ("$50.50", "-4", "1,200", "7%"), else None."""
    m = _PAGE_NUMBER.match(text or "")
    return _number(m.group(1)) if m else None


def read_condition(text: str, subject: str = "") -> Condition | None:
    """'the price is less than $60.50' -> Condition(price lt 60.50); 'it drops below 5' with ``subject``
    naming what 'it' is. None when ``text`` is no comparison with a number (nor a parity)."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".!;")
    m = _SUBJECT_END.search(text)
    if m is None:
        return None
    who, rest = text[: m.start()].strip(), text[m.end() :].strip()
    who = _ITS.sub("", who)
    if re.fullmatch(r"(?:it|they|that|this)", who, re.I) or not who:
        who = subject
    if not who or len(who.split()) > 5:
        return None
    par = _PARITY.match(rest)
    if par:
        return Condition(subject=who, op=par.group("par").lower(), text=text)
    bare = _BARE.match(rest)
    got = _COMPARE.match(rest)
    if bare is not None:
        op, value = "eq", _number(bare.group("num"))
    elif got is not None:
        op = next(k for k, v in got.groupdict().items() if v is not None and k != "num")
        value = _number(got.group("num"))
    else:
        return None
    if value is None:
        return None
    return Condition(subject=who, op=op.rstrip("0123456789"), number=str(value), text=text)


def split_condition(clause: str, subject: str = "") -> tuple[str, Condition, Binding] | None:
    """'Buy X when the price is below $5' -> ('Buy X', price lt 5, 'when'); 'click Roll until the number is
    odd' -> ('click Roll', number odd, 'until'); 'keep clicking Roll until …' reads as 'click Roll until …'."""
    m = _WHEN.match(clause)
    if m is None:
        return None
    act = _REPEAT.sub(lambda r: f"{r.group(1)} ", m.group("act").strip())
    cond = read_condition(m.group("cond"), subject or _object_words(act))
    if cond is None:
        return None
    how: Binding = "until" if m.group("how").lower() in {"until", "till"} else "when"
    return act, cond, how


_GENERATE = re.compile(
    r"^(?P<verb>generate|roll|draw|pick|spin|shuffle|get)\s+(?:(?:a|an|one)\s+)?(?:(?P<par>odd|even)\s+)?"
    r"(?:random\s+)?(?P<noun>number|value|score|total|die|dice)(?P<rest>\s+.+?)?\s*[.!]?\s*$",
    re.I,
)


def read_generate(clause: str) -> tuple[str, Condition] | None:
    """'Generate a number less than 5' / 'roll an even number': the control named by the verb is used again
    until the number shown satisfies the condition -> ('Generate', number lt 5). None otherwise."""
    m = _GENERATE.match(clause.strip())
    if m is None:
        return None
    noun, verb = m.group("noun").lower(), m.group("verb")
    noun = "number" if noun in {"die", "dice"} else noun
    rest = (m.group("rest") or "").strip()
    if m.group("par") and not rest:
        return verb, Condition(subject=noun, op=m.group("par").lower(), text=clause.strip())
    if m.group("par") or not rest:
        return None  # 'generate a number' (no condition), 'an odd number less than 5' (two)
    cond = read_condition(f"{noun} is {rest}")
    if cond is None:
        return None
    return verb, cond.model_copy(update={"text": clause.strip()})


def lead_condition(sentence: str) -> str | None:
    """'Once the price is under $5, buy X' / 'Wait until the price is under $5, then buy X' -> 'buy X when the
    price is under $5'; None when the sentence does not start with a condition on a number."""
    m = _LEAD.match(sentence.strip())
    if m is None or read_condition(m.group("cond"), "it") is None:
        return None
    return f"{m.group('act').strip().rstrip('.')} when {m.group('cond').strip()}"


def _object_words(act: str) -> str:
    words = act.split()
    return " ".join(words[1:4]) if len(words) > 1 else ""


# -- judging on a page --------------------------------------------------------------------------------------

_ORDER = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


def holds(cond: Condition, value: Decimal | None) -> bool:
    """Does ``value`` satisfy ``cond``? A value that is not a number never does."""
    if value is None:
        return False
    if cond.op in ("odd", "even"):
        if value != value.to_integral_value():
            return False
        return (int(value) % 2 == 1) == (cond.op == "odd")
    if cond.number is None:
        return False
    return bool(_ORDER[cond.op](value, Decimal(cond.number)))


_STOP = frozenset({"the", "a", "an", "of", "its", "their", "current", "shown", "displayed", "stock", "value"})


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", norm(text)) if w not in _STOP}


def _own(e: Element) -> set[str]:
    own = f"{e.label} {e.context} {e.html_id} {e.selector.split(' ')[-1]}"
    return _words(own.replace("-", " ").replace("_", " "))


def _before(text: str, shown: str) -> set[str]:
    """The (at most three) words just before the first place ``shown`` stands on the page ('Stock price:')."""
    at = re.search(rf"(?<![\w.$]){re.escape(norm(shown))}(?![\w.])", text) if norm(shown) else None
    if at is None:
        return set()
    words = re.findall(r"[^\s:]+", text[max(0, at.start() - 60) : at.start()])[-3:]
    cut = max((i + 1 for i, w in enumerate(words) if page_number(w) is not None or w in _PLACEHOLDERS), default=0)
    return _words(" ".join(words[cut:]))


def reading(snap: PageSnapshot, cond: Condition, skip: set[str] | frozenset[str] = frozenset()) -> Element | None:
    """The element that shows the number ``cond`` is about: an element showing only a number, named by the
    condition's subject in its label, context or id (counted twice) or the words just before it on the page.
    None when no element (or more than one, equally well) fits: a condition that cannot be read is never
    taken as met."""
    want = _words(cond.subject)
    if not want:
        return None
    text = norm(snap.text)
    for e in snap.elements:  # the page's own copy of the instructions is no reading
        if e.ref in skip and e.name:
            text = text.replace(norm(e.name), " ")
    best: list[tuple[int, Element]] = []
    for e in snap.elements:
        if e.ref in skip or e.tag in {"input", "textarea", "select", "button"}:
            continue
        shown = e.name or e.value
        if page_number(shown) is None and not _placeholder(shown):
            continue
        score = 2 * len(want & _own(e)) + len(want & _before(text, shown))
        if score:
            best.append((score, e))
    if not best:
        return None
    best.sort(key=lambda x: -x[0])
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


_PLACEHOLDERS = frozenset({"", "-", "--", "?", "\u2014", "\u2013"})


def _placeholder(shown: str) -> bool:
    """'-', '?', '' : a display with no number yet (a generator not run): still the place to read."""
    return shown.strip() in _PLACEHOLDERS
