"""Values carried over from the page (copy / find the n-th word) and the mail flow, on hand-built snapshots."""

from __future__ import annotations

from browserflow.contracts import Action
from tests.plan.test_ground import after, box, button, decide, el, page


def _filled(actions: list[Action]) -> dict[str, str | None]:
    return {a.ref: a.value for a in actions if a.kind == "fill" and a.ref is not None}


def test_copied_text_goes_into_the_other_box_never_back_into_its_source() -> None:
    snap = page(
        el("src", "textarea", role="textbox", type="textarea", value="Eget rhoncus, non. "),
        box("dst"),
        button("go", "Submit"),
    )
    d, _ = decide("Copy the text in the textarea below, paste it into the textbox and press Submit.", snap)
    assert _filled(d.actions) == {"dst": "Eget rhoncus, non. "}
    assert "page text" in d.actions[0].describe()


def test_the_nth_text_area_is_the_source() -> None:
    snap = page(*(el(f"t{i}", "textarea", role="textbox", type="textarea", value=f"text {i}") for i in (1, 2, 3)),
                box("dst"), button("go", "Submit"))
    d, _ = decide("Copy the text from the 3rd text area below and paste it into the text input, then press Submit.", snap)
    assert _filled(d.actions) == {"dst": "text 3"}


def test_a_word_of_the_paragraph_loses_its_punctuation() -> None:
    snap = page(el("q", "div", static=True, name="Find the 2nd word…", html_id="query"), box("dst"),
                button("go", "Submit"), el("p", "p", static=True, name="Lacus, interdum pulvinar. Cursus."))
    d, _ = decide('Find the 2nd word in the paragraph, type that into the textbox and press "Submit".', snap)
    assert _filled(d.actions) == {"dst": "interdum"}
    d, _ = decide("Find the last word in the paragraph, enter it into the text field and hit Submit.", snap)
    assert _filled(d.actions) == {"dst": "Cursus"}


def test_no_such_word_grounds_nothing() -> None:
    snap = page(box("dst"), button("go", "Submit"), el("p", "p", static=True, name="One two"))
    d, _ = decide('Find the 9th word in the paragraph, type that into the textbox and press "Submit".', snap)
    assert not _filled(d.actions)


def test_forwarding_opens_the_senders_message_then_fills_the_recipient_and_sends() -> None:
    goal = "Find the email by Audrey and forward that email to Hedy."
    inbox = page(el("q", "div", static=True, name=goal, html_id="query"),
                 el("s1", "div", static=True, name="Cora"), el("s2", "div", static=True, name="Audrey"))
    d, progress = decide(goal, inbox)
    assert [a.ref for a in d.actions] == ["s2"]
    opened = page(el("f", "span", static=True, pointer=True, name="Forward"),
                  el("r", "span", static=True, pointer=True, name="Reply"))
    progress = after(progress, d.actions, inbox, opened)
    d, _ = decide(goal, opened, plan=progress)
    assert [a.ref for a in d.actions] == ["f"]
    form = page(el("lab", "label", static=True, name="to:"), box("to", "to:"),
                el("send", "span", static=True, pointer=True, name="send forward"),
                el("back", "span", static=True, pointer=True, name="close forward left arrow"))
    progress = after(progress, d.actions, opened, form)
    d, _ = decide(goal, form, plan=progress)
    assert _filled(d.actions) == {"to": "Hedy"}
    assert [a.ref for a in d.actions if a.kind == "click"] == ["send"]


def test_each_field_takes_the_value_shown_next_to_its_own_label() -> None:
    snap = page(
        el("l1", "td", static=True, name="Gender"), el("v1", "td", static=True, name="Female"),
        el("l2", "td", static=True, name="Last name"), el("v2", "td", static=True, name="Villarreal"),
        box("a", "Last name:", form=0), box("b", "Gender:", form=0), button("go", "Submit", form=0),
    )
    d, _ = decide("Enter the value that corresponds with each label into the form and submit when done.", snap)
    assert _filled(d.actions) == {"a": "Villarreal", "b": "Female"}
    assert 'page value of "Last name"' in d.actions[0].describe()


def test_a_label_the_page_gives_no_value_for_grounds_nothing() -> None:
    snap = page(el("l1", "td", static=True, name="Gender"), el("v1", "td", static=True, name="Female"),
                box("a", "Shoe size:", form=0), button("go", "Submit", form=0))
    d, _ = decide("Enter the value that corresponds with each label into the form and submit when done.", snap)
    assert not _filled(d.actions)


def test_the_answer_to_the_math_problem_shown_is_typed() -> None:
    goal = "Solve for x and type your answer into the textbox. Press Submit when done."
    snap = page(box("a"), button("go", "Submit"), el("q", "div", static=True, name=goal),
                el("p", "div", static=True, name="3 + x = 11"), el("l", "span", static=True, name="x ="))
    d, _ = decide(goal, snap)
    assert _filled(d.actions) == {"a": "8"}
    assert "math problem" in d.actions[0].describe()


def test_no_problem_on_the_page_types_nothing() -> None:
    goal = "Solve the math problem and type your answer into the textbox. Press submit when done."
    d, _ = decide(goal, page(box("a"), button("go", "Submit"), el("q", "div", static=True, name=goal)))
    assert not _filled(d.actions)


def test_the_text_below_the_instructions_is_one_block() -> None:
    goal = "Type the text below into the text field and press Submit."
    snap = page(box("t"), button("go", "Submit"), el("q", "div", static=True, name=goal, selector="#query"),
                *(el(f"c{i}", "span", static=True, name=ch, selector=f"#cap > span:nth-of-type({i})")
                  for i, ch in enumerate("6gHF", 1)),
                el("r", "span", static=True, name="-", selector="#reward"))
    d, _ = decide(goal, snap)
    assert _filled(d.actions) == {"t": "6gHF"}


def test_the_instructions_are_never_the_paragraph_copied_from() -> None:
    goal = 'Find the 8th word in the paragraph, type that into the textbox and press "Submit".'
    snap = page(box("dst"), button("go", "Submit"), el("q", "div", static=True, name=goal))
    d, _ = decide(goal, snap)
    assert not _filled(d.actions), "the goal's own words are not the page's paragraph"


def test_a_text_the_snapshot_cut_short_is_never_copied_past_the_cut() -> None:
    long_text = " ".join(f"w{i}" for i in range(80))[:200]
    snap = page(box("dst"), button("go", "Submit"), el("p", "p", static=True, name=long_text))
    d, _ = decide('Find the 3rd word in the paragraph, type that into the textbox and press "Submit".', snap)
    assert _filled(d.actions) == {"dst": "w2"}
    d, _ = decide("Find the last word in the paragraph, enter it into the text field and hit Submit.", snap)
    assert not _filled(d.actions)
    area = page(el("src", "textarea", role="textbox", type="textarea", value="x" * 2000), box("dst"))
    d, _ = decide("Copy the text in the textarea below, paste it into the textbox and press Submit.", area)
    assert not _filled(d.actions)
    pruned = page(el("src", "textarea", role="textbox", type="textarea", value="Lorem ipsum dolor\u2026"), box("dst"))
    d, _ = decide("Find the last word in the text area, enter it into the text field and hit Submit.", pruned)
    assert not _filled(d.actions), "a text pruning cut (ends with an ellipsis) is not copied"


def _contact(name: str, phone: str, address: str) -> list:
    return [el("h", "h2", static=True, name=name), el("pl", "span", static=True, name="Phone:"),
            el("pv", "a", static=True, pointer=True, name=phone), el("al", "span", static=True, name="Address:"),
            el("av", "a", static=True, pointer=True, name=address)]


def test_a_directory_is_paged_until_the_person_then_their_detail_is_clicked() -> None:
    goal = "Find Casie in the contact book and click on their address."
    pager = [el("p1", "a", role="link", name="1", href="http://app.test/#"),
             el("nx", "a", role="link", name=">", href="http://app.test/#")]
    d, _ = decide(goal, page(*pager, *_contact("Etti", "531-159-6223", "645 Stephenson Loop")))
    assert [a.ref for a in d.actions] == ["nx"] and d.actions[0].expect is not None and d.actions[0].expect.kind == "none"
    d, _ = decide(goal, page(*pager, *_contact("Casie", "1", "4341 Tucker Avenue")))
    assert [a.ref for a in d.actions] == ["av"]
    d, _ = decide("Find Casie in the contact book and click on their phone number.",
                  page(*pager, *_contact("Casie", "234-851-5952", "x")))
    assert [a.ref for a in d.actions] == ["pv"]


def test_the_end_of_the_directory_clicks_nothing() -> None:
    d, _ = decide("Find Casie in the contact book and click on their address.",
                  page(*_contact("Etti", "531", "645 Stephenson Loop")))
    assert not d.actions


def test_a_paragraph_is_read_never_clicked() -> None:
    promo = "Join our mailing list for early access to new classes and 10% off your first term, swimmers and divers."
    snap = page(el("p", "p", static=True, name=promo), el("l", "a", role="link", name="Class schedule",
                                                         href="http://app.test/schedule"))
    d, _ = decide("Open the class schedule", snap)
    assert [a.ref for a in d.actions] == ["l"]


def test_a_lone_number_on_the_page_is_no_math_problem() -> None:
    goal = "Solve the math problem and type your answer into the textbox. Press submit when done."
    snap = page(box("a"), button("go", "Submit"), el("q", "div", static=True, name=goal),
                el("p", "div", static=True, name="7 x 6 ="), el("n", "span", static=True, name="0"))
    d, _ = decide(goal, snap)
    assert _filled(d.actions) == {"a": "42"}
    d, _ = decide(goal, page(box("a"), button("go", "Submit"), el("n", "span", static=True, name="0"),
                             el("t", "span", static=True, name="10 / 10sec")))
    assert not _filled(d.actions)


def test_deleting_all_of_a_senders_messages_repeats_until_none_is_listed() -> None:
    goal = "Delete all messages from Ann."
    inbox = page(el("a1", "div", static=True, pointer=True, name="Ann"), el("c", "div", static=True, name="Cora"),
                 el("a2", "div", static=True, pointer=True, name="Ann"))
    opened = page(el("del", "span", static=True, pointer=True, name="delete"), el("t", "div", static=True, name="Hi"))
    fewer = page(el("c", "div", static=True, name="Cora"), el("a2", "div", static=True, pointer=True, name="Ann"))
    empty = page(el("c", "div", static=True, name="Cora"))

    d, progress = decide(goal, inbox)
    assert [a.ref for a in d.actions] == ["a1"]
    progress = after(progress, d.actions, inbox, opened)
    d, _ = decide(goal, opened, plan=progress)
    assert [a.ref for a in d.actions] == ["del"]
    progress = after(progress, d.actions, opened, fewer)
    assert progress.current == 0  # another message from Ann is listed: not done, open it next
    d, _ = decide(goal, fewer, plan=progress)
    assert [a.ref for a in d.actions] == ["a2"]
    progress = after(progress, d.actions, fewer, opened)
    d, _ = decide(goal, opened, plan=progress)
    progress = after(progress, d.actions, opened, empty)
    assert progress.all_done


def test_deleting_the_one_message_from_a_sender_is_done_once() -> None:
    goal = "Delete the email from Ann."
    inbox = page(el("a1", "div", static=True, pointer=True, name="Ann"), el("a2", "div", static=True, name="Ann"))
    opened = page(el("del", "span", static=True, pointer=True, name="delete"))
    d, progress = decide(goal, inbox)
    progress = after(progress, d.actions, inbox, opened)
    d, _ = decide(goal, opened, plan=progress)
    progress = after(progress, d.actions, opened, page(el("a2", "div", static=True, name="Ann")))
    assert progress.all_done
