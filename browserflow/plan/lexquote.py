"""Quotes and clauses: mask the goal's quoted literals, split the goal into ordered clauses.

Quoted literals are replaced by placeholders (``\\ue000N\\ue001``) before any splitting, so nothing inside a quote
is ever read as a clause boundary, a verb or a role noun; ``Quotes.unmask`` puts the text back (without quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from browserflow.plan.lexicon import base_form, starts_clause

__all__ = ["Quotes", "mask_quotes", "split_clauses"]

_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(_OPEN + r"(\d+)" + _CLOSE)
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2018": "'",
                        "\u2019": "'", "`": "'"})


@dataclass
class Quotes:
    """The quoted literals of a goal, by placeholder number."""

    texts: list[str] = field(default_factory=list)

    def unmask(self, text: str) -> str:
        """The text with each placeholder replaced by its literal (quotes removed)."""
        return _PLACEHOLDER.sub(lambda m: self.texts[int(m.group(1))], text)

    def only(self, text: str) -> str | None:
        """The literal when ``text`` is exactly one placeholder (articles allowed around it), else None."""
        m = re.fullmatch(r"(?:(?:the|a|an)\s+)?" + _OPEN + r"(\d+)" + _CLOSE, text.strip(), re.I)
        return self.texts[int(m.group(1))] if m else None

    def find(self, text: str) -> list[str]:
        return [self.texts[int(n)] for n in _PLACEHOLDER.findall(text)]


def has_quote(text: str) -> bool:
    return _OPEN in text


def strip_quotes(text: str) -> str:
    """The text with its placeholders removed (and spaces tidied)."""
    return re.sub(r"\s+", " ", _PLACEHOLDER.sub(" ", text)).strip()


def mask_quotes(goal: str) -> tuple[str, Quotes]:
    """Replace quoted literals ("x", 'x' and their curly forms) by placeholders; apostrophes (don't, Alice's) stay."""
    text = goal.translate(_CURLY).replace(_OPEN, " ").replace(_CLOSE, " ")
    quotes = Quotes()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"' or (ch == "'" and (i == 0 or not text[i - 1].isalnum())):
            end = _closing(text, i)
            if end > i:
                out.append(f"{_OPEN}{len(quotes.texts)}{_CLOSE}")
                quotes.texts.append(text[i + 1 : end].strip())
                i = end + 1
                continue
            if ch == '"':
                i += 1
                continue
        out.append(ch)
        i += 1
    return "".join(out), quotes


def _closing(text: str, start: int) -> int:
    """Index of the quote closing the one at ``start``, or -1."""
    q = text[start]
    j = start + 1
    while True:
        j = text.find(q, j)
        if j < 0:
            return -1
        if q == '"' or j + 1 == len(text) or not text[j + 1].isalnum():
            return j if j > start + 1 or q == '"' else -1
        j += 1


_ABBREV = re.compile(r"(?:\b(?:mr|mrs|ms|dr|no|st|vs|etc|e\.g|i\.e|approx)\.)$", re.I)
_LEAD = re.compile(
    r"^(?:(?:please|kindly|now|then|next|finally|first|firstly|second|also|lastly|and|afterwards|after that|"
    r"go ahead and|you (?:should|need to|must|have to)|i (?:want|need|would like) (?:you )?to|i'd like (?:you )?to|"
    r"can you|could you|would you|try to|make sure (?:to|you)|be sure to|remember to|"
    r"(?:find|locate|look for|scroll to|search) and)[,:]?\s+)+",
    re.I,
)
_TRAIL = re.compile(r"[\s,;:.!?]*(?:\b(?:please|for me|now|thanks|thank you|when (?:you are |you're )?(?:done|finished)))?[\s,;:.!?]*$", re.I)


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?;]+(?=\s|$)", text):
        if m.group(0) == "." and _ABBREV.search(text[start : m.end()]):
            continue
        parts.append(text[start : m.start()])
        start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_POLITE_TAIL = re.compile(r"[\s,]*(?:please|thanks|thank\s+you)\s*[.!]*$", re.I)


def drop_polite_tail(text: str) -> str:
    """A whole goal without a closing 'please' / 'thanks' ('…, please.'): for the readers of whole sentences."""
    return _POLITE_TAIL.sub("", text.strip())


def clean(clause: str) -> str:
    """Drop politeness and connective words around a clause: 'please click Submit.' -> 'click Submit'."""
    prev = None
    while prev != clause:
        prev = clause
        clause = _LEAD.sub("", clause.strip())
        clause = _TRAIL.sub("", clause)
    return clause.strip()


_SPLIT = re.compile(r"\s*(?:,?\s*\band then\b|,\s*then\b|\bthen\b|,?\s*\bbut\b|,?\s*\band\b|,|\bto\b|&)\s+", re.I)
_TO_VERBS = frozenset({"click", "enter", "type", "select", "choose", "pick", "press", "fill", "check", "find",
                       "locate", "search", "tap", "focus", "expand", "reveal"})


_FIND_AND = re.compile(r"\b(?:find|locate|look\s+for|scroll\s+to|search)\s+and\s+(?=[a-z])", re.I)
_LEAD_PREP = re.compile(r"^(?:for|in|on|within|inside|under)\s", re.I)


def _split_sentence(sentence: str) -> list[str]:
    """Split one sentence at connectives followed by a verb: 'X and Y', 'X, then Y', 'X, Y', 'X to find and Y'."""
    sentence = _FIND_AND.sub("", sentence)
    out: list[str] = []
    start = 0
    pos = 0
    for m in _SPLIT.finditer(sentence):
        if m.start() < pos:
            continue
        rest = sentence[m.end() :]
        conn = m.group(0).strip().lower().lstrip(",").strip()
        if conn == "to":
            # a purpose clause splits only before an action verb ("X to find and click Y"; "Use X to enter" stays)
            first = rest.split(" ", 1)[0].lower()
            if first not in _TO_VERBS or sentence[: m.start()].lower().startswith("use "):
                continue
        elif not starts_clause(rest):
            continue
        if _LEAD_PREP.match(sentence[start:]) and not starts_clause(sentence[start:]) and m.group(0).strip() == ",":
            continue  # 'For the user @bob, click ...': a leading container, not a clause
        out.append(sentence[start : m.start()])
        start = pos = m.end()
    out.append(sentence[start:])
    return [c for c in out if c.strip()]


_SUBORD = re.compile(r"^(after|before|once|when|as soon as)\s+(?:you\s+(?:have\s+)?)?(.+?),\s*(.+)$", re.I)
_TAIL_SUBORD = re.compile(r"^(.+?),?\s+\b(after|before|once)\s+(?:you\s+(?:have\s+)?)?(.+)$", re.I)


def _gerund(clause: str) -> str:
    m = re.match(r"([A-Za-z]+)(.*)$", clause, re.S)
    return base_form(m.group(1)) + m.group(2) if m else clause


def _order(sentence: str) -> list[str]:
    """'after X, Y' -> [X, Y]; 'before X, Y' -> [Y, X]; 'X after Y' -> [Y, X]; 'X before Y' -> [X, Y]."""
    m = _SUBORD.match(sentence)
    if m:
        word, first, second = m.group(1).lower(), _gerund(m.group(2)), m.group(3)
        return [second, first] if word == "before" else [first, second]
    m = _TAIL_SUBORD.match(sentence)
    if m and starts_clause(_gerund(m.group(3))) and starts_clause(m.group(1)):
        first, word, second = m.group(1), m.group(2).lower(), _gerund(m.group(3))
        return [first, second] if word == "before" else [second, first]
    return [sentence]


def split_clauses(masked: str) -> list[str]:
    """The ordered clauses of a masked goal (placeholders intact), connectives and politeness dropped."""
    clauses: list[str] = []
    for sentence in _sentences(masked):
        for part in _order(clean(sentence)):
            for clause in _split_sentence(clean(part)):
                c = clean(clause)
                if c:
                    clauses.append(c)
    return clauses


__all__ += ["clean", "drop_polite_tail", "has_quote", "strip_quotes"]
