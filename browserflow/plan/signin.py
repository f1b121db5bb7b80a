"""Signing in: the goal's own log-in intent, and a sign-in form met on the way to another intent (signed in
with the task's credential keys, as a recorded decision, on that sign-in form only)."""

from __future__ import annotations

import re

from browserflow.contracts import Action
from browserflow.plan.act import Grounded, Step, click_action, field_action
from browserflow.plan.match import element_text, is_text_field
from browserflow.plan.model import ValueSpec
from browserflow.plan.records import go_to
from browserflow.plan.values import resolve_value
from browserflow.rules.forms import find_submit
from browserflow.rules.text import tokens

__all__ = ["CREDENTIAL_KEY", "implicit_login", "login"]


CREDENTIAL_KEY = re.compile(r"(^|_|\b)(user(name)?|login|password|passwd|pass|passcode|pin|otp|token)($|_|\b)", re.I)


_USER_KEY = re.compile(r"user|login|e-?mail|account", re.I)


_PASS_KEY = re.compile(r"pass|pwd|pin", re.I)


def login(step: Step) -> Grounded | None:
    snap = step.snap
    it = step.intent
    passwords = [e for e in snap.elements if e.type == "password" and not e.disabled]
    if not passwords:
        return go_to(step, "log in", "sign in first") or go_to(step, "sign in", "sign in first")
    pw = passwords[0]
    specs = dict(it.fields)
    if not specs:
        for key in step.data:
            if CREDENTIAL_KEY.search(key) or _USER_KEY.search(key):
                specs[key] = ValueSpec(source="data", key=key)
    user_spec = next((s for k, s in specs.items() if _USER_KEY.search(k) and not _PASS_KEY.search(k)), None)
    pass_spec = next((s for k, s in specs.items() if _PASS_KEY.search(k)), None)
    if pass_spec is None:
        return None
    actions: list[Action] = []
    user_box = next((e for e in snap.elements if is_text_field(e) and e.type != "password" and e.form == pw.form), None)
    if user_spec is not None and user_box is not None:
        user, user_key = resolve_value(user_spec, step.data, snap, user_box)
        if user is not None:
            actions.append(field_action("fill", user_box, user, user_key, user_spec, step.index))
    secret, secret_key = resolve_value(pass_spec, step.data, snap, pw)
    if secret is None:
        return None
    actions.append(field_action("fill", pw, secret, secret_key, pass_spec, step.index))
    submit = find_submit(pw.form, [e for e in snap.elements if not e.static], tokens("log in sign in login"), [])
    if submit is None:
        actions.append(Action(kind="press", ref=pw.ref, selector=pw.selector, label=element_text(pw), value="Enter",
                              intent=step.index, irreversible=True))
    else:
        actions.append(click_action(submit, step.index, True, effect="logged_in"))
    return Grounded(actions, 0.85, "sign in with the task's credentials")


def implicit_login(step: Step) -> Grounded | None:
    """The page asks to sign in before the current intent can be served, and the task data has credentials
    the intent does not use itself: sign in with them (a recorded decision, on this sign-in form only)."""
    snap = step.snap
    passwords = [e for e in snap.elements if e.type == "password" and not e.disabled]
    if len(passwords) != 1:
        return None
    pw = passwords[0]
    texts = [e for e in snap.elements if is_text_field(e) and e.type != "password" and e.form == pw.form]
    if len(texts) > 2:
        return None  # a sign-up or profile form, not a sign-in
    claimed = {v.key for v in step.intent.fields.values() if v.source == "data"}
    user_key = next((k for k in step.data if (_USER_KEY.search(k) and not _PASS_KEY.search(k) and k not in claimed
                     and CREDENTIAL_KEY.search(k)) or (k.lower() in {"email", "e-mail"} and k not in claimed)), None)
    pass_key = next((k for k in step.data if _PASS_KEY.search(k) and k not in claimed), None)
    if pass_key is None:
        return None
    specs: dict[str, ValueSpec] = {"password": ValueSpec(source="data", key=pass_key)}
    if user_key is not None:
        specs["username"] = ValueSpec(source="data", key=user_key)
    from browserflow.plan.model import Intent

    proxy = Step(Intent(verb="login", fields=specs, effect="logged_in", irreversible=True, text="sign in"), -1, snap,
                 step.data, step.inp, step.used, step.skip, step.last_form)
    got = login(proxy)
    if got is None:
        return None
    return Grounded(got.actions, got.confidence, f"the page asks to sign in first: {got.note}")
