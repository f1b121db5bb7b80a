"""The goal compiler: goal text + task data -> GoalPlan. Deterministic, no I/O, never raises.

Pipeline: mask quoted literals (``lexquote``) -> split into ordered clauses -> per clause: constraints
('only', 'do not', 'all of', 'nothing'), a leading container ('For the user @bob, ...'), the verb
(``lexicon.match_verb``) and its reader (``lexverbs.READERS``) -> drafts -> whole-goal passes (login credentials,
the fields of a create that names none, data keys used, writes). A clause nothing reads stays a ``free`` intent
with its text in ``GoalPlan.unparsed``. Task data values are never copied: values are named by their keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from browserflow.plan.act import irreversible_words
from browserflow.plan.classify import read_classify
from browserflow.plan.conditions import lead_condition, read_generate, split_condition
from browserflow.plan.lexcopy import read_copy
from browserflow.plan.lexicon import (
    COMMIT_WORDS,
    CREDENTIAL_KEYS,
    EFFECTS,
    PASSWORD_KEYS,
    USERNAME_KEYS,
    match_verb,
)
from browserflow.plan.lexlookup import read_lookup
from browserflow.plan.lexmail import read_message_goal
from browserflow.plan.lexquote import Quotes, mask_quotes, split_clauses
from browserflow.plan.lexrecords import entity_field, read_find
from browserflow.plan.lexverbs import READERS, Ctx, Draft, with_transform
from browserflow.plan.model import WRITE_VERBS, Constraint, EffectKind, GoalPlan, Intent, Target, ValueSpec
from browserflow.plan.phrases import TargetParts, strip_articles
from browserflow.plan.superlative import read_best

__all__ = ["compile_goal"]

_IRREVERSIBLE = frozenset({"create", "edit", "delete", "add_to", "remove_from", "submit", "confirm", "login"})
_NEGATION = re.compile(r"^(?:do\s+not|don't|dont|never|avoid|without)\s+(.+)$", re.I)
_WITHOUT = re.compile(r"\s*,?\s*\bwithout\s+(.+)$", re.I)
_ONLY_TAIL = re.compile(r"\s*,?\s*(?:and\s+)?(?:no\s+others?|nothing\s+else|no\s+other\s+\w+|none\s+of\s+the\s+others)\s*$", re.I)
_ONLY_WORD = re.compile(r"\bonly\s+", re.I)
_ALL = re.compile(r"^(?:all\s+(?:of\s+)?(?:the\s+)?|every\s+|each\s+(?:of\s+the\s+)?)(.+)$", re.I)
_LEAD_CONTAINER = re.compile(r"^(?:for|in|on|within|inside|under)\s+(.+?),\s*(.+)$", re.I)
_USE = re.compile(r"^use\s+(.+?)\s+to\s+(.+)$", re.I)
_RECORD_NOUNS = re.compile(r"^(?:user|contact|person|customer|row|entry|item|member|employee|product|account|tweet|post)\s+", re.I)


def _commit(words: str) -> bool:
    low = " ".join(re.findall(r"[a-z]+", words.lower()))
    if not low:
        return False
    if low in COMMIT_WORDS:
        return True
    tokens = low.split()
    return len(tokens) <= 3 and (tokens[0] in COMMIT_WORDS or " ".join(tokens[:2]) in COMMIT_WORDS)


def _clause_drafts(clause: str, quotes: Quotes, data: Mapping[str, str]) -> tuple[list[Draft] | None, list[Constraint]]:
    """Read one masked clause: its drafts (None when unreadable) and the constraints it states."""
    constraints: list[Constraint] = []
    ctx = Ctx(quotes=quotes, data=data)
    m = _LEAD_CONTAINER.match(clause)
    if m and match_verb(m.group(2)):
        ctx.container = quotes.unmask(_RECORD_NOUNS.sub("", strip_articles(m.group(1)))).strip()
        if re.fullmatch(r"(?:dialog(?:\s+box)?|pop-?up|modal)", ctx.container, re.I):
            ctx.container = "dialog"
        clause = m.group(2)
    said, (clause, best) = clause, read_best(clause)
    if best:
        constraints.append(Constraint(kind="best", text=best))
    m = _USE.match(clause)
    if m and match_verb(m.group(2)):
        clause = f"{m.group(2)} using {m.group(1)}"
    m = _WITHOUT.search(clause)
    if m:
        constraints.append(Constraint(kind="not", text=quotes.unmask(m.group(1))))
        clause = clause[: m.start()]
    if _ONLY_TAIL.search(clause):
        constraints.append(Constraint(kind="only"))
        clause = _ONLY_TAIL.sub("", clause)
    found = read_find(clause, ctx)
    if found is not None:
        found[0].text = quotes.unmask(said)
        return found, constraints
    verb = match_verb(clause)
    if verb is None:
        return None, constraints
    name, ctx.phrase, rest = verb
    if _ONLY_WORD.match(rest):
        constraints.append(Constraint(kind="only"))
        rest = _ONLY_WORD.sub("", rest, count=1)
    m = _ALL.match(rest)
    if m:
        constraints.append(Constraint(kind="all", text=quotes.unmask(m.group(1))))
        rest = m.group(1)
    drafts = READERS[name](rest.strip(), ctx)
    if drafts is None:
        return None, constraints
    for d in drafts:
        if ctx.container and not d.target.container:
            d.target.container = ctx.container
        # the superlative is the chosen item's ("the cheapest flight from X to Y": not the fields of the search)
        own = constraints if d is drafts[-1] else [c for c in constraints if c.kind != "best"]
        d.constraints = [*d.constraints, *own]
        d.text = quotes.unmask(said)
    return drafts, []


def _keys_of(d: Draft) -> list[str]:
    specs = [d.value, *d.fields.values()]
    return [s.key for s in specs if s is not None and s.source == "data" and s.key]


def _first_key(data: Mapping[str, str], candidates: tuple[str, ...]) -> str | None:
    lower = {k.lower(): k for k in data}
    for c in candidates:
        if c in lower:
            return lower[c]
    return None


def _login_fields(d: Draft, data: Mapping[str, str]) -> None:
    names = {n.replace(" ", "").replace("_", "") for n in d.fields}
    has_user = bool(names & {"username", "user", "email", "login", "emailaddress", "username".replace("_", "")})
    if not has_user:
        key = _first_key(data, USERNAME_KEYS)
        if key is not None:
            d.fields[key.replace("_", " ").lower()] = ValueSpec(source="data", key=key)
    if not names & {"password", "passcode", "pin", "pass"}:
        key = _first_key(data, PASSWORD_KEYS)
        if key is not None:
            d.fields[key.replace("_", " ").lower()] = ValueSpec(source="data", key=key)


def _effect(d: Draft) -> EffectKind:
    if d.verb == "edit" and d.target.entity:
        return "message"
    effect: EffectKind = EFFECTS[d.verb]  # type: ignore[assignment]
    return effect


def _intent(d: Draft) -> Intent:
    t = d.target
    target = Target(words=t.words, entity=t.entity, role=t.role, ordinal=t.ordinal, container=t.container,
                    items=list(d.items), exact=t.exact)
    irreversible = d.verb in _IRREVERSIBLE or (d.verb == "click" and (d.commit or _commit(t.words)))
    return Intent(verb=d.verb, target=target, value=d.value, fields=dict(d.fields), constraints=list(d.constraints),
                  effect=_effect(d), irreversible=irreversible, text=d.text, when=d.when, until=d.until)


def _free(text: str, constraints: list[Constraint] | None = None) -> Draft:
    return Draft("free", constraints=list(constraints or []), text=text)


_CONDITIONAL_VERBS = frozenset({"click", "submit", "confirm"})
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _conditional(clause: str, quotes: Quotes, data: Mapping[str, str]) -> list[Draft] | None:
    """A clause whose action waits on, or repeats until, a condition on a number the page shows: 'buy X when
    the price is below $5' (a one-click write, once), 'click Roll until the number is odd', 'generate a
    number less than 5' (the verb's own control, again and again). None when the clause states no such
    condition, or its action is not one click (a write repeated until something holds is never read)."""
    said = quotes.unmask(clause)
    marks = read_classify(clause)
    if marks is not None:
        return marks
    gen = read_generate(clause)
    if gen is not None:
        verb, cond = gen
        return [Draft("click", target=TargetParts(words=verb), until=cond, text=said)]
    split = split_condition(clause)
    if split is None:
        return None
    act, cond, how = split
    read, _ = _clause_drafts(act, quotes, data)
    if read is None or len(read) != 1:
        return [_free(said)]
    d = read[0]
    named = match_verb(act)
    if d.verb == "create" and not d.fields and named is not None and how == "when":
        # 'buy ABC stock when …': the write is the one control named by the verb ('Buy'), pressed once
        d = Draft("click", target=TargetParts(words=named[1]), constraints=d.constraints, commit=True)
    commits = d.verb != "click" or d.commit or _commit(d.target.words) or irreversible_words(d.target.words)
    if d.verb not in _CONDITIONAL_VERBS or (how == "until" and commits):
        # a condition read on an action that is not one click, or a write repeated until something holds:
        # left as free text (never done regardless of the condition)
        return [_free(said)]
    d.when, d.until = (cond, None) if how == "when" else (None, cond)
    d.text = said
    return [d]


def _compile(goal: str, data: Mapping[str, str]) -> GoalPlan:
    masked, quotes = mask_quotes(goal)
    # 'Once the price is under $5, buy X' reads as 'buy X when the price is under $5'
    masked = " ".join(lead_condition(s) or s for s in _SENTENCE.split(masked))
    drafts: list[Draft] = []
    unparsed: list[str] = []
    orphans: list[Constraint] = []  # 'do not …' before any intent: attached to the next one
    # whole-sentence readers, in order: one message; a value carried over from the page (then the rest of the
    # goal is read as clauses); someone looked up in a directory
    whole = read_message_goal(masked, quotes)
    copied = read_copy(masked, quotes) if whole is None else None
    if whole is None and copied is None:
        whole = read_lookup(masked, quotes)
    if whole is not None:
        drafts, masked = whole, ""
    elif copied is not None:
        drafts, masked = copied
    for clause in split_clauses(masked):
        neg = _NEGATION.match(clause)
        if neg:
            c = Constraint(kind="not", text=quotes.unmask(neg.group(1)))
            if drafts:
                drafts[-1].constraints.append(c)
            else:
                orphans.append(c)
            continue
        read = _conditional(clause, quotes, data)
        constraints: list[Constraint] = []
        if read is None:
            read, constraints = _clause_drafts(clause, quotes, data)
        elif read[0].verb == "free":
            unparsed.append(read[0].text)
        if read is None:
            text = quotes.unmask(clause)
            read = [_free(text, constraints)]
            unparsed.append(text)
        if orphans:
            read[0].constraints = [*orphans, *read[0].constraints]
            orphans = []
        drafts.extend(read)
    if orphans:
        drafts.append(_free("", orphans))
    if not drafts:
        text = goal.strip()
        drafts.append(_free(text))
        if text:
            unparsed.append(text)
    _assign_data(drafts, data)
    intents = [_intent(d) for d in drafts]
    used: list[str] = []
    for d in drafts:
        for k in _keys_of(d):
            if k not in used:
                used.append(k)
    writes = any(i.verb in WRITE_VERBS or i.irreversible for i in intents)
    return GoalPlan(goal=goal, intents=intents, unparsed=unparsed, writes=writes, data_keys=used)


def _assign_data(drafts: list[Draft], data: Mapping[str, str]) -> None:
    """Login intents take the credential keys; a create that names no field takes every unclaimed key."""
    for d in drafts:
        if d.verb == "login":
            _login_fields(d, data)
    noun = ""
    for d in drafts:  # 'find the issue about X and set its status': 'its' is the issue found
        if d.refers and noun:
            d.target.words, d.target.entity = noun, ""
        noun = d.noun or (d.target.words if d.verb in ("create", "edit") and d.target.entity else noun)
    claimed = {k for d in drafts for k in _keys_of(d)}
    for d in drafts:
        if d.verb != "create" or d.fields:
            continue
        for key in data:
            if key in claimed or (key.lower() in CREDENTIAL_KEYS and not d.signup):
                continue
            spec = with_transform(ValueSpec(source="data", key=key), None, None, False, "")
            d.fields[key.replace("_", " ").lower()] = spec or ValueSpec(source="data", key=key)
            claimed.add(key)
    for d in drafts:
        if d.names_entity:
            entity_field(d, {k: v for k, v in data.items() if k not in _keys_of(d)})


def _fallback(goal: str) -> GoalPlan:
    text = goal.strip()
    return GoalPlan(goal=goal, intents=[Intent(verb="free", text=text, effect="none")], unparsed=[text] if text else [])


def compile_goal(goal: str, data: Mapping[str, str]) -> GoalPlan:
    """Compile ``goal`` (with the task's ``data``; secret values stay ``env:`` references) into a plan."""
    if not isinstance(goal, str):
        goal = "" if goal is None else str(goal)
    try:
        safe = {str(k): str(v) for k, v in dict(data or {}).items()}
        plan = _conditions_unread(_compile(goal[:4000], safe).model_copy(update={"goal": goal}))
        return _implied_submit(plan)
    except Exception:
        return _fallback(goal)


_CONDITION = re.compile(r"\b(when|whenever|if|once|until|unless|as soon as|only if|provided that)\b", re.I)


def _conditions_unread(plan: GoalPlan) -> GoalPlan:
    """A write that waits on a condition ("buy X when the price is below $5") is not something the rules can
    judge: the intent stays free text (for the model tiers or a person), never a write done regardless."""
    intents = list(plan.intents)
    unparsed = list(plan.unparsed)
    changed = False
    for n, intent in enumerate(intents):
        if intent.verb == "free" or not (intent.irreversible or intent.verb in WRITE_VERBS):
            continue
        if intent.when is not None or intent.until is not None:
            continue  # a condition read: grounding waits for it on the page
        if _CONDITION.search(intent.text):
            intents[n] = Intent(verb="free", text=intent.text, effect="none")
            unparsed.append(intent.text)
            changed = True
    if not changed:
        return plan
    return plan.model_copy(update={"intents": intents, "unparsed": unparsed})



ENTRY_VERBS = frozenset({"fill", "check", "uncheck", "select"})
_HOLD_BACK = re.compile(
    r"\b(?:(?:do\s+not|don'?t|never|without|no\s+need\s+to|not)\s+(?:\w+\s+){0,3}?"
    r"(?:submit|submitting|save|saving|send|sending|post|posting|press|pressing|click|clicking|apply|commit|"
    r"confirm|finish|complete)\w*|unsubmitted|unsaved|leave\s+(?:it|the\s+form)\s+(?:open|as\s+it\s+is))\b",
    re.I,
)


def _implied_submit(plan: GoalPlan) -> GoalPlan:
    """A goal made only of entries (fill / check / uncheck / select, every part read) is completed by the
    form's submit, which the goal does not say: a visible ``implied`` submit intent ends the plan. Grounding
    presses it only under strict conditions (``implied.py``). Never when the goal holds the submit back ("do
    not submit", "without saving") or when an entry waits on a condition."""
    intents = plan.intents
    if not intents or not plan.complete or any(i.verb not in ENTRY_VERBS for i in intents):
        return plan
    if _HOLD_BACK.search(plan.goal) or any(_CONDITION.search(i.text) for i in intents):
        return plan
    if any(c.kind == "not" for i in intents for c in i.constraints):
        return plan  # a 'do not …' the entries carry: what it spares may be the submit; not guessed
    submit = Intent(verb="submit", target=Target(role="button"), effect="clicked", irreversible=True, implied=True)
    return plan.model_copy(update={"intents": [*intents, submit], "writes": True})
