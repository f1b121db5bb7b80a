"""Goal checks: is the task done on this page, and what does the page say (result extraction)?

Pure functions over a ``PageSnapshot``: no browser, no I/O. The selectors an indicator needs are probed when
the snapshot is taken (``probe_selectors``), so a check never goes back to the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from browserflow.contracts import CheckGoalInput, GoalCheck, PageSnapshot, SuccessIndicator

__all__ = ["SUCCESS_PATTERN", "check_goal", "extract_results", "probe_selectors", "success_message"]

SUCCESS_PATTERN = re.compile(
    r"\b(confirmed|confirmation number|thank(s| you)|success(ful(ly)?)?|registered|registration complete|"
    r"(is|was|now) complete|completed|order (has been )?placed|booking (is )?confirmed|booked|you'?re all set|"
    r"enrolled|subscribed|submitted|received your)\b",
    re.I,
)
_NEGATED = re.compile(r"\b(not|n't|never|no longer)\s*$", re.I)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def probe_selectors(indicators: Iterable[SuccessIndicator]) -> list[str]:
    """The CSS selectors a snapshot must probe for ``indicators`` (order kept, duplicates dropped)."""
    out: list[str] = []
    for ind in indicators:
        if ind.selector is not None and ind.selector not in out:
            out.append(ind.selector)
    return out


def success_message(text: str) -> str | None:
    """The first success phrase in ``text`` that is not negated ("not registered"), else None."""
    for m in SUCCESS_PATTERN.finditer(text):
        if not _NEGATED.search(text[max(0, m.start() - 12) : m.start()]):
            return m.group(0)
    return None


def _holds(ind: SuccessIndicator, snap: PageSnapshot) -> bool:
    if ind.text is not None:
        want = _collapse(ind.text).lower()
        return want in _collapse(snap.text).lower() or want in _collapse(snap.title).lower()
    if ind.url_contains is not None:
        return ind.url_contains in snap.url
    return ind.selector in snap.present_selectors


def _negative(ind: SuccessIndicator) -> str:
    if ind.text is not None:
        return f"text {ind.text!r} not visible"
    if ind.url_contains is not None:
        return f"url does not contain {ind.url_contains!r}"
    return f"selector {ind.selector!r} not present"


def extract_results(text: str, patterns: Mapping[str, str], title: str = "") -> dict[str, str]:
    """Each name -> the first match of its pattern in the page text (then the title): group 1 when the
    pattern has groups, else the whole match. Names whose pattern finds nothing are left out."""
    found: dict[str, str] = {}
    for name, pattern in patterns.items():
        try:
            rx = re.compile(pattern)
        except re.error:
            continue
        for source in (text, title):
            m = rx.search(source)
            if m is None:
                continue
            value = m.group(1) if rx.groups else m.group(0)
            if value is not None:
                found[name] = value
            break
    return found


def check_goal(inp: CheckGoalInput) -> GoalCheck:
    """Met when every given indicator holds; with none, only when something irreversible was just submitted,
    the page shows a success message and no error."""
    snap = inp.snapshot
    data = extract_results(snap.text, inp.extract, snap.title)
    if inp.indicators:
        failing = [ind for ind in inp.indicators if not _holds(ind, snap)]
        if failing:
            return GoalCheck(met=False, reason="; ".join(_negative(i) for i in failing), result_data=data)
        return GoalCheck(met=True, reason="; ".join(i.describe() for i in inp.indicators), result_data=data)

    if not inp.submitted:
        return GoalCheck(met=False, reason="no success indicator given and nothing submitted yet", result_data=data)
    if snap.errors:
        return GoalCheck(met=False, reason=f"the page shows an error: {snap.errors[0]!r}", result_data=data)
    phrase = success_message(f"{snap.title} {snap.text}")
    if phrase is None:
        return GoalCheck(met=False, reason="submitted, but the page shows no success message", result_data=data)
    return GoalCheck(met=True, reason=f"submitted and the page says {phrase!r}", result_data=data)
