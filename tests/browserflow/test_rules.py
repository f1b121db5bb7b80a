"""The rules decider on snapshots of real pages (the committed golden snapshots of the fixture pages, taken in
Chromium and checked against it by ``test_golden_snapshots.py``; no browser here), plus a few hand-built
snapshots for edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from browserflow.contracts import Action, DecideInput, Element, Option, PageSnapshot, StepRecord
from browserflow.rules import decide_rules
from browserflow.rules.text import field_tokens, similarity, token_match, tokens
from tests.browserflow import golden

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
GOAL = "Register Eden for the Tuesday evening swim class"
DATA = {
    "student_name": "Eden Levi",
    "email": "eden@example.com",
    "class_id": "Tuesday evening swim",
    "level": "beginner",
    "date_of_birth": "2015-04-12",
}
HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def snaps() -> dict[str, PageSnapshot]:
    """One snapshot per fixture page, as committed (``tests/browserflow/golden.py``)."""
    return golden.load()


@pytest.fixture(scope="module")
def fixture_site() -> str:
    """The fixture site's address as the golden snapshots spell it."""
    return golden.BASE


def decide(snap: PageSnapshot, goal: str = GOAL, data: dict[str, str] | None = None, **kw: object) -> DecideInput:
    return DecideInput(goal=goal, data=DATA if data is None else data, snapshot=snap, allowed_domains=[HOST], **kw)


def brief(actions: list[Action]) -> list[tuple[object, ...]]:
    return [(a.kind, a.selector, a.value, a.data_key, a.label, a.irreversible) for a in actions]


# ---------------------------------------------------------------------------------------------------------
# the fixture pages


def test_landing_picks_the_class_schedule_link(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["landing"]))
    assert brief(d.actions) == [("click", 'role=link[name="Class schedule"s]', None, None, "Class schedule", False)]
    assert d.actions[0].ref == next(e.ref for e in snaps["landing"].elements if e.name == "Class schedule")
    assert d.tier == "rules" and 0.5 <= d.confidence < 0.8
    assert "class" in d.reason


def test_schedule_picks_the_register_link_in_the_right_row(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["schedule"]))
    assert brief(d.actions) == [
        ("click", 'a[href="register.html?class=tue-evening-swim"]', None, None, "Register", False)
    ]
    assert d.confidence >= 0.8
    assert "Tuesday evening swim" in d.reason


def test_registration_form_is_filled_and_submitted(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["register"]))
    assert brief(d.actions) == [
        ("fill", "#student_name", "Eden Levi", "student_name", "Student name", False),
        ("fill", 'input[name="email"]', "eden@example.com", "email", "Email", False),
        ("select", "#class_id", "tue-evening-swim", "class_id", "Class", False),
        ("check", 'input[name="level"][value="beginner"]', None, "level", "Level: Beginner", False),
        ("fill", "#date_of_birth", "2015-04-12", "date_of_birth", "Date of birth", False),
        ("check", "#consent", None, None, "I agree to the pool rules", False),
        ("click", 'role=button[name="Register"s]', None, None, "Register", True),
    ]
    refs = {e.selector: e.ref for e in snaps["register"].elements}
    assert all(a.selector is not None and a.ref == refs[a.selector] for a in d.actions)
    assert d.confidence >= 0.8
    assert d.can_proceed


def test_rerendered_form_only_redoes_what_the_errors_and_gaps_need(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["register_errors"]))
    # name, class and level already hold the data; email holds it too but the server complained about it
    assert brief(d.actions) == [
        ("fill", 'input[name="email"]', "eden@example.com", "email", "Email", False),
        ("fill", "#date_of_birth", "2015-04-12", "date_of_birth", "Date of birth", False),
        ("check", "#consent", None, None, "I agree to the pool rules", False),
        ("click", 'role=button[name="Register"s]', None, None, "Register", True),
    ]
    assert d.confidence >= 0.8


def test_login_form_fills_secret_references_verbatim(snaps: dict[str, PageSnapshot]) -> None:
    data = {**DATA, "password": "env:POOL_PASSWORD"}
    d = decide_rules(decide(snaps["login"], data=data))
    assert brief(d.actions) == [
        ("fill", "#login-email", "eden@example.com", "email", "Email address", False),
        ("fill", "#login-password", "env:POOL_PASSWORD", "password", "Password", False),
        ("click", 'role=button[name="Log in"s]', None, None, "Log in", False),
    ]
    assert d.confidence >= 0.8


def test_login_without_a_password_does_not_submit(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["login"]))
    assert [a.kind for a in d.actions] == ["fill"]
    assert d.confidence < 0.5
    assert "Password" in d.reason


def test_nothing_sensible_gives_no_action(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["hidden"]))
    assert d.actions == [] and d.confidence == 0.0 and d.reason
    assert not d.can_proceed


def test_decisions_are_deterministic(snaps: dict[str, PageSnapshot]) -> None:
    for snap in snaps.values():
        a = decide_rules(decide(snap)).model_dump(exclude={"latency_ms"})
        b = decide_rules(decide(snap)).model_dump(exclude={"latency_ms"})
        assert a == b


# ---------------------------------------------------------------------------------------------------------
# failures, history, domains


def test_a_failed_submit_is_not_proposed_again(snaps: dict[str, PageSnapshot]) -> None:
    first = decide_rules(decide(snaps["register"]))
    failed = [first.actions[-1]]
    d = decide_rules(decide(snaps["register"], failed_actions=failed))
    assert all(not (a.kind == "click" and a.selector == failed[0].selector) for a in d.actions)
    assert d.confidence < 0.8


def test_a_failed_fill_stops_the_submit(snaps: dict[str, PageSnapshot]) -> None:
    failed = [Action(kind="fill", selector='input[name="email"]', value="eden@example.com")]
    d = decide_rules(decide(snaps["register"], failed_actions=failed))
    assert ("fill", 'input[name="email"]') not in [(a.kind, a.selector) for a in d.actions]
    assert all(a.kind != "click" for a in d.actions)
    assert d.confidence < 0.5 and "failed before" in d.reason


def test_a_failed_link_click_is_not_repeated_and_lowers_confidence(snaps: dict[str, PageSnapshot]) -> None:
    best = decide_rules(decide(snaps["schedule"])).actions[0]
    d = decide_rules(decide(snaps["schedule"], failed_actions=[best]))
    assert d.actions and d.actions[0].selector != best.selector
    assert d.confidence <= 0.5


def test_links_outside_the_allowed_domains_are_never_clicked(snaps: dict[str, PageSnapshot]) -> None:
    goal = "See the partner offers"
    inside = decide_rules(decide(snaps["landing"], goal=goal, data={}))
    assert inside.actions == [] and inside.confidence == 0.0
    anywhere = decide_rules(DecideInput(goal=goal, data={}, snapshot=snaps["landing"], allowed_domains=[]))
    assert [a.label for a in anywhere.actions] == ["Partner offers"]
    allowed = decide_rules(
        DecideInput(goal=goal, data={}, snapshot=snaps["landing"], allowed_domains=[HOST, "example.org"])
    )
    assert [a.label for a in allowed.actions] == ["Partner offers"], "subdomains of an allowed domain are fine"


def test_the_current_page_is_not_clicked_again(snaps: dict[str, PageSnapshot]) -> None:
    d = decide_rules(decide(snaps["schedule"], goal="Open the class schedule", data={}))
    assert all(a.label != "Class schedule" for a in d.actions)


def test_a_page_that_led_back_is_not_visited_again(snaps: dict[str, PageSnapshot], fixture_site: str) -> None:
    schedule = f"{fixture_site}/schedule.html"
    target = f"{fixture_site}/register.html?class=tue-evening-swim"
    history = [
        StepRecord(step=1, url=schedule, decision="click 'Register'", url_after=target),
        StepRecord(step=2, url=target, decision="click 'Class schedule'", url_after=schedule),
    ]
    d = decide_rules(decide(snaps["schedule"], history=history))
    assert all(a.selector != 'a[href="register.html?class=tue-evening-swim"]' for a in d.actions)
    assert d.confidence <= 0.5


def test_history_that_moved_forward_does_not_block(snaps: dict[str, PageSnapshot], fixture_site: str) -> None:
    landing = f"{fixture_site}/landing.html"
    schedule = f"{fixture_site}/schedule.html"
    history = [StepRecord(step=1, url=landing, decision="click 'Class schedule'", url_after=schedule)]
    d = decide_rules(decide(snaps["schedule"], history=history))
    assert d.actions[0].selector == 'a[href="register.html?class=tue-evening-swim"]'
    assert d.confidence >= 0.8


def test_resubmitting_without_an_error_is_not_confident(snaps: dict[str, PageSnapshot], fixture_site: str) -> None:
    page_url = f"{fixture_site}/register.html"
    first = decide_rules(decide(snaps["register"]))
    history = [StepRecord(step=3, url=page_url, decision=first.describe(), actions=first.actions, url_after=page_url)]
    again = decide_rules(decide(snaps["register"], history=history))
    assert again.actions[-1].irreversible and again.confidence <= 0.4
    assert "already ran" in again.reason
    # with the server's validation errors on the page, submitting again is the right thing to do
    errors_url = f"{fixture_site}/register_errors.html"
    history = [
        StepRecord(step=3, url=errors_url, decision=first.describe(), actions=first.actions, url_after=errors_url)
    ]
    after_errors = decide_rules(decide(snaps["register_errors"], history=history))
    assert after_errors.actions[-1].irreversible and after_errors.confidence >= 0.8


# ---------------------------------------------------------------------------------------------------------
# hand-built snapshots for the finer points


def _el(ref: str, **kw: object) -> Element:
    kw.setdefault("selector", f"#{ref}")
    return Element(ref=ref, **kw)


def test_data_checkboxes_selects_by_label_and_confirm_password() -> None:
    snap = PageSnapshot(
        url="https://pool.test/signup",
        elements=[
            _el("e1", tag="input", type="email", label="E-mail", html_name="mail", required=True, form=0),
            _el("e2", tag="input", type="password", label="Password", html_name="pw", required=True, form=0),
            _el("e3", tag="input", type="password", label="Repeat password", html_name="pw2", required=True, form=0),
            _el(
                "e4",
                tag="select",
                label="Country",
                html_name="country",
                value="",
                options=[Option(value="", label="—", selected=True), Option(value="se", label="Sweden")],
                form=0,
            ),
            _el(
                "e5",
                tag="input",
                type="checkbox",
                label="Send me the newsletter",
                html_name="nl",
                checked=False,
                form=0,
            ),
            _el("e6", tag="input", type="checkbox", label="Remember me", html_name="remember", checked=True, form=0),
            _el("e7", tag="input", type="submit", role="button", name="Sign up", form=0),
        ],
    )
    data = {
        "email": "a@b.test",
        "password": "env:PW",
        "country": " sweden ",
        "newsletter": "yes",
        "remember": "no",
    }
    d = decide_rules(DecideInput(goal="Create an account", data=data, snapshot=snap))
    assert [(a.kind, a.ref, a.value, a.data_key) for a in d.actions] == [
        ("fill", "e1", "a@b.test", "email"),
        ("fill", "e2", "env:PW", "password"),
        ("fill", "e3", "env:PW", "password"),
        ("select", "e4", "se", "country"),
        ("check", "e5", None, "newsletter"),
        ("uncheck", "e6", None, "remember"),
        ("click", "e7", None, None),
    ]
    assert d.actions[-1].irreversible  # "Sign up"
    assert d.confidence >= 0.8


def test_missing_option_is_reported_unless_the_list_was_pruned() -> None:
    select = _el(
        "e1",
        tag="select",
        label="Class",
        html_name="class_id",
        required=True,
        options=[Option(value="", label="Choose", selected=True), Option(value="a", label="Aqua")],
        form=0,
    )
    button = _el("e2", tag="button", type="submit", role="button", name="Save", form=0)
    snap = PageSnapshot(url="https://pool.test/f", elements=[select, button])
    d = decide_rules(DecideInput(goal="save", data={"class_id": "Tuesday evening swim"}, snapshot=snap))
    assert d.actions == [] and "no option" in d.reason
    pruned = snap.model_copy(update={"truncated": True})
    d2 = decide_rules(DecideInput(goal="save", data={"class_id": "Tuesday evening swim"}, snapshot=pruned))
    assert [(a.kind, a.value) for a in d2.actions] == [("select", "Tuesday evening swim"), ("click", None)]


def test_a_lone_newsletter_box_loses_to_a_link_that_fits_the_goal() -> None:
    snap = PageSnapshot(
        url="https://pool.test/",
        elements=[
            _el("e1", tag="a", role="link", name="Class schedule", href="https://pool.test/schedule"),
            _el("e2", tag="input", type="email", label="Your email", html_name="email", form=0),
            _el("e3", tag="button", type="submit", role="button", name="Subscribe", form=0),
        ],
    )
    d = decide_rules(DecideInput(goal=GOAL, data=DATA, snapshot=snap, allowed_domains=["pool.test"]))
    assert [a.label for a in d.actions] == ["Class schedule"]


def test_buttons_are_marked_irreversible_by_their_wording() -> None:
    snap = PageSnapshot(
        url="https://shop.test/cart",
        elements=[
            _el("e1", tag="button", type="button", role="button", name="Place order"),
            _el("e2", tag="a", role="link", name="Continue shopping", href="https://shop.test/"),
        ],
    )
    d = decide_rules(DecideInput(goal="Place the order for the cart", data={}, snapshot=snap))
    assert [(a.label, a.irreversible) for a in d.actions] == [("Place order", True)]


def test_token_helpers() -> None:
    assert tokens("Register Eden for the Tuesday evening swim class") == (
        "register",
        "eden",
        "tuesday",
        "evening",
        "swim",
        "class",
    )
    assert field_tokens("date_of_birth") == field_tokens("Date of birth") == ("date", "birth")
    assert field_tokens("dob") == ("date", "birth")
    assert field_tokens("class_id") == ("class",)
    assert field_tokens("studentName") == ("student", "name")
    assert token_match("swim", "swimming") and token_match("register", "registration")
    assert not token_match("tue", "tuesday") and not token_match("class", "clash")
    assert similarity(field_tokens("student_name"), field_tokens("Student name")) == 1.0
