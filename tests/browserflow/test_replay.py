"""Planning a cached replay: what runs in one go, which steps only followed links, where a replay may start."""

from __future__ import annotations

from browserflow.contracts import Action, Element, PageSnapshot, StepRecord
from browserflow.replay import entry_point, link_target, same_page, split_reversible

HOME = "http://pool.test/"
SCHEDULE = "http://pool.test/schedule"
FORM = "http://pool.test/register?class=tue"


def click(label: str, **kw: object) -> Action:
    return Action(kind="click", selector=f"text={label}", label=label, **kw)


def fill(label: str, key: str) -> Action:
    return Action(kind="fill", selector=f"#{key}", label=label, value="x", data_key=key)


SUBMIT = click("Register", irreversible=True)


def test_split_cuts_a_step_before_its_submit() -> None:
    steps = [[click("Class schedule")], [click("Register")], [fill("Name", "name"), fill("Email", "email"), SUBMIT]]
    prefix, rest = split_reversible(steps)
    assert prefix == [[click("Class schedule")], [click("Register")], [fill("Name", "name"), fill("Email", "email")]]
    assert rest == [[SUBMIT]]


def test_split_keeps_steps_after_the_first_irreversible_action_out_of_the_prefix() -> None:
    later = [click("Download receipt")]
    prefix, rest = split_reversible([[SUBMIT], later])
    assert prefix == []
    assert rest == [[SUBMIT], later]


def test_split_of_a_path_without_irreversible_actions_is_all_prefix() -> None:
    steps = [[click("A")], [click("B")]]
    assert split_reversible(steps) == (steps, [])


def snapshot_with(url: str, *elements: Element) -> PageSnapshot:
    return PageSnapshot(url=url, elements=list(elements))


def link(ref: str, name: str, href: str) -> Element:
    return Element(ref=ref, selector=f"text={name}", tag="a", role="link", name=name, href=href)


def test_a_click_on_a_link_that_led_to_its_href_is_a_link_step() -> None:
    page = snapshot_with(HOME, link("e1", "Class schedule", SCHEDULE))
    assert link_target([click("Class schedule", ref="e1")], page, SCHEDULE + "#top") == SCHEDULE + "#top"
    # found by selector when the ref is gone (a cached action)
    assert link_target([click("Class schedule")], page, SCHEDULE) == SCHEDULE


def test_what_is_not_a_link_step() -> None:
    page = snapshot_with(
        HOME,
        link("e1", "Class schedule", SCHEDULE),
        Element(ref="e2", selector="text=Go", tag="button", name="Go"),
        link("e3", "Top", HOME + "#top"),
    )
    redirected = "http://pool.test/login?next=/schedule"
    assert link_target([click("Class schedule", ref="e1")], page, redirected) == ""  # a redirect
    assert link_target([click("Go", ref="e2")], page, SCHEDULE) == ""  # a button (a form, a script)
    assert link_target([click("Top", ref="e3")], page, HOME + "#top") == ""  # same page
    assert link_target([click("Class schedule", ref="e1", data_key="class")], page, SCHEDULE) == ""  # data-bound
    assert link_target([click("Class schedule", ref="e1"), click("Go", ref="e2")], page, SCHEDULE) == ""
    assert link_target([click("Nowhere", ref="e9")], page, SCHEDULE) == ""


def record(step: int, url: str, after: str, link_to: str = "", ok: bool = True) -> StepRecord:
    return StepRecord(step=step, url=url, decision="", url_after=after, link=link_to, ok=ok)


def test_entry_point_is_the_chain_of_leading_links() -> None:
    records = [
        record(1, HOME, SCHEDULE, SCHEDULE),
        record(2, SCHEDULE, FORM, FORM),
        record(3, FORM, "http://pool.test/done"),
    ]
    assert entry_point(records) == [SCHEDULE, FORM]


def test_entry_point_ignores_failed_steps_and_stops_at_a_broken_chain() -> None:
    failed = record(2, SCHEDULE, SCHEDULE, ok=False)
    records = [record(1, HOME, SCHEDULE, SCHEDULE), failed, record(3, SCHEDULE, FORM, FORM), record(4, FORM, HOME)]
    assert entry_point(records) == [SCHEDULE, FORM]
    # the second step ran on a page the first did not lead to: the chain breaks, and the step after the links
    # would not start on their last page, so there is no entry point at all
    elsewhere = [
        record(1, HOME, SCHEDULE, SCHEDULE),
        record(2, "http://pool.test/x", FORM, FORM),
        record(3, FORM, HOME),
    ]
    assert entry_point(elsewhere) == []


def test_no_entry_point_without_a_step_after_the_links_or_without_links() -> None:
    assert entry_point([record(1, HOME, SCHEDULE, SCHEDULE)]) == []
    assert entry_point([record(1, HOME, FORM), record(2, FORM, HOME)]) == []
    assert entry_point([]) == []


def test_same_page_ignores_fragments_only() -> None:
    assert same_page(SCHEDULE, SCHEDULE + "#x")
    assert not same_page(SCHEDULE, FORM)
    assert not same_page("", "")
