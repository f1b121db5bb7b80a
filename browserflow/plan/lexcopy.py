"""Goals that carry a value over from the page: "Copy the text from the 3rd text area and paste it into the
text input", "Find the last word in the paragraph, type it into the textbox and press Submit".

The value is the page's own text (an element's value or text, or one word of it), named by where it is, never
guessed: the fill intent's ``ValueSpec`` has source ``copy`` and is resolved against the page when grounded.
The rest of the sentence (", then press Submit") is read by the ordinary clause reader.
"""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Draft
from browserflow.plan.lexicon import ORDINAL_WORDS
from browserflow.plan.lexquote import Quotes
from browserflow.plan.model import COPY_MATH, Constraint, ValueSpec
from browserflow.plan.phrases import parse_target

__all__ = ["read_copy"]

_ORD = r"(?:\d+(?:st|nd|rd|th)|" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r")"
_NOUN = r"(?:text\s*areas?|textareas?|text\s*box(?:es)?|textbox(?:es)?|paragraphs?|passages?|text\s+fields?|fields?|boxes|box|text)"
_COPY = re.compile(
    rf"^(?:please\s+)?(?:copy|find|take|read|get|locate)\s+the\s+(?:(?P<ord1>{_ORD})\s+)?(?P<part>word|text|contents?)\s+"
    rf"(?:(?:in|from|of|inside)\s+the\s+(?:(?P<ord2>{_ORD})\s+)?(?P<noun>{_NOUN})\s*(?:below|above|shown)?)?\s*"
    rf"(?:,\s*(?:and\s+|then\s+)?|\s+and\s+(?:then\s+)?|\s+then\s+)"
    rf"(?:paste|type|enter|put|write|insert|fill)\s+(?:it|that|this|them|the\s+(?:word|text))\s+(?:into|in|inside|to)\s+"
    rf"(?P<dest>.+?)(?P<rest>(?:\s*,\s*|\s+and\s+|\s+then\s+).*)?$",
    re.I,
)


_EACH = re.compile(
    r"^(?:please\s+)?(?:enter|type|fill\s+in|put|write|copy)\s+the\s+values?\s+(?:that\s+)?"
    r"(?:corresponds?|correspond(?:ing)?|matching|match(?:es)?|goes|go|belongs?|belonging)\s+(?:with|to)\s+"
    r"(?:each|every|its|their)\s+(?:labels?|fields?|names?)\s+(?:into|in|on|onto)\s+(?P<dest>.+?)"
    r"(?P<rest>(?:\s*,\s*|\s+and\s+|\s+then\s+).*)?$",
    re.I,
)


_SOLVE = re.compile(
    r"^(?:please\s+)?(?:solve|work\s+out|compute|calculate|answer)\s+(?:the\s+)?"
    r"(?P<what>(?:math(?:s|ematical)?\s+|arithmetic\s+)?(?:problem|equation|sum|question|expression)|for\s+[a-z])"
    r"(?:\s+(?:below|above|shown))?\s*(?:,\s*(?:and\s+|then\s+)?|\s+and\s+(?:then\s+)?|\s+then\s+)"
    r"(?:type|enter|put|write|fill\s+in)\s+(?:your|the|its)?\s*(?:answer|result|solution|value)\s+(?:into|in|inside)\s+"
    r"(?P<dest>.+?)(?P<rest>(?:\s*[,.]\s*|\s+and\s+|\s+then\s+).*)?$",
    re.I,
)
_BELOW = re.compile(
    r"^(?:please\s+)?(?:type|enter|write|copy|put)\s+the\s+(?:text|word|letters|characters|code)\s+"
    r"(?:shown\s+)?(?P<where>below|above)\s+(?:into|in|inside)\s+(?P<dest>.+?)"
    r"(?P<rest>(?:\s*,\s*|\s+and\s+|\s+then\s+).*)?$",
    re.I,
)


def _rest(text: str | None) -> str:
    return re.sub(r"^(?:\s*[,.]\s*|\s+)(?:and\s+|then\s+)*", "", text or "")


def _ordinal(word: str | None) -> int | None:
    if not word:
        return None
    low = word.lower()
    if low in ORDINAL_WORDS:
        return ORDINAL_WORDS[low]
    m = re.match(r"(\d+)", low)
    return int(m.group(1)) if m else None


def _noun(text: str | None) -> str:
    low = re.sub(r"\s+", " ", (text or "text").lower())
    if re.match(r"text ?areas?$", low):
        return "textarea"
    if re.match(r"(?:paragraph|passage)s?$", low):
        return "paragraph"
    if low == "text":
        return "text"
    return "field"


def read_copy(masked: str, quotes: Quotes) -> tuple[list[Draft], str] | None:
    """(the fill draft, the rest of the goal still to read), or None when the goal carries no page value."""
    m = _EACH.match(masked.strip())
    if m:  # every field takes the value the page shows next to the field's own label
        fill = Draft("fill", target=parse_target(m.group("dest"), quotes), value=ValueSpec(source="page", literal=""),
                     constraints=[Constraint(kind="all", text="each label")], text=quotes.unmask(masked.strip()))
        fill.target.words = ""
        fill.target.role = fill.target.role or "textbox"
        return [fill], _rest(m.group("rest"))
    for pattern in (_SOLVE, _BELOW):
        m = pattern.match(masked.strip())
        if m:
            kind = COPY_MATH if pattern is _SOLVE else f"text {m.group('where').lower()}"  # one of COPY_NEAR
            spec = ValueSpec(source="copy", literal=kind)
            fill = Draft("fill", target=parse_target(m.group("dest"), quotes), value=spec,
                         text=quotes.unmask(masked.strip()[: m.start("rest") if m.group("rest") else None]))
            return [fill], _rest(m.group("rest"))
    m = _COPY.match(masked.strip())
    if not m:
        return None
    word = _ordinal(m.group("ord1")) if m.group("part").lower() == "word" else None
    if m.group("part").lower() == "word" and word is None:
        return None
    ordinal = _ordinal(m.group("ord2"))
    spec = ValueSpec(source="copy", literal=_noun(m.group("noun")), ordinal=ordinal, word=word)
    target = parse_target(re.sub(r"\s+(?:below|above)$", "", m.group("dest").strip(), flags=re.I), quotes)
    fill = Draft("fill", target=target, value=spec, text=quotes.unmask(masked.strip()[: m.start("rest") if m.group("rest") else None]))
    rest = _rest(m.group("rest"))
    return [fill], rest
