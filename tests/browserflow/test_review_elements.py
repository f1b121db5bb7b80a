"""``review_elements``: the targets a reviewer may pick for an instruction, compact and without any value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from browserflow.contracts import Element, ReviewElement, ReviewRequest
from browserflow.contracts.review import review_elements


def el(**fields: object) -> Element:
    base: dict[str, object] = {"ref": "e1", "selector": "#x", "tag": "button", "role": "button", "name": "Go"}
    return Element.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("element", "hide", "expected"),
    [
        (el(), (), ReviewElement(role="button", name="Go", selector="#x")),
        (el(role="", tag="a", name="Home"), (), ReviewElement(role="a", name="Home", selector="#x")),
        (el(tag="input", type="text", role="textbox", name="", label="Student name"), (), "Student name"),
        # a name holding the field's own typed value falls back to the label, else none
        (
            el(tag="input", type="text", role="textbox", name="Eden Levi", label="Student", value="Eden Levi"),
            (),
            "Student",
        ),
        (el(tag="input", type="text", role="textbox", name="Eden", value="Eden"), (), ""),
        # a name or a selector holding task data is not shown
        (el(role="link", name="Profile of Eden Levi"), ("Eden Levi",), ""),
        (el(selector='text="eden@example.com"', name="x"), ("eden@example.com",), None),
        (el(name="Go"), ("env:PASSWORD", "ab"), "Go"),  # secret references and too-short values hide nothing
        (el(disabled=True), (), None),
        (el(static=True), (), None),
        (el(selector=""), (), None),
        (el(name="  Many\n  words   here  " + "x" * 100), (), "Many words here " + "x" * 64),
    ],
)
def test_an_element_as_a_reviewer_sees_it(element: Element, hide: tuple[str, ...], expected: object) -> None:
    picked = review_elements([element], hide)
    if expected is None:
        assert picked == []
    elif isinstance(expected, ReviewElement):
        assert picked == [expected]
    else:
        assert [p.name for p in picked] == [expected]
    shown = " ".join(item.model_dump_json() for item in picked)
    assert not [value for value in hide if len(value) >= 3 and not value.startswith("env:") and value in shown]
    if element.value:
        assert element.value not in shown


def test_at_most_sixty_elements() -> None:
    many = [el(ref=f"e{n}", selector=f"#b{n}", name=f"B{n}") for n in range(100)]
    picked = review_elements(many)
    assert len(picked) == 60 and picked[0].selector == "#b0" and picked[-1].describe() == "button 'B59'"


def test_a_review_request_of_before_carries_no_elements() -> None:
    old = {"reason": "r", "step": 1, "url": "http://x/", "requested_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat()}
    assert ReviewRequest.model_validate(old).elements == []
