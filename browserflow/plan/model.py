"""The goal plan: what a goal asks for, as ordered intents the engine serves one at a time.

``compile_goal`` (``browserflow/plan/compiler.py``) turns goal text + task data into a ``GoalPlan``; the rules
tier grounds the *current* intent on the page (``ground.py``); after acting, each action's expected effect is
checked on the new snapshot (``verify.py``); an intent is done only when its effect was seen. These models
travel in workflow history (they are part of the task state), so they hold no secret values: a value from
the task data is named by its key, never copied.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from browserflow.plan.comparison import CompareOp, Condition, Guard

__all__ = [
    "COPY_MATH",
    "COPY_NEAR",
    "IMPLIED_WHY",
    "WRITE_VERBS",
    "CompareOp",
    "Condition",
    "Constraint",
    "ConstraintKind",
    "EffectKind",
    "Expectation",
    "GoalPlan",
    "Guard",
    "Intent",
    "IntentState",
    "IntentStatus",
    "PlanProgress",
    "Target",
    "Transform",
    "ValueSource",
    "ValueSpec",
    "Verb",
]

_FROZEN = ConfigDict(extra="forbid")

IMPLIED_WHY = "the goal's entries are completed by the form's one submit button"
"""Why an entries-only goal ends with a submit it does not say (``Intent.implied``)."""

Verb = Literal[
    "navigate",  # open / go to / visit a page, section or tab
    "login",  # log in / sign in (credentials from the task data)
    "click",  # click / press / tap a button, link or element
    "fill",  # type / enter / fill a value into a field
    "select",  # select / choose an option (dropdown, list, radio group)
    "check",  # tick a checkbox (or each of several: ``Target.items``)
    "uncheck",
    "focus",  # put the cursor in a field
    "search",  # type a query into a search box and run it
    "create",  # create / add / register a new record (fields from values)
    "edit",  # edit / change / set / rename a field of an existing record
    "delete",  # delete / remove a record
    "add_to",  # add X to Y (membership)
    "remove_from",  # remove X from Y
    "confirm",  # confirm a dialog or a confirmation page
    "submit",  # submit / save / send / press the form's submit
    "expand",  # expand a section, open a menu
    "hover",  # point at an item (a menu entry that opens its submenu under the pointer)
    "scroll",  # scroll the page or a box to its end ("scroll to the bottom of the agreement")
    "close",  # close / dismiss a dialog or popup
    "free",  # a part of the goal the compiler could not read: left to the model tiers
]

#: verbs whose intent writes something (an irreversible action is expected while serving them)
WRITE_VERBS = frozenset({"create", "edit", "delete", "add_to", "remove_from", "submit", "confirm", "login"})

ValueSource = Literal["literal", "data", "page", "copy"]
COPY_MATH = "math problem"
"""A ``copy`` value's source that is the answer to the math problem the page shows."""
COPY_NEAR = ("text below", "text above")
"""``copy`` value sources read next to the page's own instructions, not from one element."""
Transform = Literal["lower", "upper", "title", "date", "time", "trim"]


class ValueSpec(BaseModel):
    """Where a value comes from: a literal of the goal, a task data key, or a value the page shows next to a
    label ("enter the value of Color": source page, literal 'Color'); any of them with a transform."""

    model_config = _FROZEN

    source: ValueSource
    literal: str | None = Field(
        default=None, description="the text (source literal), or the page label to read the value from (source page)"
    )
    key: str | None = Field(default=None, description="the task data key, when source is data")
    transform: Transform | None = None
    format: str | None = Field(default=None, description="target format for a date/time transform, e.g. '%Y-%m-%d'")
    reuse: bool = Field(default=False, description="the goal says to type this value into more than one field")
    ordinal: int | None = Field(
        default=None, description="source copy: which of the page's elements of that kind (1-based, -1 the last)"
    )
    word: int | None = Field(default=None, description="source copy: only this word of its text (1-based, -1 the last)")
    prefix: bool = Field(
        default=False, description="the literal is only how the value starts ('an item that starts with \"An\"')"
    )
    suffix: str | None = Field(default=None, description="with prefix: how the value must end ('... ends with \"ca\"')")

    def describe(self) -> str:
        """Provenance as the step log shows it: ``goal literal "Jerald"``, ``data.email``."""
        if self.source == "literal":
            base = f'goal literal "{self.literal}"'
        elif self.source == "page":
            base = f'page value of "{self.literal}"' if self.literal else "page value next to each field's label"
        elif self.source == "copy" and self.literal == COPY_MATH:
            base = "page: the answer to the math problem shown"
        elif self.source == "copy":
            which = "" if self.ordinal is None else ("last " if self.ordinal == -1 else f"#{self.ordinal} ")
            part = "" if self.word is None else ("last word of " if self.word == -1 else f"word {self.word} of ")
            base = f"page text: {part}the {which}{self.literal}"
        else:
            base = f"data.{self.key}"
        if self.prefix:
            base = f"a value starting with {base}" + (f' and ending with "{self.suffix}"' if self.suffix else "")
        if self.transform:
            base = f"{base} ({self.transform}{' ' + self.format if self.format else ''})"
        return base


class Target(BaseModel):
    """What an intent acts on, as the goal describes it."""

    model_config = _FROZEN

    words: str = Field(default="", description="the target's own words: 'Submit', 'Last name', 'issue'")
    entity: str = Field(
        default="", description="the named record it is about: the issue 'Login is slow', the user 'bob', item X"
    )
    role: str = Field(default="", description="button, link, textbox, checkbox, radio, option, tab, menuitem, ...")
    ordinal: int | None = Field(default=None, description="1-based; -1 for 'last'")
    container: str = Field(
        default="",
        description="'dialog', or the words of the row/section it lives in; for add_to/remove_from: the Y",
    )
    items: list[str] = Field(default_factory=list, description="several targets of one verb: 'check A, B and C'")
    exact: bool = Field(default=False, description="the words were quoted: match them exactly")

    def describe(self) -> str:
        parts: list[str] = []
        if self.ordinal is not None:
            parts.append("last" if self.ordinal == -1 else f"#{self.ordinal}")
        if self.items:
            parts.append(", ".join(f"'{i}'" for i in self.items))
        elif self.words:
            parts.append(f"'{self.words}'")
        if self.entity:
            parts.append(f"'{self.entity}'")
        if self.role:
            parts.append(self.role)
        if self.container:
            parts.append(f"in {self.container}")
        return " ".join(parts) or "(page)"


ConstraintKind = Literal["only", "not", "all", "each", "nothing", "count", "best", "classify"]


class Constraint(BaseModel):
    """A limit the goal sets: 'and no other' (only), 'do not …' (not), 'all of …' (all), 'select nothing',
    'on 2 posts by @ann' (count: ``text`` is the number; with ``all``, every one of them), 'the cheapest
    ticket' (best: ``text`` is ``min price`` / ``max duration``), 'mark the numbers as odd or even' (classify:
    ``text`` is the predicate, ``parity``)."""

    model_config = _FROZEN

    kind: ConstraintKind
    text: str = Field(default="", description="the words the constraint is about")


EffectKind = Literal[
    "field_value",  # the field holds the value
    "checked",
    "unchecked",
    "selected",  # the option / radio is selected
    "focused",
    "navigated",  # the page moved on (address, title or content)
    "listed",  # the entity now appears
    "gone",  # the entity no longer appears
    "message",  # a message names the entity
    "clicked",  # the click ran and the page reacted
    "logged_in",  # the sign-in form is gone
    "none",  # nothing checkable (free text)
]


class Expectation(BaseModel):
    """The effect one action is expected to have, checked on the snapshot after acting."""

    model_config = _FROZEN

    kind: EffectKind
    selector: str = Field(default="", description="the element the effect is read from")
    value: str = Field(default="", description="the expected value; for secrets, the data key as {key}")
    prefix: bool = Field(default=False, description="field_value: the value only has to start with ``value``")
    suffix: str = Field(default="", description="field_value with prefix: the value must also end with this")
    intent: int | None = Field(default=None, description="the intent this action serves")


_HINT = re.compile(
    r"^\s*(?:and\s+|then\s+)?(?:to\s+)?(?:switch(?:ing)?\s+between\s+(?:the\s+)?tabs|navigate\s+through\s+the\s+"
    r"[\w\s]{1,30}|go\s+through\s+the\s+[\w\s]{1,30}|find|look|search)\s*[.,;]?\s*$",
    re.I,
)


_WAIT = re.compile(
    r"^\s*(?:and\s+|then\s+)?wait(?:\s+for)?\s+(?:(\d+(?:\.\d+)?)|(a|one|two|three|four|five))\s*"
    r"(seconds?|secs?|s)\b\s*[.,;]?\s*$",
    re.I,
)
_NUMBERS = {"a": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0}


class Intent(BaseModel):
    """One thing the goal asks for, in order."""

    model_config = _FROZEN

    verb: Verb
    target: Target = Field(default_factory=Target)
    value: ValueSpec | None = None
    fields: dict[str, ValueSpec] = Field(
        default_factory=dict, description="for create/edit/login: field words -> value ('title' -> goal literal)"
    )
    constraints: list[Constraint] = Field(default_factory=list)
    effect: EffectKind = "clicked"
    irreversible: bool = Field(default=False, description="serving it takes an irreversible action")
    text: str = Field(default="", description="the words of the goal this intent was read from")
    implied: bool = Field(
        default=False,
        description="not said by the goal: the submit that completes a goal made only of entries (``implied.py``)",
    )
    when: Condition | None = Field(
        default=None, description="act once, only when this holds on the page (waiting for it): 'buy when …'"
    )
    until: Condition | None = Field(
        default=None, description="act again until this holds on the page: 'click Roll until the number is 6'"
    )

    @property
    def best(self) -> str | None:
        """The superlative the intent chooses by ("min price", "max duration"), if any."""
        return next((c.text for c in self.constraints if c.kind == "best" and c.text), None)

    @property
    def is_hint(self) -> bool:
        """A free-text part that asks for no change of its own ("switch between the tabs to find", "wait a
        second"): grounding passes over it to the next intent."""
        return self.verb == "free" and bool(_HINT.match(self.text))

    @property
    def wait_seconds(self) -> float | None:
        """For a free-text "wait 2 seconds": the pause it asks for."""
        if self.verb != "free":
            return None
        m = _WAIT.match(self.text)
        if m is None:
            return None
        return float(m.group(1)) if m.group(1) else _NUMBERS[m.group(2).lower()]

    @property
    def readable(self) -> bool:
        """Understood well enough to verify: any verb but free, or a free hint / wait."""
        return self.verb != "free" or self.is_hint or self.wait_seconds is not None

    def describe(self) -> str:
        """'set 'Last name' to {last_name}', 'click 'Submit' button', 'free: …'."""
        if self.verb == "free":
            return f"free: {self.text}"
        if self.implied:
            return f"{self.verb} (implied: {IMPLIED_WHY})"
        head = {"fill": "type", "add_to": "add", "remove_from": "remove"}.get(self.verb, self.verb)
        value = ""
        if self.value is not None:
            value = f" <- {self.value.describe()}"
        fields = ""
        if self.fields:
            fields = " with " + ", ".join(f"{k} <- {v.describe()}" for k, v in self.fields.items())
        cond = ""
        if self.when is not None:
            cond = f" when {self.when.describe()}"
        elif self.until is not None:
            cond = f" until {self.until.describe()}"
        return f"{head} {self.target.describe()}{value}{fields}{cond}"


class GoalPlan(BaseModel):
    """The compiled goal: ordered intents, what could not be read, and whether it asks for any write."""

    model_config = _FROZEN

    goal: str
    intents: list[Intent] = Field(default_factory=list)
    unparsed: list[str] = Field(default_factory=list, description="parts of the goal left as free text")
    writes: bool = Field(default=False, description="the goal asks for a change (create/edit/delete/submit ...)")
    data_keys: list[str] = Field(default_factory=list, description="the task data keys the plan uses")

    @property
    def complete(self) -> bool:
        """Every part of the goal was read (no free-text intent, nothing unparsed)."""
        return not self.unparsed and all(i.verb != "free" for i in self.intents)

    def describe(self) -> str:
        lines = [f"{n}. {i.describe()}" for n, i in enumerate(self.intents, 1)]
        if self.unparsed:
            lines.append("not understood (left to the model tiers): " + "; ".join(self.unparsed))
        return "\n".join(lines)


IntentStatus = Literal["pending", "current", "done", "failed"]
_MARKS: dict[str, str] = {"done": "x", "current": ">", "pending": " ", "failed": "!"}


class IntentState(BaseModel):
    """How far one intent has got, with the evidence that it is done."""

    index: int
    status: IntentStatus = "pending"
    evidence: str = ""
    step: int | None = Field(default=None, description="the step that verified it")


class PlanProgress(BaseModel):
    """The plan as the workflow keeps it: the intents and where each stands."""

    plan: GoalPlan
    states: list[IntentState] = Field(default_factory=list)

    @classmethod
    def start(cls, plan: GoalPlan) -> PlanProgress:
        states = [IntentState(index=i) for i in range(len(plan.intents))]
        if states:
            states[0].status = "current"
        return cls(plan=plan, states=states)

    @property
    def current(self) -> int | None:
        """The index of the first intent not done, or None when all are."""
        for s in self.states:
            if s.status != "done":
                return s.index
        return None

    @property
    def all_done(self) -> bool:
        return bool(self.states) and all(s.status == "done" for s in self.states)

    def mark_done(self, index: int, evidence: str, step: int | None = None) -> None:
        if 0 <= index < len(self.states):
            self.states[index].status = "done"
            self.states[index].evidence = evidence
            self.states[index].step = step
        nxt = self.current
        if nxt is not None and self.states[nxt].status == "pending":
            self.states[nxt].status = "current"

    def reopen(self, first: int, last: int) -> None:
        """Serve intents ``first`` .. ``last`` again ("delete each message from Ann": the next one is listed)."""
        for i in range(first, min(last, len(self.states) - 1) + 1):
            self.states[i].status = "current" if i == first else "pending"
            self.states[i].evidence = ""
            self.states[i].step = None

    def lines(self, *, evidence: bool = True, width: int | None = None) -> list[str]:
        """One line per intent: ``[x] 1. click 'Submit' button — <evidence>``; ``[>]`` current, ``[ ]`` pending,
        ``[!]`` failed. ``width``: each intent's words collapsed and cut to that many characters."""
        out: list[str] = []
        for state in self.states:
            text = self.plan.intents[state.index].describe()
            if width is not None:
                text = " ".join(text.split())
                text = text[: width - 1] + "\u2026" if len(text) > width else text
            line = f"[{_MARKS[state.status]}] {state.index + 1}. {text}"
            if evidence and state.status in {"done", "failed"} and state.evidence:
                line += f" \u2014 {state.evidence}"
            out.append(line)
        return out

    def headline(self) -> str:
        """'intent 2/4: set 'Last name' <- data.last_name' (or 'plan done: 4/4 intents verified')."""
        n = len(self.states)
        cur = self.current
        if cur is None:
            return f"plan done: {n}/{n} intents verified"
        return f"intent {cur + 1}/{n}: {self.plan.intents[cur].describe()}"
