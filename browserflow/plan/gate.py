"""Never a wrong write: before an irreversible action, the current intent must call for it and every field
the engine changes on that form must trace to the goal or the task data; credentials go only into a
sign-in form. Otherwise the decision is held back (model tiers, then a person: ``unsure_write``)."""

from __future__ import annotations

from browserflow.contracts import DecideInput, Decision, Element
from browserflow.plan.implied import implied_block
from browserflow.plan.model import WRITE_VERBS, Intent
from browserflow.plan.signin import CREDENTIAL_KEY
from browserflow.rules.harm import harmful_unasked

__all__ = ["write_gate"]

_SET = frozenset({"fill", "select", "select_add", "select_remove", "check", "uncheck"})


def _sign_in_form(form: int | None, elements: list[Element]) -> bool:
    """A form with a password box and at most two other text boxes (user name / e-mail, maybe a code)."""
    members = [e for e in elements if e.form == form and not e.static]
    if sum(1 for e in members if e.type == "password") != 1:
        return False  # none, or a new password with its confirmation: a sign-up or account form
    texts = [e for e in members if e.tag in {"input", "textarea"} and e.type not in {"checkbox", "radio", "submit",
             "button", "hidden", "password", "image", "reset"}]
    return len(texts) <= 2


def _calls_for(intent: Intent) -> bool:
    return intent.verb in WRITE_VERBS or intent.irreversible


def write_gate(inp: DecideInput, decision: Decision) -> str | None:
    """None when ``decision`` may run; else why not (the review reason is then ``unsure_write``)."""
    snap = inp.snapshot
    elements = snap.elements
    by_ref = {e.ref: e for e in elements}
    for a in decision.actions:  # 0. nothing harmful-looking the goal does not ask for ("Delete account …")
        e = by_ref.get(a.ref or "")
        said = " ".join(dict.fromkeys(x for x in (a.label, e.name if e else "", e.label if e else "") if x))
        if a.kind in {"click", "press", "check", "select"} and harmful_unasked(said, inp.goal):
            return f"'{a.label}' looks harmful (it deletes, cancels or pays) and the goal does not ask for that"
    commits = [a for a in decision.actions if a.irreversible]
    if not commits:
        return None
    plan = inp.plan
    intents = plan.plan.intents if plan is not None else []
    current = plan.current if plan is not None else None
    readable = plan is not None and any(i.verb != "free" for i in intents)
    # 1. the intent calls for it (an intent the compiler could not read cannot call for anything)
    if plan is not None and intents:
        for a in commits:
            if a.intent is not None and a.intent < 0:
                e = by_ref.get(a.ref or "")
                if e is not None and _sign_in_form(e.form, elements):
                    continue  # signing in first, on the sign-in form, with the task's credentials
                return f"'{a.label}' is irreversible and serves no intent of the goal"
            idx = a.intent if a.intent is not None else current
            if idx is None or idx >= len(intents):
                return f"'{a.label}' is irreversible and every intent of the goal is already done"
            intent = intents[idx]
            if intent.verb == "free":
                return (f"'{a.label}' is irreversible and the goal's part '{intent.text}' was not understood "
                        "well enough to know it calls for it")
            if not _calls_for(intent):
                return f"'{a.label}' is irreversible and intent {idx + 1} ({intent.describe()}) does not call for it"
            implied = implied_block(inp, intent, idx, a.ref)
            if implied is not None:
                return implied
    # 2. every value traces to the goal or the data, credentials only into a sign-in form
    keys = set(plan.plan.data_keys) if plan is not None else set()
    for a in decision.actions:
        if a.kind not in _SET:
            continue
        e = by_ref.get(a.ref or "")
        bound = any(v.key == a.data_key for i in intents for v in i.fields.values() if v.source == "data")
        # a credential the goal itself puts into a record field ("create a user ... with the password ...") is fine
        credential = bool(a.data_key and CREDENTIAL_KEY.search(a.data_key))
        if credential and e is not None and not _sign_in_form(e.form, elements) and not bound:
            return f"credential {{{a.data_key}}} would go into '{a.label}', which is not a sign-in form"
        if a.provenance or a.intent is not None:
            continue
        if a.kind in {"check", "uncheck"} and a.data_key is None:
            continue  # a consent box the form requires: the rules tier ticks it only when required or flagged
        if a.data_key is None:
            return f"'{a.label}' would be changed with a value from neither the goal nor the data"
        if readable and a.data_key not in keys and not (a.intent is not None and a.intent < 0):
            return f"'{a.label}' would get data.{a.data_key}, which the goal does not ask for"
    # 3. fields changed earlier on this form must trace too
    forms = {by_ref[a.ref].form for a in commits if a.ref in by_ref}
    for rec in inp.history[-3:]:
        if rec.url != snap.url:
            continue
        for a in rec.actions:
            if a.kind in _SET and not (a.provenance or a.data_key) and a.kind not in {"check", "uncheck"}:
                e = next((x for x in elements if x.selector == a.selector), None)
                if e is not None and e.form in forms:
                    return f"'{a.label}' was changed earlier on this form with a value of unknown origin"
    return None


