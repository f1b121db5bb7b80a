"""Controls inside like blocks (a feed's posts): the one in the named author's block, on n of them or on all,
and a hidden per-post menu opened in the right block first."""

from __future__ import annotations

import pytest

from browserflow.plan.compiler import compile_goal
from tests.plan.test_ground import decide, el, page


def post(i: int, user: str) -> list:
    ctx = f"Name{i} {user} {i}h ago Body {i}."
    return [el(f"u{i}", "span", static=True, name=user, context=ctx),
            el(f"r{i}", "span", static=True, name="reply", context=ctx),
            el(f"m{i}", "span", static=True, name="more", context=ctx, expanded=False)]


FEED = page(*post(1, "@dis"), *post(2, "@disco"), *post(3, "@dis"), *post(4, "@ann"), *post(5, "@dis"),
            el("s", "button", role="button", name="Submit", type="button"))


@pytest.mark.parametrize(("goal", "kind", "n"), [
    ('Click the "Reply" button on 2 posts by @dis and then click Submit.', "count", "2"),
    ('Click the "Reply" button on all posts by @dis and then click Submit.', "all", ""),
    ("Click Like on three posts by @dis", "count", "3"),
])
def test_a_control_on_n_items_of_an_author(goal: str, kind: str, n: str) -> None:
    it = compile_goal(goal, {}).intents[0]
    assert (it.verb, it.target.container, it.constraints[0].kind, it.constraints[0].text) == ("click", "@dis", kind, n)


def test_the_first_n_of_the_authors_posts_in_page_order_never_a_lookalike_author() -> None:
    d, _ = decide('Click the "Reply" button on 2 posts by @dis and then click Submit.', FEED)
    assert [a.ref for a in d.actions] == ["r1", "r3"]
    d, _ = decide('Click the "Reply" button on all posts by @dis and then click Submit.', FEED)
    assert [a.ref for a in d.actions] == ["r1", "r3", "r5"]


def test_more_posts_asked_than_the_author_has_is_no_guess() -> None:
    d, _ = decide('Click the "Reply" button on 4 posts by @dis and then click Submit.', FEED)
    assert not d.actions


def test_a_hidden_menu_entry_is_looked_for_in_the_named_authors_post() -> None:
    d, _ = decide('For the user @ann, click on the "Mute" button.', FEED)
    assert [(a.kind, a.ref) for a in d.actions] == [("click", "m4")]
    opened = page(*FEED.elements, el("mute4", "li", static=True, name="Mute @ann",
                                      context="Name4 @ann 4h ago Body 4."))
    d, _ = decide('For the user @ann, click on the "Mute" button.', opened)
    assert [a.ref for a in d.actions] == ["mute4"]
