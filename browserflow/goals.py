"""Goal checks: is the task done on this page, and what does the page say (result extraction)?

Pure functions over a ``PageSnapshot``: no browser, no I/O. The selectors an indicator needs are probed when
the snapshot is taken (``probe_selectors``), so a check never goes back to the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from browserflow.contracts import CheckGoalInput, GoalCheck, PageSnapshot, SuccessIndicator
from browserflow.patterns import first_match
from browserflow.plan.model import PlanProgress

__all__ = ["RECORD_PATTERN", "SUCCESS_PATTERN", "check_goal", "extract_results", "probe_selectors", "success_message"]

SUCCESS_PATTERN = re.compile(
    r"\b(confirmed|confirmation number|thank(s| you)|success(ful(ly)?)?|registered|registration complete|"
    r"(is|was|now) complete|completed|order (has been )?placed|booking (is )?confirmed|booked|you'?re all set|"
    r"enrolled|subscribed|submitted|received your)\b",
    re.I,
)
# what an application says after a record was written: read only for a record intent's own effect
# (browserflow/plan/verify.py), never by the conservative default above
RECORD_PATTERN = re.compile(
    rf"{SUCCESS_PATTERN.pattern}|\b(created|saved|updated|changed successfully|edited ok|added successfully|"
    r"deleted|removed|retired)\b",
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


def success_message(text: str, pattern: re.Pattern[str] = SUCCESS_PATTERN) -> str | None:
    """The first success phrase in ``text`` that is not negated ("not registered"), else None."""
    for m in pattern.finditer(text):
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
    pattern has groups, else the whole match. Names whose pattern finds nothing are left out. Patterns run on
    RE2, in time linear in the text (``browserflow/patterns.py``)."""
    found: dict[str, str] = {}
    for name, pattern in patterns.items():
        value = first_match(pattern, (text, title))
        if value is not None:
            found[name] = value
    return found


def check_goal(inp: CheckGoalInput) -> GoalCheck:
    """The goal check with the plan: the last step's effects are verified first (``advance``); then met when
    every given indicator holds and every intent the plan could read is done (free-text intents are judged
    by the indicators). With no indicators, a plan that read the whole goal decides alone; otherwise the
    conservative default also needs a submit, a success message and no error."""
    from browserflow.plan.verify import advance, plan_met  # the plan package imports the contracts

    plan = advance(inp)
    base = _check_indicators(inp)
    if plan is None or not plan.states:
        return base.model_copy(update={"plan": plan})
    met, why = plan_met(plan)
    if inp.indicators:
        if not base.met:
            return base.model_copy(update={"plan": plan})
        if not met:
            return base.model_copy(update={"met": False, "reason": f"indicators hold, but {why}", "plan": plan})
        return base.model_copy(update={"reason": f"{base.reason}; {why}", "plan": plan})
    intents = plan.plan.intents
    if all(i.readable for i in intents) and all(
        i.verb != "free" or plan.states[n].status == "done" for n, i in enumerate(intents)
    ):
        unsent = _unsubmitted(plan, inp.snapshot) if met else None
        if unsent is not None:
            return base.model_copy(update={"met": False, "reason": unsent, "plan": plan})
        return base.model_copy(update={"met": met, "reason": why, "plan": plan})
    if not met:
        return base.model_copy(update={"met": False, "reason": why, "plan": plan})
    return base.model_copy(update={"reason": f"{base.reason}; {why}" if base.met else base.reason, "plan": plan})


_SETTERS = frozenset({"fill", "select", "check", "uncheck"})
_SUBMIT_WORDS = re.compile(r"\b(submit|save|send|apply|confirm|ok|done|update|create|register|continue)\b", re.I)


def _unsubmitted(plan: PlanProgress, snap: PageSnapshot) -> str | None:
    """A goal that only sets fields, on a page whose form still offers its submit button: the values are in
    the browser, not saved. Not success: the goal does not say to submit, so the engine does not either."""
    intents = plan.plan.intents
    if not intents or any(i.verb not in _SETTERS for i in intents if i.verb != "free"):
        return None
    buttons = [
        e for e in snap.elements
        if not e.static and not e.disabled and (e.role == "button" or e.type in {"submit", "image"})
        and _SUBMIT_WORDS.search(f"{e.name} {e.label}")
    ]
    if not buttons:
        return None
    return (f"the fields hold the values, but the form is not submitted ('{buttons[0].name}' not pressed) and "
            "the goal does not say to submit it")


def _check_indicators(inp: CheckGoalInput) -> GoalCheck:
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
