"""Grounding the record verbs — log in, create, edit, delete, add to / remove from — on real application
pages: reach the record (section link, the record's own link, a search), fill the form with exactly the
intent's values, then press the form's own button. Every value traces to the goal or the task data."""

from __future__ import annotations

import re

from browserflow.contracts import Action, Element, PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action, explore, field_action, visited
from browserflow.plan.choosers import chooser
from browserflow.plan.match import clickables, element_text, find, is_text_field
from browserflow.plan.model import Target, ValueSpec
from browserflow.plan.values import resolve_value
from browserflow.rules.forms import collect_fields, find_submit, plan_form
from browserflow.rules.text import norm, token_match, tokens, url_tokens

__all__ = [
    "CONFIRM_PAGE",
    "SAVE_WORDS",
    "entity_on_page",
    "go_to",
    "ground_record",
    "press_named",
    "save_button",
    "submitted_before",
    "to_record",
]

CONFIRM_PAGE = re.compile(r"\b(are you sure|really (want to )?delete|confirm (the )?(deletion|removal)|cannot be undone|"
                           r"permanently|will be (deleted|removed))\b", re.I)
_CONFIRM_BUTTON = ("yes, i'm sure", "yes", "confirm", "delete", "remove", "ok", "i'm sure", "continue")
_CREATE_WORDS = ("add", "new", "create", "register", "sign up", "+", "file", "submit new")
_DELETE_WORDS = ("delete", "remove", "trash", "retire", "erase")
SAVE_WORDS = ("save", "submit", "update", "apply", "save changes", "ok", "done", "create", "add")


def entity_on_page(entity: str, snap: PageSnapshot) -> bool:
    """Does the page show the record ``entity`` as its subject (title, text, or a field holding it)?"""
    if not entity:
        return False
    want = norm(entity)
    if want in norm(snap.title):
        return True
    if any(e.value and norm(e.value) == want for e in snap.elements if is_text_field(e)):
        return True
    # a heading naming it (a mention in a list of records is not the record's own page)
    return any(e.static and e.tag in {"h1", "h2", "h3"} and want in norm(e.name) for e in snap.elements)


def _values(step: Step, specs: dict[str, ValueSpec]) -> dict[str, tuple[str, str | None, ValueSpec]]:
    """pseudo key (the data key, or the field words of a literal) -> (value, data key, spec)."""
    out: dict[str, tuple[str, str | None, ValueSpec]] = {}
    for words, spec in specs.items():
        value, key = resolve_value(spec, step.data, step.snap)
        if value is None:
            continue
        out[key or words] = (value, key, spec)
    return out


def _fill_form(step: Step, specs: dict[str, ValueSpec], need_all: bool) -> tuple[list[Action], Element | None, int]:
    """Fill the form the intent's values fit: (actions, its submit button, how many values found a field)."""
    values = _values(step, specs)
    if not values:
        return [], None, 0
    snap = step.snap
    elements = [e for e in snap.elements if not e.static]
    fields = collect_fields(elements)
    by_form: dict[int | None, list] = {}
    for f in fields:
        by_form.setdefault(f.form, []).append(f)
    plain = {k: v[0] for k, v in values.items()}
    goal = tokens(step.intent.text or step.inp.goal)
    best = None
    for form, group in by_form.items():
        members = [e for f in group for e in f.elements]
        passwords = [e for e in members if e.type == "password"]
        others = [e for e in members if e.type not in {"password", "checkbox", "radio"}]
        if len(passwords) == 1 and len(others) <= 2 and step.intent.verb != "login":
            continue  # a sign-in form never takes record values
        fp = plan_form(form, group, elements, plain, goal, step.inp.failed_actions, snap.truncated)
        if not fp.matched:
            continue
        rank = (len(fp.matched), fp.weakest)
        if best is None or rank > best[0]:
            best = (rank, fp)
    if best is None:
        return [], None, 0
    fp = best[1]
    if need_all and len(fp.matched) < len(values):
        return [], None, len(fp.matched)
    actions: list[Action] = []
    placed: set[str] = set()
    for a in fp.actions:
        if a.kind == "check" and a.data_key is None:
            # a box the form requires before it accepts the asked submit ("I agree to the rules"): ticked,
            # and the step log says why
            box = next((x for x in elements if x.ref == a.ref), None)
            if box is not None and (box.required or box.error):
                actions.append(a.model_copy(update={"intent": step.index, "provenance": "required by the form"}))
            continue
        if a.data_key is None or a.data_key not in values:
            continue  # only what the intent asks for (no defaults the goal did not name)
        value, key, spec = values[a.data_key]
        e = next((x for x in elements if x.ref == a.ref), None)
        if e is None or e.type == "select-multiple":
            continue  # a list of several choices: through its chooser below
        v = a.value if a.kind == "select" else value
        actions.append(field_action(a.kind, e, v, key, spec, step.index))
        placed.add(a.data_key)
    for pseudo, (value, _key, _spec) in values.items():
        if pseudo not in placed and not value.startswith("env:"):
            actions.extend(chooser(step, value, True))  # "on the example.com site": picked in the Sites list
    submit = fp.submit or find_submit(fp.form, elements, goal, step.inp.failed_actions)
    return actions, submit, len(fp.matched)


def press_named(step: Step, words: tuple[str, ...], pool: list[Element], near: str = "") -> Element | None:
    for w in words:  # a control named exactly so comes first ('Choose' before 'Choose all groups')
        exact = [e for e in pool if w in {norm(element_text(e)), norm(e.name)} and (
            not near or norm(near) in norm(e.context))]
        if exact:
            return exact[0]
    for w in words:
        cands = [c for c in find(Target(words=w, container=near), pool, step.snap) if c.score >= 0.6]
        if near:
            cands = [c for c in cands if near and norm(near) in norm(c.element.context)]
        if cands:
            return cands[0].element
    return None


def go_to(step: Step, words: str, why: str) -> Grounded | None:
    """Click the link/button whose words fit ``words`` best (a section, the record), not clicked before here."""
    if not words:
        return None
    seen = visited(step)
    pool = [e for e in clickables(step.snap) if e.ref not in step.skip and e.selector not in seen]
    cands = [c for c in find(Target(words=words), pool, step.snap) if c.score >= 0.55]
    if not cands:
        # plural/singular section names: 'issue' -> 'Issues'
        toks = tokens(words)
        cands = [
            c for c in find(Target(), pool, step.snap)
            if toks and all(any(token_match(t, n) for n in tokens(c.element.name)) for t in toks)
            and len(tokens(c.element.name)) <= len(toks) + 2
        ]
    if not cands:
        return None
    e = cands[0].element
    return Grounded([click_action(e, step.index, False, effect="navigated")], 0.7, f"{why}: open '{element_text(e)}'")


def _search_for(step: Step, entity: str) -> Grounded | None:
    boxes = [e for e in step.snap.elements if is_text_field(e) and (e.type == "search" or e.role == "searchbox" or
             "search" in norm(f"{e.name} {e.label} {e.placeholder} {e.html_name}"))]
    if not boxes or not entity:
        return None
    e = boxes[0]
    spec = ValueSpec(source="literal", literal=entity)
    fill = field_action("fill", e, entity, None, spec, step.index)
    press = Action(kind="press", ref=e.ref, selector=e.selector, label=element_text(e), value="Enter", intent=step.index)
    return Grounded([fill, press], 0.65, f"search for '{entity}'")


def to_record(step: Step) -> Grounded | None:
    """Reach the intent's record: its own link, else its section, else a search for it."""
    t = step.intent.target
    entity = t.entity or (t.words if step.intent.verb == "delete" and t.exact else "")
    if entity:
        seen = visited(step)
        pool = [e for e in clickables(step.snap) if e.ref not in step.skip and e.selector not in seen]
        exact = [c for c in find(Target(words=entity, exact=True), pool, step.snap) if c.score >= 0.8]
        if exact:
            e = exact[0].element
            return Grounded([click_action(e, step.index, False, effect="navigated")], 0.75, f"open '{entity}'")
    got = go_to(step, t.words, "find the record") if t.words else None
    return got or _search_for(step, entity) or explore(step, f"'{entity or t.words}' is not on this page")


def _delete(step: Step) -> Grounded | None:
    snap = step.snap
    entity = step.intent.target.entity or step.intent.target.words
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    if CONFIRM_PAGE.search(f"{snap.title} {snap.text[:1500]}"):
        e = press_named(step, _CONFIRM_BUTTON, [x for x in pool if x.role != "link" or x.pointer])
        if e is not None:
            return Grounded([click_action(e, step.index, True, effect="gone")], 0.8, f"confirm with '{element_text(e)}'")
    in_row = press_named(step, _DELETE_WORDS, pool, near=step.intent.target.entity)
    if in_row is not None:
        return Grounded([click_action(in_row, step.index, True, effect="gone")], 0.8,
                        f"'{element_text(in_row)}' in the row of '{entity}'")
    if entity_on_page(step.intent.target.entity, snap):
        e = press_named(step, _DELETE_WORDS, [x for x in pool if not x.context or norm(entity) in norm(x.context)])
        if e is not None:
            return Grounded([click_action(e, step.index, True, effect="gone")], 0.75, f"'{element_text(e)}' on its page")
    return to_record(step)


def save_button(step: Step, form: int | None = None) -> Element | None:
    """The plain save of the form: 'Save' / 'Submit' before 'Save and add another' and the like."""
    buttons = [e for e in clickables(step.snap) if e.role != "link" and (e.tag in {"button", "input"} or
               e.role == "button") and (form is None or e.form == form) and not e.disabled]
    for w in SAVE_WORDS:
        exact = [e for e in buttons if norm(element_text(e)) == w]
        if exact:
            return exact[0]
    for w in SAVE_WORDS:
        loose = [e for e in buttons if norm(element_text(e)).startswith(w)]
        if loose:
            return min(loose, key=lambda e: len(element_text(e)))
    return None


_GENERIC_KIND = frozenset({"record", "entry", "item", "account", "my", "new", "page"})


def _about_kind(step: Step) -> bool:
    """Is this page about the kind of record the intent names (its title, address or heading say so)?
    A form for a group is not the form for a user."""
    kind = [t for t in tokens(step.intent.target.words) if t not in _GENERIC_KIND]
    if not kind:
        return True
    snap = step.snap
    seen = set(tokens(f"{snap.title} {snap.text[:300]}")) | set(url_tokens(snap.url))
    hits = sum(1 for k in kind if any(token_match(k, t) for t in seen))
    return hits >= max(1, (len(kind) + 1) // 2)  # most of its words: 'Tuesday evening swim class' on its form


def _create_link(step: Step) -> Grounded | None:
    """The link or button that opens the form for a new record of the intent's kind: an 'Add'/'New'/'Create'
    control whose own words, row or address name that kind."""
    kind = [t for t in tokens(step.intent.target.words) if t not in _GENERIC_KIND]
    seen = visited(step)
    best: tuple[float, Element] | None = None
    for e in clickables(step.snap):
        if e.selector in seen or e.ref in step.skip:
            continue
        name = norm(element_text(e))
        if not any(re.search(rf"(^|\W){re.escape(w)}(\W|$)", name) for w in _CREATE_WORDS):
            continue
        around = set(tokens(f"{e.name} {e.context}")) | set(url_tokens(e.href))
        hits = sum(1 for k in kind if any(token_match(k, t) for t in around))
        score = hits / len(kind) if kind else 0.5
        if score > 0 and (best is None or score > best[0]):
            best = (score, e)
    if best is None:
        return None
    e = best[1]
    return Grounded([click_action(e, step.index, False, effect="navigated")], 0.75,
                    f"open the form: '{element_text(e)}'" + (f" in '{e.context}'" if e.context else ""))


def _tried(step: Step) -> bool:
    """This intent's irreversible action already ran from this page."""
    here = step.snap.url.split("#")[0]
    return any(a.irreversible and a.intent == step.index for rec in step.inp.history
               if rec.url.split("#")[0] == here for a in rec.actions)


def submitted_before(step: Step) -> bool:
    """This intent's irreversible action already ran (and the page shows no error): never twice."""
    snap = step.snap
    if snap.errors or CONFIRM_PAGE.search(f"{snap.title} {snap.text[:1500]}"):
        return False  # an error to correct, or the confirmation step of the same action
    return any(a.irreversible and a.intent == step.index for rec in step.inp.history if rec.ok for a in rec.actions)


_OWN = ("your details", "my details", "my account", "your account", "account", "profile", "my profile",
        "preferences", "settings")


def _search_result(step: Step) -> Grounded | None:
    """After a search, the record the search found: the result link whose words best fit the query."""
    plan = step.inp.plan
    if plan is None or step.index == 0:
        return None
    prev = plan.plan.intents[step.index - 1]
    if prev.verb != "search" or prev.value is None or prev.value.source != "literal":
        return None
    query = tokens(prev.value.literal or "")
    seen = visited(step)
    best: tuple[float, Element] | None = None
    for e in clickables(step.snap):
        if e.role != "link" or e.selector in seen or not e.name.strip():
            continue
        hits = sum(1 for q in query if any(token_match(q, t) for t in tokens(f"{e.name} {e.context}")))
        if hits and (best is None or hits > best[0]):
            best = (hits, e)
    if best is None:
        return None
    e = best[1]
    return Grounded([click_action(e, step.index, False, effect="navigated")], 0.7, f"open the result '{e.name}'")


def ground_record(step: Step) -> Grounded | None:
    it = step.intent
    verb = it.verb
    if submitted_before(step):
        return Grounded([], 0.0, f"'{it.describe()}' was already submitted once and its effect is not seen: not "
                        "submitting again")
    if verb == "delete":
        return _delete(step)
    specs = dict(it.fields)
    if verb == "create" and it.value is not None and not specs:
        specs[it.target.words or "name"] = it.value
    if verb == "edit" and it.target.entity and not entity_on_page(it.target.entity, step.snap):
        return to_record(step)
    if verb == "edit" and not it.target.entity:
        found = _search_result(step)
        if found is not None:
            return found
    fits_here = _about_kind(step) or verb == "edit"
    actions, submit, matched = _fill_form(step, specs, need_all=verb == "edit") if fits_here else ([], None, 0)
    if matched and submit is not None and not actions and step.snap.errors and _tried(step):
        return Grounded([], 0.0, f"the form still says {step.snap.errors[0]!r} and the goal gives nothing more to "
                        "change: not sending it again")
    if matched and submit is not None:
        owner = next((e for e in step.snap.elements if e.ref == (actions[0].ref if actions else "")), None)
        submit = save_button(step, owner.form if owner is not None else submit.form) or submit
        irreversible = True
        acts = [*actions, click_action(submit, step.index, irreversible, effect="message")]
        conf = 0.85 if matched == len(specs) else 0.6
        return Grounded(acts, conf, f"fill {len(actions)} field(s) and press '{element_text(submit)}'")
    if verb == "create":
        return _create_link(step) or go_to(step, it.target.words, "find the section")
    if "my" in tokens(it.target.words, drop_stop=False):
        for words in _OWN:
            got = go_to(step, words, "the user's own record")
            if got is not None:
                return got
    return to_record(step)


