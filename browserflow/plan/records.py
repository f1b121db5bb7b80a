"""Grounding the record verbs — log in, create, edit, delete, add to / remove from — on real application
pages: reach the record (section link, the record's own link, a search), fill the form with exactly the
intent's values, then press the form's own button. Every value traces to the goal or the task data."""

from __future__ import annotations

import re

from browserflow.contracts import Action, Element, PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action, explore, field_action, visited
from browserflow.plan.match import clickables, element_text, find, is_text_field, resolve_value
from browserflow.plan.model import Target, ValueSpec
from browserflow.rules.forms import collect_fields, find_submit, plan_form
from browserflow.rules.text import norm, token_match, tokens, url_tokens

__all__ = ["CONFIRM_PAGE", "CREDENTIAL_KEY", "entity_on_page", "go_to", "ground_record", "implicit_login", "login"]

CREDENTIAL_KEY = re.compile(r"(^|_|\b)(user(name)?|login|password|passwd|pass|passcode|pin|otp|token)($|_|\b)", re.I)
_USER_KEY = re.compile(r"user|login|e-?mail|account", re.I)
_PASS_KEY = re.compile(r"pass|pwd|pin", re.I)
CONFIRM_PAGE = re.compile(r"\b(are you sure|really (want to )?delete|confirm (the )?(deletion|removal)|cannot be undone|"
                           r"permanently|will be (deleted|removed))\b", re.I)
_CONFIRM_BUTTON = ("yes, i'm sure", "yes", "confirm", "delete", "remove", "ok", "i'm sure", "continue")
_CREATE_WORDS = ("add", "new", "create", "register", "sign up", "+", "file", "submit new")
_DELETE_WORDS = ("delete", "remove", "trash", "retire", "erase")
_SAVE_WORDS = ("save", "submit", "update", "apply", "save changes", "ok", "done", "create", "add")


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
            actions.extend(_chooser(step, value, True))  # "on the example.com site": picked in the Sites list
    submit = fp.submit or find_submit(fp.form, elements, goal, step.inp.failed_actions)
    return actions, submit, len(fp.matched)


def _press_named(step: Step, words: tuple[str, ...], pool: list[Element], near: str = "") -> Element | None:
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


def _to_record(step: Step) -> Grounded | None:
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


def _delete(step: Step) -> Grounded | None:
    snap = step.snap
    entity = step.intent.target.entity or step.intent.target.words
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    if CONFIRM_PAGE.search(f"{snap.title} {snap.text[:1500]}"):
        e = _press_named(step, _CONFIRM_BUTTON, [x for x in pool if x.role != "link" or x.pointer])
        if e is not None:
            return Grounded([click_action(e, step.index, True, effect="gone")], 0.8, f"confirm with '{element_text(e)}'")
    in_row = _press_named(step, _DELETE_WORDS, pool, near=step.intent.target.entity)
    if in_row is not None:
        return Grounded([click_action(in_row, step.index, True, effect="gone")], 0.8,
                        f"'{element_text(in_row)}' in the row of '{entity}'")
    if entity_on_page(step.intent.target.entity, snap):
        e = _press_named(step, _DELETE_WORDS, [x for x in pool if not x.context or norm(entity) in norm(x.context)])
        if e is not None:
            return Grounded([click_action(e, step.index, True, effect="gone")], 0.75, f"'{element_text(e)}' on its page")
    return _to_record(step)


_KIND_NOUNS = frozenset({"group", "groups", "list", "team", "role", "roles", "category", "tag", "tags", "label",
                         "labels", "keyword", "keywords", "project", "channel", "folder", "members", "issue", "the"})


def _names(option: str, wanted: str) -> bool:
    """Does an option labelled ``option`` stand for ``wanted`` ('Editors' for 'Editors group')?"""
    o, w = norm(option), norm(wanted)
    if o == w:
        return True
    want = [t for t in tokens(wanted) if t not in _KIND_NOUNS]
    have = list(tokens(option))
    return bool(want) and want == have


def _holder(step: Step) -> str:
    """Which record's page holds the membership: the container when it is shown, else the item."""
    t = step.intent.target
    if t.container and entity_on_page(t.container, step.snap):
        return "container"
    if t.entity and entity_on_page(t.entity, step.snap):
        return "entity"
    return ""


def _chooser(step: Step, member: str, add: bool) -> list[Action]:
    """A two-list chooser (available / chosen, with Choose / Remove controls) or one multi-select."""
    snap = step.snap
    lists = [e for e in snap.elements if e.tag == "select" and e.type == "select-multiple" and not e.disabled]
    for e in lists:
        opt = next((o for o in e.options if _names(o.label, member)), None)
        if opt is None:
            continue
        if len(lists) >= 2:  # the option sits in one list; a control moves it to the other
            chosen_side = "chosen" in norm(f"{e.name} {e.label} {e.html_id}") or e.html_id.endswith("_to")
            if chosen_side == add:
                return []  # already where it should be
            control = _mover(step, e, add)
            if control is None:
                continue
            pick = Action(kind="select_add", ref=e.ref, selector=e.selector, label=element_text(e), value=opt.value,
                          intent=step.index, provenance=f'goal literal "{member}"')
            return [pick, click_action(control, step.index, False)]
        if opt.selected == add:
            return []
        kind = "select_add" if add else "select_remove"
        return [Action(kind=kind, ref=e.ref, selector=e.selector, label=element_text(e), value=opt.value,
                       intent=step.index, provenance=f'goal literal "{member}"')]
    return []


_MOVE_ON = ("choose", "add", "select", "\u2192", ">", "move right")
_MOVE_OFF = ("remove", "\u2190", "<", "move left")


def _mover(step: Step, lst: Element, add: bool) -> Element | None:
    """The control of a two-list chooser that moves the selected option of ``lst`` across: named by the
    list's kind ('Choose selected groups') or sharing its id ('id_groups_add'); never the '... all' one."""
    stem = re.sub(r"_(from|to)$", "", lst.html_id)
    kind = [t for t in tokens(f"{lst.label} {lst.html_name}") if t not in {"available", "chosen", "selected"}]
    words = _MOVE_ON if add else _MOVE_OFF
    best: tuple[int, Element] | None = None
    for e in step.snap.elements:  # disabled ones too: selecting the option enables its mover
        if e.static or is_text_field(e) or e.tag == "select":
            continue
        name = norm(element_text(e))
        if "all" in name.split() or not any(name == w or name.startswith(f"{w} ") for w in words):
            continue
        related = (stem and e.html_id.startswith(stem)) or any(t in tokens(name) for t in kind)
        rank = (2 if related else 0) + (1 if name in words else 0)
        if related and (best is None or rank > best[0]):
            best = (rank, e)
    return best[1] if best else None


def _list_field(step: Step, member: str, add: bool, holder: str) -> list[Action]:
    """A text field holding a comma-separated list ('Nosy list: alice, bob'): the name added or removed. The
    list is named by the intent's words on the container's page ('the nosy list of the issue'), by the
    container's kind on the item's page ('Editors group' -> a 'groups' field)."""
    t = step.intent.target
    words = t.words if holder == "container" else (tokens(t.container)[-1] if tokens(t.container) else "")
    boxes = [e for e in step.snap.elements if is_text_field(e) and e.type != "password"]
    hit = [c for c in find(Target(words=words), boxes, step.snap) if c.score >= 0.6] if words else []
    if not hit:
        return []
    e = hit[0].element
    names = [n.strip() for n in re.split(r"[,;]", e.value) if n.strip()]
    present = any(norm(n) == norm(member) for n in names)
    if present == add:
        return []
    names = [*names, member] if add else [n for n in names if norm(n) != norm(member)]
    value = ", ".join(names)
    spec = ValueSpec(source="literal", literal=member)
    act = field_action("fill", e, value, None, spec, step.index)
    return [act]


def _membership(step: Step, add: bool) -> Grounded | None:
    it, snap = step.intent, step.snap
    holder = _holder(step)
    if not holder:
        t = it.target
        seen = visited(step)
        pool = [e for e in clickables(snap) if e.selector not in seen]
        for name in (t.container, t.entity):  # the record that holds the list, else the item's own page
            exact = [c for c in find(Target(words=name, exact=True), pool, snap) if c.score >= 0.8] if name else []
            if exact:
                e = exact[0].element
                return Grounded([click_action(e, step.index, False, effect="navigated")], 0.75, f"open '{name}'")
        return _to_record(step)
    member = it.target.entity if holder == "container" else it.target.container
    actions: list[Action] = []
    boxes = [e for e in snap.elements if e.type == "checkbox" and not e.disabled]
    hit = [c for c in find(Target(words=member), boxes, snap) if _names(c.element.label or c.element.name, member)]
    if hit:
        e = hit[0].element
        if bool(e.checked) != add:
            actions.append(field_action("check" if add else "uncheck", e, None, None, None, step.index))
    else:
        actions = _chooser(step, member, add) or _list_field(step, member, add, holder)
    if not actions:
        return None
    save = _save_button(step)
    if save is not None:
        actions.append(click_action(save, step.index, True, effect="message"))
    return Grounded(actions, 0.75, f"{'add' if add else 'remove'} '{member}' {'to' if add else 'from'} the list")


def _save_button(step: Step, form: int | None = None) -> Element | None:
    """The plain save of the form: 'Save' / 'Submit' before 'Save and add another' and the like."""
    buttons = [e for e in clickables(step.snap) if e.role != "link" and (e.tag in {"button", "input"} or
               e.role == "button") and (form is None or e.form == form) and not e.disabled]
    for w in _SAVE_WORDS:
        exact = [e for e in buttons if norm(element_text(e)) == w]
        if exact:
            return exact[0]
    for w in _SAVE_WORDS:
        loose = [e for e in buttons if norm(element_text(e)).startswith(w)]
        if loose:
            return min(loose, key=lambda e: len(element_text(e)))
    return None


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


def _submitted_before(step: Step) -> bool:
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
    if _submitted_before(step):
        return Grounded([], 0.0, f"'{it.describe()}' was already submitted once and its effect is not seen: not "
                        "submitting again")
    if verb == "delete":
        return _delete(step)
    if verb in {"add_to", "remove_from"}:
        return _membership(step, verb == "add_to")
    specs = dict(it.fields)
    if verb == "create" and it.value is not None and not specs:
        specs[it.target.words or "name"] = it.value
    if verb == "edit" and it.target.entity and not entity_on_page(it.target.entity, step.snap):
        return _to_record(step)
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
        submit = _save_button(step, owner.form if owner is not None else submit.form) or submit
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
    return _to_record(step)


