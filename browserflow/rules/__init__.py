"""The rules tier: a deterministic form filler and link chooser. Free, fast, no I/O.

``decide_rules`` looks at one page snapshot and answers with a page plan: fill the form the task data fits
(then click its submit button), or else click the link/button whose words best overlap the goal.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence

from browserflow.contracts import Action, DecideInput, Decision
from browserflow.rules.clicks import ClickChoice, choose_click, host_allowed, same_page, unhelpful_urls
from browserflow.rules.forms import FormPlan, click, is_irreversible, plan_forms
from browserflow.rules.harm import harmful_unasked
from browserflow.rules.text import overlap, tokens
from browserflow.secrets import is_sensitive_key

__all__ = [
    "decide_rules",
    "goal_words",
    "harmful_unasked",
    "host_allowed",
    "is_irreversible",
    "same_page",
    "unhelpful_urls",
]

TIER = "rules"
_NOT_WORDS = re.compile(r"@|^\d[\d\s/.:-]*$|^https?://", re.I)


def goal_words(goal: str) -> list[str]:
    """The content words of a goal (stop-words dropped)."""
    return list(tokens(goal))


def _data_words(data: Mapping[str, str], goal: Sequence[str]) -> list[str]:
    """Words of the task's plain data values (not secrets, e-mails, numbers or URLs) that help pick links."""
    out: list[str] = []
    for key, value in data.items():
        if value.startswith("env:") or is_sensitive_key(key) or len(value) > 80 or _NOT_WORDS.search(value.strip()):
            continue
        for t in tokens(value):
            if t not in out and t not in goal and len(t) > 1:
                out.append(t)
    return out


def _labels(actions: Sequence[Action]) -> str:
    names = [f"'{a.label}'" for a in actions if a.label]
    if len(names) > 4:
        return f"{', '.join(names[:4])} and {len(names) - 4} more"
    return ", ".join(names)


def _form_decision(plan: FormPlan, latency: Callable[[], float]) -> Decision | None:
    actions = list(plan.actions)
    fills = _labels(actions)
    if not plan.complete:
        if not actions:
            return Decision(tier=TIER, confidence=0.0, reason="; ".join(plan.missing), latency_ms=latency())
        return Decision(
            actions=actions,
            confidence=0.4,
            tier=TIER,
            reason=f"fill {fills}; not submitting: {'; '.join(plan.missing)}",
            latency_ms=latency(),
        )
    if plan.submit is None:
        if not actions:
            return None
        return Decision(
            actions=actions,
            confidence=0.5,
            tier=TIER,
            reason=f"fill {fills}; no submit button found",
            latency_ms=latency(),
        )
    submit = click(plan.submit)
    actions.append(submit)
    confidence = 0.9 if plan.weakest >= 0.7 else 0.8
    head = f"fill {fills} and click" if plan.actions else "all fields already hold the task data; click"
    return Decision(
        actions=actions,
        confidence=confidence,
        tier=TIER,
        reason=f"{head} '{submit.label}' (matched {', '.join(plan.matched)})",
        latency_ms=latency(),
    )


def _already_submitted(decision: Decision, inp: DecideInput) -> str | None:
    """The label of an irreversible click in ``decision`` that the history shows already ran from this page,
    when the page shows no error that would explain doing it again."""
    snap = inp.snapshot
    if snap.errors or any(e.error for e in snap.elements):
        return None
    here = same_page(snap.url)
    for act in decision.actions:
        if act.kind != "click" or not act.irreversible:
            continue
        for step in inp.history:
            if same_page(step.url) != here:
                continue
            if any(a.kind == "click" and a.irreversible and a.selector == act.selector for a in step.actions):
                return act.label
    return None


def _click_confidence(choice: ClickChoice) -> float:
    s = choice.score
    confidence = 0.8 if s >= 2.0 else 0.65 if s >= 1.0 else 0.45
    if s - choice.runner_up < 0.25:
        confidence -= 0.2  # another candidate fits as well
    if choice.blocked_better:
        confidence = min(confidence, 0.5)
    return round(max(confidence, 0.2), 2)


def _click_decision(choice: ClickChoice, latency: Callable[[], float]) -> Decision:
    kind = "link" if choice.element.role == "link" else "button"
    where = f" in '{choice.element.context}'" if choice.element.context else ""
    return Decision(
        actions=[choice.action],
        confidence=_click_confidence(choice),
        tier=TIER,
        reason=f"click {kind} '{choice.action.label}'{where}: matches {', '.join(choice.matched)}",
        latency_ms=latency(),
    )


def decide_rules(inp: DecideInput) -> Decision:
    """Plan the actions for the page in ``inp.snapshot``. Empty actions (confidence 0) when nothing fits."""
    started = time.perf_counter()

    def latency() -> float:
        return round((time.perf_counter() - started) * 1000, 3)

    snap = inp.snapshot
    goal = goal_words(inp.goal)
    data_words = _data_words(inp.data, goal)
    failed = list(inp.failed_actions)

    def pick_click() -> ClickChoice | None:
        return choose_click(
            snap.elements, snap.url, goal, data_words, failed, inp.allowed_domains, inp.history, inp.goal
        )

    plan = plan_forms(snap.elements, inp.data, goal, failed, snap.truncated, inp.goal)
    decision = _form_decision(plan, latency) if plan is not None else None
    choice: ClickChoice | None = None
    if decision is not None and plan is not None and len(plan.matched) == 1 and plan.fields <= 2:
        # a lone box the data happens to fit (newsletter, search) loses to a link that fits the goal
        submit_fits = plan.submit is not None and overlap(tokens(plan.submit.name), goal) > 0
        if not submit_fits:
            choice = pick_click()
            if choice is not None and _click_confidence(choice) >= 0.6:
                decision = None
    if decision is None:
        choice = choice or pick_click()
        if choice is not None:
            decision = _click_decision(choice, latency)
    if decision is not None and decision.actions:
        repeated = _already_submitted(decision, inp)
        if repeated is not None:
            decision = decision.model_copy(
                update={
                    "confidence": min(decision.confidence, 0.4),
                    "reason": f"{decision.reason}; '{repeated}' already ran from this page and it shows no error",
                }
            )
    if decision is None:
        words = ", ".join(goal[:8]) or "(none)"
        decision = Decision(
            tier=TIER,
            confidence=0.0,
            reason=f"no form field fits the task data and no link or button matches the goal words ({words})",
            latency_ms=latency(),
        )
    return decision
