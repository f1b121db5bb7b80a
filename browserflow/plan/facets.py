"""A search told in one sentence, on a form of several criteria: split the query over the labelled fields.

"Search for action movies directed by Bowen from year 1998" on a search form with the fields *Genre*,
*Director* and *Year*: each field whose label word the query names ("directed" ~ *Director*, "year" ~ *Year*)
takes the words after it ("Bowen", "1998"); one field left over takes the words the query puts before its
first criterion, less the thing searched for ("action" of "action movies"). The split is all or nothing:
every field gets one value, every word of the query is used, else there is no split (the engine says it
cannot ground the search rather than guess a criterion).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from browserflow.contracts import Element

__all__ = ["split_query"]

# words that join a criterion to its value, or one criterion to the next
_JOINERS = frozenset({"by", "of", "from", "in", "is", "with", "for", "on", "at", "named", "called", "the", "a",
                      "an", "and", "whose", "which", "that", "to", "as"})
_FIELD_NOISE = frozenset({"name", "the", "of", "a", "an", "your", "enter", "type", "field", "box", "value"})
_WORD = re.compile(r"[\w'@.-]+", re.UNICODE)
_STEM = 5  # letters two words must share at the start to be read as one ("directed" ~ "director")


def _words(text: str) -> list[str]:
    return [w.strip(".").lower() for w in _WORD.findall(text) if w.strip(".")]


# a criterion the query names by another word of the same kind ("from year 1998" for a *Released date* field)
_KINDRED = {"date": ("year", "released", "release", "dated"), "year": ("date", "released", "release")}


def _field_words(e: Element) -> list[str]:
    """The words that name a field: the head of its label ('Genre' of 'Movie Genre': the first word may be the
    thing searched for), with the words of the same kind."""
    said = e.label or e.placeholder or e.context or e.name or e.html_name
    words = [w for w in _words(said) if w not in _FIELD_NOISE and not w.isdigit()]
    if not words:
        return []
    head = words[-1]
    return [head, *_KINDRED.get(head, ())]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    n = min(len(a), len(b))
    return n >= _STEM and a[:_STEM] == b[:_STEM]


def _anchor(query: list[str], words: list[str], taken: set[int]) -> int | None:
    """Where the query names this field (one match only, else the field is not named)."""
    hits = [i for i, q in enumerate(query) if i not in taken and q not in _JOINERS and any(_same_word(q, w)
                                                                                            for w in words)]
    return hits[0] if len(hits) == 1 else None


def split_query(query: str, fields: Sequence[Element]) -> list[tuple[Element, str]] | None:
    """Each field with the part of ``query`` meant for it, in the fields' order; None when the query does not
    split cleanly over these fields (fewer than two fields, a field named twice or not at all, words left)."""
    if len(fields) < 2:
        return None
    q = _words(query)
    named = [(e, _field_words(e)) for e in fields]
    if any(not words for _, words in named):
        return None
    anchors: dict[int, int] = {}  # field index -> query position of its label word
    for fi, (_, words) in enumerate(named):
        at = _anchor(q, words, set(anchors.values()))
        if at is not None:
            anchors[fi] = at
    if not anchors:
        return None
    starts = sorted(anchors.values())
    used: set[int] = set(starts)
    values: dict[int, str] = {}
    for fi, at in anchors.items():
        nxt = min([s for s in starts if s > at] + [len(q)])
        i = at + 1
        while i < nxt and q[i] in _JOINERS:
            used.add(i)
            i += 1
        part: list[int] = []
        while i < nxt and q[i] not in _JOINERS:
            part.append(i)
            i += 1
        if not part:
            return None
        used.update(part)
        values[fi] = " ".join(_original(query, q, part))
        # the joiners before the next criterion ("... Bowen from year 1998") belong to it
        while i < nxt and q[i] in _JOINERS:
            used.add(i)
            i += 1
        if i < nxt:
            return None  # more words after the value than a joiner: not read
    rest = [i for i in range(len(q)) if i not in used and q[i] not in _JOINERS]
    left = [fi for fi in range(len(named)) if fi not in anchors]
    if len(left) > 1 or (left and not rest) or (not left and rest):
        return None
    if left:
        if any(i > starts[0] for i in rest):
            return None  # a leftover word among the criteria: not read
        lead = rest[:-1] if len(rest) > 1 and q[rest[-1]].endswith("s") else rest  # "action movies" -> action
        if not lead or lead != list(range(lead[0], lead[-1] + 1)):
            return None
        values[left[0]] = " ".join(_original(query, q, lead))
    return [(named[fi][0], values[fi]) for fi in range(len(named))]


def _original(query: str, lowered: list[str], positions: list[int]) -> list[str]:
    """The query's own spelling (case kept) of the words at ``positions``."""
    raw = [w.strip(".") for w in _WORD.findall(query) if w.strip(".")]
    return [raw[i] for i in positions] if len(raw) == len(lowered) else [lowered[i] for i in positions]
