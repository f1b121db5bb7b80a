"""Goals that look someone up in a directory and use one of their details: "Find Casie in the contact book
and click on their address". The person is the entry to find (paging through the directory when needed),
the detail is the thing to click, shown next to its label ("Address:") in that entry."""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Draft
from browserflow.plan.lexquote import Quotes, drop_polite_tail
from browserflow.plan.phrases import TargetParts

__all__ = ["read_lookup"]

_LOOKUP = re.compile(
    r"^(?:please\s+)?(?:find|look\s+up|locate|search\s+for|look\s+for)\s+(?P<who>.+?)\s+(?:in|on|from)\s+the\s+"
    r"(?P<book>(?:contact|address|phone|telephone|staff|member|user|customer|people)\s*(?:book|list|directory|"
    r"page|records?)|contacts|directory|phone\s*book|address\s*book)"
    r"\s*(?:,\s*(?:and\s+|then\s+)?|\s+and\s+(?:then\s+)?|\s+then\s+)"
    r"(?:click|tap|press|select)\s+(?:on\s+)?(?:their|his|her|its|the)\s+(?P<detail>[\w\s-]{2,30}?)"
    r"(?:\s+(?:link|button))?\s*[.!]?$",
    re.I,
)


def read_lookup(masked: str, quotes: Quotes) -> list[Draft] | None:
    """The click draft of a directory look-up goal (entity = the person, words = the detail), or None."""
    m = _LOOKUP.match(drop_polite_tail(masked))
    if not m:
        return None
    who = quotes.unmask(m.group("who")).strip().strip("\"'")
    if not who or len(who.split()) > 4:
        return None
    detail = m.group("detail").strip().lower()
    return [Draft("click", target=TargetParts(words=detail, entity=who), text=quotes.unmask(masked.strip()))]
