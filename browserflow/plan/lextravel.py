"""A trip told in one phrase: "book the cheapest flight from: Sitka, AK to: Hoonah, AK on 10/14/2016".

A travel search form asks the same three things everywhere: where from, where to, and the day. ``read_trip``
takes them out of a booking clause (``from X to Y``, colons or not, then ``on`` / ``departing`` a date) as
fill intents for the fields labelled *From*, *To* and *Date* (matched by label on the page, not by any id),
then the search form's *Search* button; what is left ("the one-way flight") is the item to choose among the
results. Only for a travel noun (flight, train, bus, ticket, trip, ...) or the labelled ``from:`` / ``to:``
form: "a redirect from /a/ to /b/" stays a record with two fields.
"""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Ctx, Draft, with_transform
from browserflow.plan.phrases import TargetParts, looks_date, parse_value

__all__ = ["read_trip"]

_TRAVEL = re.compile(
    r"\b(?:flights?|planes?|airfares?|fares?|trains?|rail|bus(?:es)?|coach(?:es)?|ferr(?:y|ies)|tickets?|trips?"
    r"|journeys?|rides?|cruises?|seats?|passages?)\b",
    re.I,
)
_TRIP = re.compile(
    r"^(?P<noun>.*?)\s*\bfrom(?P<colon>:)?\s+(?P<a>.+?)\s+to:?\s+(?P<b>.+?)"
    r"(?:\s*,?\s+(?:on|departing(?:\s+on)?|leaving(?:\s+on)?|for)\s+(?P<d>[^,]+?))?\s*$",
    re.I,
)


def read_trip(rest: str, ctx: Ctx) -> tuple[str, list[Draft]] | None:
    """(the item noun left, the fill drafts and the search click) for a trip phrase; None when it is none."""
    m = _TRIP.match(rest.strip())
    if m is None or not (m.group("colon") or _TRAVEL.search(m.group("noun"))):
        return None
    date = m.group("d")
    if date is not None and not looks_date(date):
        return None  # "on the 14th" or "on Delta": not a day this reads
    drafts: list[Draft] = []
    for label, said in (("from", m.group("a")), ("to", m.group("b")), ("date", date)):
        if said is None:
            continue
        spec, _ = parse_value(said.strip(), ctx.quotes, ctx.data, bare=True)
        if spec is None:
            return None
        spec = with_transform(spec, None, None, False, label)
        drafts.append(Draft("fill", target=TargetParts(words=label), value=spec))
    drafts.append(Draft("click", target=TargetParts(words="search", role="button")))
    return m.group("noun").strip(), drafts
