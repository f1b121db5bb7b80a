"""Goal checks and result extraction: pure checks on snapshots, and one walk through real pages."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

from browserflow.contracts import Action, CheckGoalInput, DecideInput, PageSnapshot, SuccessIndicator
from browserflow.goals import check_goal, extract_results, probe_selectors, success_message
from browserflow.rules import decide_rules
from browserflow.snapshot import take_snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "html"
CONFIRMED = PageSnapshot(
    url="https://pool.test/register/done?id=9",
    title="Registration confirmed - Riverside Pool",
    text="Registration confirmed Thank you! Eden Levi is registered. Your reference number is SWM-123456.",
    present_selectors=["#reference"],
)


def goal_input(snap: PageSnapshot = CONFIRMED, **kw: object) -> CheckGoalInput:
    return CheckGoalInput(goal="Register Eden", snapshot=snap, **kw)


# ---------------------------------------------------------------------------------------------------------
# indicators


def test_text_indicator_is_case_insensitive_and_sees_the_title() -> None:
    met = check_goal(goal_input(indicators=[SuccessIndicator(text="registration CONFIRMED")]))
    assert met.met and met.reason == "text 'registration CONFIRMED' visible"
    in_title = check_goal(goal_input(indicators=[SuccessIndicator(text="Riverside Pool")]))
    assert in_title.met
    spaced = check_goal(goal_input(indicators=[SuccessIndicator(text="reference  number\nis")]))
    assert spaced.met


def test_url_and_selector_indicators() -> None:
    assert check_goal(goal_input(indicators=[SuccessIndicator(url_contains="/register/done")])).met
    assert check_goal(goal_input(indicators=[SuccessIndicator(selector="#reference")])).met
    missing = check_goal(goal_input(indicators=[SuccessIndicator(selector=".receipt")]))
    assert not missing.met and missing.reason == "selector '.receipt' not present"


def test_every_indicator_must_hold() -> None:
    inds = [
        SuccessIndicator(text="Registration confirmed"),
        SuccessIndicator(url_contains="/receipt"),
        SuccessIndicator(text="Paid"),
    ]
    result = check_goal(goal_input(indicators=inds))
    assert not result.met
    assert result.reason == "url does not contain '/receipt'; text 'Paid' not visible"
    both = check_goal(
        goal_input(indicators=[SuccessIndicator(text="Registration confirmed"), SuccessIndicator(url_contains="done")])
    )
    assert both.met and both.reason == "text 'Registration confirmed' visible; url contains 'done'"


def test_indicators_ignore_the_submitted_flag() -> None:
    result = check_goal(goal_input(indicators=[SuccessIndicator(text="confirmed")], submitted=False))
    assert result.met


# ---------------------------------------------------------------------------------------------------------
# the default check


def test_default_needs_a_submission() -> None:
    result = check_goal(goal_input())
    assert not result.met and "nothing submitted" in result.reason


def test_default_met_after_submit_with_a_success_message() -> None:
    result = check_goal(goal_input(submitted=True))
    assert result.met and "confirmed" in result.reason.lower()


def test_default_not_met_when_an_error_shows() -> None:
    snap = CONFIRMED.model_copy(update={"errors": ["Your card was declined."]})
    result = check_goal(goal_input(snap, submitted=True))
    assert not result.met and "declined" in result.reason


def test_default_not_met_without_success_words_or_when_negated() -> None:
    plain = PageSnapshot(url="https://pool.test/register", title="Register", text="Register for a class Student name")
    assert not check_goal(goal_input(plain, submitted=True)).met
    negated = PageSnapshot(url="https://pool.test/x", title="Account", text="You are not registered for any class.")
    assert not check_goal(goal_input(negated, submitted=True)).met
    assert success_message("Your order has been placed.") == "order has been placed"
    assert success_message("The form is incomplete") is None


# ---------------------------------------------------------------------------------------------------------
# extraction


def test_extraction_uses_group_one_or_the_whole_match_and_omits_misses() -> None:
    result = check_goal(
        goal_input(
            indicators=[SuccessIndicator(text="confirmed")],
            extract={
                "reference": r"SWM-\d{6}",
                "number": r"reference number is (SWM-(\d+))",
                "student": r"Thank you! (\w+ \w+) is registered",
                "missing": r"Invoice (\d+)",
                "optional": r"(?:Seat (\d+))?Registration",
            },
        )
    )
    assert result.result_data == {
        "reference": "SWM-123456",
        "number": "SWM-123456",
        "student": "Eden Levi",
    }


def test_extraction_falls_back_to_the_title() -> None:
    assert extract_results("nothing here", {"page": r"(\w+) confirmed"}, "Registration confirmed") == {
        "page": "Registration"
    }


def test_probe_selectors_lists_each_selector_once() -> None:
    inds = [
        SuccessIndicator(text="done"),
        SuccessIndicator(selector="#ok"),
        SuccessIndicator(url_contains="/x"),
        SuccessIndicator(selector=".receipt"),
        SuccessIndicator(selector="#ok"),
    ]
    assert probe_selectors(inds) == ["#ok", ".receipt"]
    assert probe_selectors([]) == []


# ---------------------------------------------------------------------------------------------------------
# real pages: snapshot -> rules -> act -> goal, from the landing page to the confirmation


async def perform(page: Page, actions: list[Action]) -> None:
    """A minimal executor: act through the data-bf-ref locators of the snapshot the actions were decided on."""
    for a in actions:
        target = page.locator(f'[data-bf-ref="{a.ref}"]')
        if a.kind == "fill":
            await target.fill(a.value or "")
        elif a.kind == "select":
            await target.select_option(a.value or "")
        elif a.kind == "check":
            await target.check()
        elif a.kind == "click":
            async with page.expect_navigation(wait_until="domcontentloaded"):
                await target.click()
        else:
            raise AssertionError(f"unexpected action {a.kind}")


async def test_walk_from_landing_to_confirmation(page: Page, fixture_site: str) -> None:
    indicators = [SuccessIndicator(text="Registration confirmed"), SuccessIndicator(selector="#reference")]
    extract = {"reference": r"SWM-\d{6}"}
    data = {
        "student_name": "Eden Levi",
        "email": "eden@example.com",
        "class_id": "tue-evening-swim",
        "level": "Beginner",
        "date_of_birth": "2015-04-12",
    }
    goal = "Register Eden for the Tuesday evening swim class"
    await page.goto(f"{fixture_site}/landing.html", wait_until="domcontentloaded")
    visited: list[str] = []
    submitted = False
    for _ in range(6):
        snap = await take_snapshot(page, probe_selectors(indicators))
        visited.append(snap.url.rsplit("/", 1)[-1])
        result = check_goal(
            CheckGoalInput(goal=goal, snapshot=snap, indicators=indicators, extract=extract, submitted=submitted)
        )
        default = check_goal(CheckGoalInput(goal=goal, snapshot=snap, submitted=submitted))
        assert result.met == default.met, "the default check agrees with the explicit indicators here"
        if result.met:
            break
        decision = decide_rules(DecideInput(goal=goal, data=data, snapshot=snap, allowed_domains=["127.0.0.1"]))
        assert decision.can_proceed, decision.reason
        await perform(page, decision.actions)
        submitted = any(a.irreversible for a in decision.actions)
    else:
        raise AssertionError(f"goal not reached; visited {visited}")
    assert visited[:3] == ["landing.html", "schedule.html", "register.html?class=tue-evening-swim"]
    assert visited[3].startswith("confirmation.html?student_name=Eden+Levi&email=eden%40example.com")
    assert "class_id=tue-evening-swim&level=beginner&date_of_birth=2015-04-12" in visited[3]
    assert "newsletter" not in visited[3] and "consent=yes" in visited[3]
    assert result.result_data == {"reference": "SWM-123456"}
    assert result.reason == "text 'Registration confirmed' visible; selector '#reference' present"
