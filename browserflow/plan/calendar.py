"""Date pickers: a date goes into a read-only date field by opening its calendar, paging to the month and
clicking the day. Recognised by what any calendar widget shows: a month name with a year, previous/next
controls and day numbers 1..31."""

from __future__ import annotations

import re
from datetime import date

from browserflow.contracts import Action, Element, PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action
from browserflow.plan.match import as_date, element_text
from browserflow.plan.model import Expectation
from browserflow.rules.text import norm

__all__ = ["as_date", "ground_date"]

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], 1)}
_SHORT = {k[:3]: v for k, v in _MONTHS.items()}
_PREV = re.compile("^\\s*(prev(ious)?( month)?|\u00ab|\u2039|<|<<|back)\\s*$", re.I)
_NEXT = re.compile("^\\s*(next( month)?|\u00bb|\u203a|>|>>|forward)\\s*$", re.I)
_SHOWN = re.compile(r"\b([A-Za-z]{3,9})\s+(\d{4})\b")


def _shown_month(snap: PageSnapshot) -> tuple[int, int] | None:
    """(year, month) the calendar shows: a month name next to a year (one element or two neighbours)."""
    els = snap.elements
    for i, e in enumerate(els):
        name = norm(e.name)
        m = _SHOWN.search(e.name)
        if m and (m.group(1).lower() in _MONTHS or m.group(1).lower()[:3] in _SHORT) and len(name) <= 20:
            month = _MONTHS.get(m.group(1).lower()) or _SHORT[m.group(1).lower()[:3]]
            return int(m.group(2)), month
        if name in _MONTHS and i + 1 < len(els) and re.fullmatch(r"\d{4}", els[i + 1].name.strip()):
            return int(els[i + 1].name.strip()), _MONTHS[name]
    return None


def _day_cells(snap: PageSnapshot) -> list[Element]:
    return [e for e in snap.elements if re.fullmatch(r"\d{1,2}", e.name.strip()) and not e.disabled
            and (e.role in {"link", "button", "gridcell"} or e.pointer or e.tag in {"a", "td", "button"})]


def _control(snap: PageSnapshot, rx: re.Pattern[str]) -> Element | None:
    for e in snap.elements:
        if rx.match(e.name) or rx.match(e.label) or (e.html_id and rx.match(e.html_id)):
            return e
    return None


def ground_date(step: Step, wanted: date, field: Element | None) -> Grounded | None:
    """Page the calendar to ``wanted``'s month and click its day; open the calendar from ``field`` first."""
    snap = step.snap
    shown = _shown_month(snap)
    days = _day_cells(snap)
    if shown is None or len(days) < 28:
        if field is None:
            return None
        act = click_action(field, step.index, False, effect="none")
        return Grounded([act], 0.75, f"open the calendar of '{element_text(field)}'", chain=False)
    delta = (wanted.year * 12 + wanted.month) - (shown[0] * 12 + shown[1])
    if delta:
        ctl = _control(snap, _PREV if delta < 0 else _NEXT)
        if ctl is None:
            return None
        clicks = [click_action(ctl, step.index, False, effect="none") for _ in range(min(abs(delta), 24))]
        return Grounded(clicks, 0.75, f"page the calendar {abs(delta)} month(s) {'back' if delta < 0 else 'on'}")
    day = next((e for e in days if int(e.name.strip()) == wanted.day), None)
    if day is None:
        return None
    pick: Action = click_action(day, step.index, False)
    if field is not None:
        pick = pick.model_copy(update={"expect": Expectation(
            kind="field_value", selector=field.selector, value=wanted.strftime("%m/%d/%Y"), intent=step.index)})
    return Grounded([pick], 0.8, f"click day {wanted.day} of {wanted:%B %Y}", chain=True)
