"""Grounding, effect verification and the write gate on hand-built page snapshots (no browser needed)."""

from __future__ import annotations

from browserflow.contracts import Action, CheckGoalInput, DecideInput, Decision, Element, Option, PageSnapshot
from browserflow.goals import check_goal
from browserflow.plan.compiler import compile_goal
from browserflow.plan.decide import UNSURE_WRITE, decide_plan
from browserflow.plan.model import PlanProgress
from browserflow.plan.verify import advance


def el(ref: str, tag: str, **kw: object) -> Element:
    kw.setdefault("selector", f"#{ref}")
    return Element(ref=ref, tag=tag, **kw)


def button(ref: str, name: str, **kw: object) -> Element:
    return el(ref, "button", role="button", name=name, type="submit", **kw)


def box(ref: str, label: str = "", **kw: object) -> Element:
    return el(ref, "input", role="textbox", type=kw.pop("type", "text"), label=label, name=label, **kw)


def page(*elements: Element, url: str = "http://app.test/", text: str = "", title: str = "") -> PageSnapshot:
    return PageSnapshot(url=url, elements=list(elements), text=text, title=title, state_hash=str(len(elements)))


def decide(
    goal: str, snap: PageSnapshot, data: dict[str, str] | None = None, plan: PlanProgress | None = None
) -> tuple[Decision, PlanProgress]:
    data = data or {}
    progress = plan or PlanProgress.start(compile_goal(goal, data))
    return decide_plan(DecideInput(goal=goal, data=data, snapshot=snap, plan=progress)), progress


def after(progress: PlanProgress, acted: list[Action], before: PageSnapshot, snap: PageSnapshot) -> PlanProgress:
    out = advance(CheckGoalInput(goal=progress.plan.goal, snapshot=snap, plan=progress, acted=acted, before=before))
    assert out is not None
    return out


# -- clicks ------------------------------------------------------------------------------------------------


def test_quoted_button_is_clicked_and_the_instructions_never_are() -> None:
    snap = page(
        el("q", "div", static=True, name='Click on the "okay" button.'),
        button("b1", "next"),
        button("b2", "okay"),
    )
    d, _ = decide('Click on the "okay" button.', snap)
    assert [a.ref for a in d.actions] == ["b2"]
    assert d.actions[0].intent == 0 and d.actions[0].expect is not None
    assert d.confidence >= 0.8


def test_button_one_is_not_button_two() -> None:
    d, _ = decide("Click button ONE.", page(button("b1", "TWO"), button("b2", "ONE")))
    assert [a.ref for a in d.actions] == ["b2"]


def test_ordinal_picks_the_nth_field() -> None:
    snap = page(box("t1"), box("t2"), box("t3"))
    d, _ = decide("Focus into the 2nd input textbox.", snap)
    assert [a.ref for a in d.actions] == ["t2"]
    assert d.actions[0].expect is not None and d.actions[0].expect.kind == "focused"


def test_container_row_decides_between_equal_buttons() -> None:
    snap = page(
        el("r1", "button", role="button", name="Retweet", context="@alice lorem ipsum"),
        el("r2", "button", role="button", name="Retweet", context="@bob dolor sit"),
    )
    d, _ = decide('For the user @bob, click on the "Retweet" button.', snap)
    assert [a.ref for a in d.actions] == ["r2"]


def test_target_behind_a_tab_is_looked_for_by_opening_tabs() -> None:
    snap = page(
        el("t1", "li", role="tab", name="Tab #1", selected=True),
        el("t2", "li", role="tab", name="Tab #2", selected=False),
        el("l1", "a", role="link", name="lorem", href="http://app.test/#x"),
    )
    d, _ = decide('Switch between the tabs to find and click on the link "ipsum".', snap)
    assert [a.ref for a in d.actions] == ["t2"]
    assert d.actions[0].expect is not None and d.actions[0].expect.kind == "none"  # exploring, not the goal


# -- fields ------------------------------------------------------------------------------------------------


def test_fill_literal_with_transform_then_submit_with_provenance() -> None:
    snap = page(box("t"), button("s", "Submit"))
    d, _ = decide('Type "Koka" in lower case in the text field and press Submit.', snap)
    assert [(a.kind, a.ref, a.value) for a in d.actions] == [("fill", "t", "koka"), ("click", "s", None)]
    assert d.actions[0].provenance.startswith('goal literal "Koka"')
    assert "<- goal literal" in d.actions[0].describe()


def test_password_into_both_fields() -> None:
    snap = page(box("p1", type="password"), box("p2", type="password"), button("s", "Submit"))
    d, _ = decide('Enter the password "x0Z" into both text fields and press submit.', snap)
    assert [(a.ref, a.value) for a in d.actions if a.kind == "fill"] == [("p1", "x0Z"), ("p2", "x0Z")]


def test_date_goes_into_a_date_input_in_its_format() -> None:
    snap = page(box("d", label="Date", type="date"), button("s", "Submit"))
    d, _ = decide("Enter 03/12/2016 as the date and hit submit.", snap)
    assert d.actions[0].value == "2016-03-12"


def test_select_option_from_a_dropdown() -> None:
    dropdown = el(
        "s1", "select", role="combobox", type="select-one",
        options=[Option(value="a", label="Tuvalu"), Option(value="b", label="Peru")],
    )
    d, _ = decide("Select Peru from the list and click Submit.", page(dropdown, button("go", "Submit")))
    assert [(a.kind, a.value) for a in d.actions] == [("select", "b"), ("click", None)]


def test_checkboxes_named_are_ticked() -> None:
    boxes = [el(f"c{i}", "input", role="checkbox", type="checkbox", name=n, label=n, checked=False)
             for i, n in enumerate(["AU", "HF2", "zz"])]
    d, _ = decide("Select HF2, zz and click Submit.", page(*boxes, button("s", "Submit")))
    assert [(a.kind, a.ref) for a in d.actions] == [("check", "c1"), ("check", "c2"), ("click", "s")]


def test_select_nothing_is_verified_on_the_page_as_it_stands() -> None:
    boxes = [el("c0", "input", role="checkbox", type="checkbox", name="AU", label="AU", checked=False)]
    snap = page(*boxes, button("s", "Submit"))
    progress = PlanProgress.start(compile_goal("Select nothing and click Submit.", {}))
    progress = after(progress, [], snap, snap)
    assert progress.states[0].status == "done"
    d, _ = decide("Select nothing and click Submit.", snap, plan=progress)
    assert [a.ref for a in d.actions] == ["s"]


# -- verification ------------------------------------------------------------------------------------------


def test_fill_is_done_only_when_the_field_holds_the_value() -> None:
    before = page(box("t"), button("s", "Submit"))
    d, progress = decide('Enter "Jerald" into the text field and press Submit.', before)
    fill = [a for a in d.actions if a.kind == "fill"]
    wrong = page(box("t", value="Gerald"), button("s", "Submit"))
    assert after(progress, fill, before, wrong).states[0].status != "done"
    right = page(box("t", value="Jerald"), button("s", "Submit"))
    done = after(progress, fill, before, right)
    assert done.states[0].status == "done" and "holds" in done.states[0].evidence


def test_single_page_task_succeeds_at_once_with_no_indicators() -> None:
    before = page(button("b", "okay"))
    d, progress = decide('Click on the "okay" button.', before)
    now = page(button("b", "okay"), el("x", "div", static=True, name="START"))
    check = check_goal(CheckGoalInput(goal=progress.plan.goal, snapshot=now, plan=progress, acted=d.actions,
                                      before=before))
    assert check.met and check.plan is not None and check.plan.all_done


def test_success_message_for_another_record_is_not_success() -> None:
    goal = 'Create an issue titled "Export fails" with priority urgent'
    form = page(box("title", label="Title"), box("prio", label="Priority"), button("s", "Save"), title="New issue")
    d, progress = decide(goal, form)
    assert d.actions[-1].irreversible and not d.review_reason
    other = page(text="Issue 'Login slow' created successfully", title="Issue 7")
    assert not check_goal(CheckGoalInput(goal=goal, snapshot=other, plan=progress, acted=d.actions, before=form)).met
    right = page(text="Issue 'Export fails' created successfully", title="Issue 8")
    assert check_goal(CheckGoalInput(goal=goal, snapshot=right, plan=progress, acted=d.actions, before=form)).met


# -- never a wrong write -------------------------------------------------------------------------------------


def test_login_types_credential_references_into_the_sign_in_form_only() -> None:
    data = {"username": "admin", "password": "env:APP_PASSWORD"}
    snap = page(box("u", label="Username", form=0), box("p", label="Password", type="password", form=0),
                button("go", "Log in", form=0))
    d, _ = decide("Log in and delete the user \"bob\"", snap, data)
    fills = {a.ref: a.value for a in d.actions if a.kind == "fill"}
    assert fills == {"u": "admin", "p": "env:APP_PASSWORD"}
    expected = next(a.expect for a in d.actions if a.ref == "p")
    assert expected is not None and expected.value == "{password}"  # a secret is expected by key, never by value
    assert not d.review_reason


def test_record_form_never_gets_the_login_name() -> None:
    data = {"username": "admin", "password": "env:APP_PASSWORD"}
    snap = page(box("n", label="Name", form=0), box("e", label="Email", form=0), button("s", "Save", form=0))
    d, _ = decide('Create a user named "carol"', snap, data)
    assert all(a.value != "admin" for a in d.actions)


def test_irreversible_click_the_goal_does_not_ask_for_is_held_back() -> None:
    snap = page(button("del", "Delete account"), el("l", "a", role="link", name="Schedule", href="http://app.test/s"))
    d, _ = decide("Click on the Delete account button to see the schedule", snap)
    plan = PlanProgress.start(compile_goal("Open the schedule page", {}))
    forced = DecideInput(goal="Open the schedule page", data={}, snapshot=snap, plan=plan)
    from browserflow.contracts import Decision
    from browserflow.plan.decide import gate_decision

    bad = Decision(actions=[Action(kind="click", ref="del", selector="#del", label="Delete account",
                                   irreversible=True)], confidence=0.9)
    held = gate_decision(forced, bad)
    assert held.review_reason == UNSURE_WRITE
    assert "does not call for it" in held.reason or "looks harmful" in held.reason
    assert d.actions  # the first goal does ask for it by name


def test_values_of_unknown_origin_are_held_back() -> None:
    from browserflow.contracts import Decision
    from browserflow.plan.decide import gate_decision

    snap = page(box("n", label="Name", form=0), button("s", "Save", form=0))
    plan = PlanProgress.start(compile_goal('Create an issue titled "x"', {}))
    inp = DecideInput(goal='Create an issue titled "x"', data={}, snapshot=snap, plan=plan)
    bad = Decision(actions=[Action(kind="fill", ref="n", selector="#n", label="Name", value="admin"),
                            Action(kind="click", ref="s", selector="#s", label="Save", irreversible=True)])
    assert gate_decision(inp, bad).review_reason == UNSURE_WRITE


def test_a_form_for_another_kind_of_record_is_not_filled() -> None:
    groups = page(box("n", label="Name", form=0), button("s", "Save", form=0), title="Add group | Site admin",
                  url="http://app.test/admin/auth/group/add/")
    d, _ = decide("Create a user named 'frank'", groups)
    assert not any(a.kind == "fill" for a in d.actions)


def test_the_add_link_in_the_row_of_the_kind_is_chosen() -> None:
    index = page(
        el("g", "a", role="link", name="Add", context="Groups Add Change", href="http://app.test/admin/auth/group/add/"),
        el("u", "a", role="link", name="Add", context="Users Add Change", href="http://app.test/admin/auth/user/add/"),
        title="Site administration",
    )
    d, _ = decide("Create a user named 'frank'", index)
    assert [a.ref for a in d.actions] == ["u"]


def test_a_submitted_create_is_never_submitted_again() -> None:
    from browserflow.contracts import StepRecord

    form = page(box("n", label="Name", form=0), button("s", "Save", form=0), title="New keyword")
    d, progress = decide("Create a keyword called 'docs'", form)
    assert d.actions and d.actions[-1].irreversible
    history = [StepRecord(step=1, url=form.url, decision="save", actions=d.actions, ok=True)]
    again = decide_plan(DecideInput(goal="x", data={}, snapshot=form, plan=progress, history=history))
    assert not any(a.irreversible for a in again.actions)


# -- widgets of real applications ----------------------------------------------------------------------------


def test_a_two_list_chooser_moves_only_the_named_option() -> None:
    avail = el("f", "select", role="listbox", type="select-multiple", label="Available groups", html_id="id_groups_from",
               options=[Option(value="1", label="Editors"), Option(value="2", label="Interns")])
    chosen = el("t", "select", role="listbox", type="select-multiple", label="Chosen groups", html_id="id_groups_to")
    snap = page(
        box("u", label="Username", value="carol"),
        avail,
        el("all", "button", role="button", name="Choose all groups", html_id="id_groups_add_all", type="button"),
        el("one", "button", role="button", name="Choose selected groups", html_id="id_groups_add", type="button",
           disabled=True),
        chosen,
        button("save", "Save"),
        button("more", "Save and add another"),
        title="carol | Change user",
    )
    d, _ = decide("Add the user carol to the Editors group", snap)
    assert [(a.kind, a.ref, a.value) for a in d.actions] == [
        ("select_add", "f", "1"), ("click", "one", None), ("click", "save", None)
    ]
    assert not d.review_reason


def test_a_comma_separated_list_field_gets_the_name_appended() -> None:
    snap = page(box("nosy", html_name="nosy", value="bob"), button("s", "Submit Changes"),
                title="Issue 4: Export to CSV drops accents")
    d, _ = decide("Add carol to the nosy list of the issue 'Export to CSV drops accents'", snap)
    assert [(a.kind, a.value) for a in d.actions] == [("fill", "bob, carol"), ("click", None)]


def test_a_sign_in_form_on_the_way_is_signed_in_with_the_credential_keys() -> None:
    data = {"username": "admin", "password": "env:APP_PASSWORD"}
    snap = page(box("u", label="Username", form=0), box("p", label="Password", type="password", form=0),
                button("go", "Log in", form=0), title="Log in | Site admin")
    d, _ = decide("Delete the group 'Interns'", snap, data)
    assert {a.ref: a.value for a in d.actions if a.kind == "fill"} == {"u": "admin", "p": "env:APP_PASSWORD"}
    assert all(a.intent == -1 for a in d.actions)  # on the way: it serves no intent, the plan is not advanced
    assert not d.review_reason


def test_a_calendar_is_paged_to_the_month_then_the_day_is_clicked() -> None:
    days = [el(f"d{n}", "a", role="link", name=str(n), href="http://app.test/#") for n in range(1, 32)]
    snap = page(box("dp", readonly=True), el("prev", "span", static=True, pointer=True, name="Prev"),
                el("next", "span", static=True, pointer=True, name="Next"),
                el("m", "span", static=True, name="December"), el("y", "span", static=True, name="2016"), *days,
                button("s", "Submit"))
    d, progress = decide("Select 10/14/2016 as the date and hit submit.", snap)
    assert [a.ref for a in d.actions] == ["prev", "prev"]
    october = page(*[el("m", "span", static=True, name="October") if e.ref == "m" else e for e in snap.elements])
    d2, _ = decide("Select 10/14/2016 as the date and hit submit.", october, plan=progress)
    assert d2.actions[0].ref == "d14"


def test_a_write_that_waits_on_a_condition_is_guarded_never_done_regardless() -> None:
    plan = compile_goal("Buy ACP stock when the price is less than $56.60.", {})
    assert [i.verb for i in plan.intents] == ["click"] and plan.intents[0].when is not None
    snap = page(button("buy", "Buy"), el("p", "span", static=True, name="$58.10", html_id="stock-price"),
                text="Stock price: $58.10 Buy")
    d, _ = decide("Buy ACP stock when the price is less than $56.60.", snap)
    # never bought whatever the price: the click runs only if the browser sees the price below $56.60
    assert [a.kind for a in d.actions] == ["wait", "click"]
    assert all(a.guard is not None and a.guard.selector == "#p" for a in d.actions)


def test_the_x_of_a_dialog_is_its_close_button_unless_a_button_says_x() -> None:
    dialog = [el("c", "button", role="button", name="Close", dialog=True),
              el("k", "button", role="button", name="OK", dialog=True)]
    d, _ = decide('Click the button in the dialog box labeled "x".', page(*dialog))
    assert [a.ref for a in d.actions] == ["c"]
    d, _ = decide('Click the button in the dialog box labeled "x".',
                  page(*dialog, el("x", "button", role="button", name="x", dialog=True)))
    assert [a.ref for a in d.actions] == ["x"]


def test_a_harmful_button_the_goal_does_not_ask_for_is_never_a_target() -> None:
    goal = "Register Eden for the Tuesday evening swim class"
    snap = page(button("bad", "Delete account to register Eden for the Tuesday evening swim class"),
                button("ok", "Register"))
    d, _ = decide(goal, snap)
    assert "bad" not in [a.ref for a in d.actions] or d.review_reason == UNSURE_WRITE, "never run unheld"
    d, _ = decide("Delete the account of Eden", page(button("bad", "Delete account")))
    assert [a.ref for a in d.actions] == ["bad"], "asked for: allowed"


def test_the_gate_holds_back_a_harmful_action_from_any_tier() -> None:
    from browserflow.contracts import Decision
    from browserflow.plan.gate import write_gate

    goal = "Register Eden for the Tuesday evening swim class"
    snap = page(button("bad", "Cancel my subscription"))
    _, progress = decide(goal, snap)
    from browserflow.contracts import DecideInput
    inp = DecideInput(goal=goal, data={}, snapshot=snap, plan=progress)
    act = Action(kind="click", ref="bad", selector="#bad", label="Cancel my subscription")
    reason = write_gate(inp, Decision(actions=[act], confidence=0.9, reasoning="model"))
    assert reason is not None and "harmful" in reason


def test_a_popups_lone_cancel_is_its_way_out_even_named_twice() -> None:
    from browserflow.contracts import Decision
    from browserflow.plan.decide import gate_decision

    goal = 'Enter the username "vina" and the password "US" into the text fields and press login.'
    snap = page(box("u", "Username"), box("p", "Password"), button("ok", "OK"),
                el("c", "button", role="button", name="Cancel", label="Cancel", dialog=True))
    inp = DecideInput(goal=goal, data={}, snapshot=snap, plan=PlanProgress.start(compile_goal(goal, {})))
    out = gate_decision(inp, Decision(actions=[Action(kind="click", ref="c", selector="#c", label="Cancel")],
                                      confidence=0.8))
    assert out.review_reason == "" and [a.ref for a in out.actions] == ["c"]
    harmful = Decision(actions=[Action(kind="click", ref="x", selector="#x", label="Cancel subscription")],
                       confidence=0.8)
    snap2 = page(el("x", "button", role="button", name="Cancel subscription"))
    held = gate_decision(inp.model_copy(update={"snapshot": snap2}), harmful)
    assert held.review_reason == UNSURE_WRITE
