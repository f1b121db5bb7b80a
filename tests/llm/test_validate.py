"""Mapping answers (element indexes) to contract actions, and refusing what is unknown, mismatched or unsafe."""

from __future__ import annotations

from typing import Any

import pytest

from browserflow.contracts import Action, DecideInput
from browserflow.llm import InvalidAnswer, LLMAnswer, answer_to_actions, parse_answer
from browserflow.llm.validate import repeated_failure
from tests.llm.conftest import act, answer, decide_input, members_page, register_page

DATA = {"student_name": "Ana Lopez", "level": "Beginner", "email": "env:STUDENT_EMAIL", "note": "hello"}


def inp(**kw: Any) -> DecideInput:
    kw.setdefault("data", DATA)
    return decide_input(kw.pop("page", None) or register_page(), **kw)


def to_actions(actions: list[dict[str, Any]], decide: DecideInput | None = None) -> list[Action]:
    return answer_to_actions(LLMAnswer.model_validate(answer(actions, 0.9)), decide or inp())


def refused(actions: list[dict[str, Any]], match: str, decide: DecideInput | None = None) -> None:
    with pytest.raises(InvalidAnswer, match=match):
        to_actions(actions, decide)


def test_maps_indexes_to_refs_selectors_and_labels() -> None:
    [fill, select, check, click] = to_actions(
        [act("fill", 0, data_key="student_name"), act("select", 3, "Intermediate"), act("check", 4), act("click", 6)]
    )
    assert fill.model_dump(include={"kind", "ref", "selector", "label", "value", "data_key"}) == {
        "kind": "fill",
        "ref": "e1",
        "selector": "#student_name",
        "label": "Student name",
        "value": "Ana Lopez",
        "data_key": "student_name",
    }
    assert (select.value, select.data_key) == ("Intermediate", None)
    assert (check.kind, check.ref, check.value) == ("check", "e5", None)
    assert (click.ref, click.irreversible) == ("e7", True)


def test_data_key_values_are_verbatim_and_secret_refs_stay_unresolved() -> None:
    [fill] = to_actions([act("fill", 1, "something the model made up", data_key="email")])
    assert (fill.value, fill.data_key) == ("env:STUDENT_EMAIL", "email")
    # a literal value equal to a task value is tied to its key (keeps cached paths parametrised)
    [fill] = to_actions([act("fill", 0, "Ana Lopez")])
    assert fill.data_key == "student_name"
    [fill] = to_actions([act("fill", 8, "A-1234")])
    assert (fill.value, fill.data_key) == ("A-1234", None)


@pytest.mark.parametrize(
    ("actions", "match"),
    [
        ([act("click", 99)], r"unknown element \[99\]"),
        ([act("click", -1)], r"unknown element \[-1\]"),
        ([act("click", None)], "needs an element index"),
        ([act("fill", 7, "x")], "fill on .*Privacy.*which is a link"),
        ([act("fill", 6, "x")], "which is a button"),
        ([act("select", 0, "Beginner")], "not a drop-down"),
        ([act("select", 3, "Expert")], "no option 'Expert'"),
        ([act("check", 0)], "which is a textbox"),
        ([act("uncheck", 5)], "which is a radio"),
        ([act("click", 9)], "disabled element"),
        ([act("fill", 0)], "neither a value nor a data_key"),
        ([act("fill", 0, data_key="nope")], "unknown data key 'nope'"),
        ([act("fill", 8, "env:AWS_SECRET_ACCESS_KEY")], "secret reference"),
        ([act("press", 0, "Enter; rm -rf")], "not a key name"),
        ([act("navigate", None, "https://evil.example.net/")], "refused: outside the allowed domains"),
        ([act("navigate", None, "javascript:alert(1)")], "refused"),
        ([act("navigate", None, None)], "without a URL"),
        ([act("click", 7)], "leads outside the allowed domains"),
        ([act("fill", 0, data_key="student_name"), act("click", 42)], r"unknown element \[42\]"),
    ],
)
def test_refusals(actions: list[dict[str, Any]], match: str) -> None:
    refused(actions, match)


def test_navigation_rules() -> None:
    [nav] = to_actions([act("navigate", None, "/members")])
    assert nav.value == "http://swim.test/members"
    [nav] = to_actions([act("navigate", None, "https://pay.swim.test/checkout")])  # a subdomain is allowed
    assert nav.value == "https://pay.swim.test/checkout"
    [nav] = to_actions([act("navigate", 2)], decide_input(members_page()))  # a link's href
    assert nav.value == "http://swim.test/register?class=swim" and nav.label == "Book a slot"
    refused([act("navigate", None, "https://swim.test.evil.net/")], "outside")
    # without allowed domains the current site is the limit
    no_domains = inp(allowed=[])
    to_actions([act("navigate", None, "http://swim.test/x")], no_domains)
    refused([act("navigate", None, "http://other.test/x")], "outside", no_domains)


def test_press_defaults_to_enter_and_accepts_combinations() -> None:
    [press] = to_actions([act("press", 0)])
    assert press.value == "Enter"
    [press] = to_actions([act("press", 0, "Control+A")])
    assert press.value == "Control+A"


def test_select_matches_option_value_or_label_case_insensitively() -> None:
    assert to_actions([act("select", 3, "int")])[0].value == "int"
    assert to_actions([act("select", 3, "beginner")])[0].data_key is None
    assert to_actions([act("select", 3, data_key="level")])[0].value == "Beginner"


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (None, "empty answer"),
        ("", "not JSON"),
        ("I'd click the link", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"actions": [], "confidence": 2}', "confidence"),
        ('{"actions": [{"kind": "fly"}], "confidence": 0.5}', "kind"),
        ('{"reason": "no confidence"}', "confidence"),
    ],
)
def test_parse_answer_errors(raw: str | None, match: str) -> None:
    with pytest.raises(InvalidAnswer, match=match):
        parse_answer(raw)


def test_parse_answer_is_lenient_about_wrapping() -> None:
    text = 'Here you go: {"actions": [], "confidence": 0.4, "reason": "r", "done": true} hope it helps'
    parsed = parse_answer(text)
    assert parsed.done and parsed.confidence == 0.4
    assert parse_answer({"actions": [], "confidence": 0.1, "extra": 1}).confidence == 0.1


def test_too_many_actions_are_invalid() -> None:
    with pytest.raises(InvalidAnswer, match="actions"):
        parse_answer({"actions": [act("click", 0)] * 13, "confidence": 0.9})


def test_repeated_failure_matching() -> None:
    page = register_page()
    failed = [Action(kind="click", ref="e7", selector="#register")]
    same = Action(kind="click", ref="e7", selector="#register", label="Register")
    other = Action(kind="click", ref="e8", selector="#privacy")
    assert repeated_failure([other, same], failed) is same
    assert repeated_failure([other], failed) is None
    fill_failed = [Action(kind="fill", selector="#email", value="a@b.c")]
    assert repeated_failure([Action(kind="fill", selector="#email", value="other@b.c")], fill_failed) is None
    assert repeated_failure([Action(kind="fill", selector="#email", value="a@b.c")], fill_failed) is not None
    assert page.elements[6].selector == "#register"
