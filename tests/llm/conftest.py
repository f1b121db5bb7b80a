"""Fixtures of the decision-tier tests: the fake providers, pages built as snapshots, and a router factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Literal

import pytest

from browserflow.contracts import Action, DecideInput, Decision, Element, Option, PageSnapshot, StepRecord
from browserflow.llm import LLMSettings, TierRouter, build_router
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.ollama_server import FakeOllama

API_KEY = "sk-ant-test-key"
GOAL = "Register Ana Lopez for the beginner swim class"


class ManualClock:
    """A clock tests move by hand (no sleeping)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FixedRules:
    """Stands in for ``browserflow.rules.decide_rules``: always the same decision, calls counted."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.calls = 0

    def __call__(self, inp: DecideInput) -> Decision:
        self.calls += 1
        return self.decision


def el(ref: str, tag: str, name: str = "", **kw: Any) -> Element:
    selector = kw.pop("selector", None) or (f"#{kw['html_id']}" if kw.get("html_id") else f"[data-ref={ref}]")
    return Element(ref=ref, selector=selector, tag=tag, name=name, **kw)


def members_page() -> PageSnapshot:
    """A members page whose 'Book a slot' link leads to the registration form (rules cannot tell)."""
    return PageSnapshot(
        url="http://swim.test/members",
        title="Members area",
        elements=[
            el("e1", "a", "Home", role="link", href="/"),
            el("e2", "a", "My bookings", role="link", href="/members/bookings"),
            el("e3", "a", "Book a slot", role="link", href="/register?class=swim", context="Classes: swim, tennis"),
            el("e4", "a", "Log out", role="link", href="/logout"),
            el("e5", "input", "Search", role="searchbox", type="search", html_name="q"),
            el("e6", "button", "Search", role="button", type="submit"),
        ],
        text="Welcome back! Book a slot for any of our classes: swimming, tennis, yoga. Opening hours 7-21.",
    )


def register_page(**overrides: Any) -> PageSnapshot:
    elements = [
        el("e1", "input", "Student name", type="text", html_id="student_name", html_name="student_name", required=True),
        el("e2", "input", "Email", type="email", html_id="email", html_name="email"),
        el("e3", "input", "Password", type="password", html_id="password", html_name="password"),
        el(
            "e4",
            "select",
            "Level",
            html_id="level",
            html_name="level",
            options=[Option(value="beg", label="Beginner"), Option(value="int", label="Intermediate")],
        ),
        el("e5", "input", "I accept the terms", type="checkbox", html_id="terms", html_name="terms", checked=False),
        el("e6", "input", "Plan A", type="radio", html_id="plan_a", html_name="plan"),
        el("e7", "button", "Register", type="submit", html_id="register"),
        el("e8", "a", "Privacy", role="link", href="https://other.example/privacy"),
        el("e9", "input", "Access code", type="text", html_id="access_code", html_name="access_code", value=""),
        el("e10", "button", "Disabled", html_id="disabled", disabled=True),
    ]
    data: dict[str, Any] = {
        "url": "http://swim.test/register?class=swim",
        "title": "Register",
        "elements": elements,
        "text": "Register for a class. All fields marked * are required.",
    }
    data.update(overrides)
    return PageSnapshot(**data)


def decide_input(
    snapshot: PageSnapshot | None = None,
    *,
    goal: str = GOAL,
    data: dict[str, str] | None = None,
    history: list[StepRecord] | None = None,
    failed: list[Action] | None = None,
    allowed: list[str] | None = None,
) -> DecideInput:
    return DecideInput(
        goal=goal,
        data={"student_name": "Ana Lopez", "level": "Beginner"} if data is None else data,
        snapshot=snapshot or members_page(),
        history=history or [],
        failed_actions=failed or [],
        allowed_domains=["swim.test"] if allowed is None else allowed,
    )


def answer(
    actions: list[dict[str, Any]], confidence: float, reason: str = "because", done: bool = False
) -> dict[str, Any]:
    return {"actions": actions, "confidence": confidence, "reason": reason, "done": done}


def act(kind: str, element: int | None = None, value: str | None = None, data_key: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "element": element, "value": value, "data_key": data_key}


LOW_RULES = Decision(
    actions=[Action(kind="click", ref="e2", selector="[data-ref=e2]", label="My bookings")],
    confidence=0.2,
    reason="no link matches the goal words",
)
CONFIDENT_RULES = Decision(
    actions=[Action(kind="click", ref="e3", selector="[data-ref=e3]", label="Book a slot")],
    confidence=0.9,
    reason="link text matches",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The SDK warns that the default model (claude-sonnet-4-5, as specified) is deprecated: not news here."""
    mark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")
    for item in items:
        if "tests/llm/" in str(item.path).replace("\\", "/"):
            item.add_marker(mark)


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        yield fake


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key=API_KEY) as fake:
        yield fake


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


RouterFactory = Callable[..., TierRouter]


@pytest.fixture
async def make_router(
    fake_ollama: FakeOllama, fake_anthropic: FakeAnthropic, clock: ManualClock
) -> AsyncIterator[RouterFactory]:
    """Build routers through ``build_router`` pointed at the fakes; their clients are closed afterwards."""
    made: list[TierRouter] = []

    def make(rules: Decision | FixedRules | Literal["real"] = LOW_RULES, **settings: Any) -> TierRouter:
        """``rules``: a fixed decision, a ``FixedRules``, or "real" for ``browserflow.rules.decide_rules``."""
        values: dict[str, Any] = {
            "ollama_host": fake_ollama.url,
            "anthropic_api_key": API_KEY,
            "anthropic_base_url": fake_anthropic.url,
            "timeout_s": 5.0,
        }
        values.update(settings)
        fn = None if rules == "real" else rules if isinstance(rules, FixedRules) else FixedRules(rules)
        router = build_router(LLMSettings(**values), rules=fn, breaker_clock=clock)
        made.append(router)
        return router

    yield make
    for router in made:
        await router.aclose()
