"""Snapshot extraction on real Chromium: fields, selectors, refs, hashing and pruning."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Page

from browserflow.contracts import PageSnapshot
from browserflow.snapshot import build_snapshot, extract_raw, json_size, prune, take_snapshot

ALL_FIXTURES = [
    "landing.html",
    "schedule.html",
    "register.html",
    "register_errors.html",
    "confirmation.html",
    "login.html",
    "hidden.html",
]


async def open_fixture(page: Page, base: str, name: str) -> None:
    await page.goto(f"{base}/{name}", wait_until="domcontentloaded")


def large_page_html(rows: int = 220, nav_links: int = 80, countries: int = 250) -> str:
    """~600 interactive elements: a long nav, a form with a 250-option select, a 220-row table, a footer."""
    nav = "".join(f'<li><a href="/section/{i}">Section {i} overview</a></li>' for i in range(nav_links))
    options = "".join(
        f'<option value="c{i}"{" selected" if i == 203 else ""}>Country number {i}</option>' for i in range(countries)
    )
    table = "".join(
        f"<tr><td>Session {i}</td><td>Lane {i % 8}</td><td>Coach {'ABCDEFG'[i % 7]} leads a long description "
        f'of session {i} that goes on for a while</td><td><a href="/session/{i}">View</a></td>'
        f'<td><button type="button" id="book-{i}">Book</button></td></tr>'
        for i in range(rows)
    )
    fields = "".join(
        f'<p><label for="f{i}">Field {i}</label><input id="f{i}" name="field_{i}" required></p>' for i in range(10)
    )
    footer = "".join(f'<a href="/footer/{i}">Footer link {i}</a> ' for i in range(nav_links))
    return f"""<!doctype html><html><head><title>Large page</title></head><body>
<nav><ul>{nav}</ul></nav>
<h1>Large page</h1>
<form id="big">{fields}
<p><label for="country">Country</label><select id="country" name="country">{options}</select></p>
<button type="submit">Save</button></form>
<table id="sessions">{table}</table>
<footer>{footer}</footer>
</body></html>"""


# ---------------------------------------------------------------------------------------------------------
# extraction


async def test_registration_form_fields(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "register.html")
    snap = await take_snapshot(page)
    assert snap.url == f"{fixture_site}/register.html"
    assert snap.title == "Register - Riverside Pool"
    assert [e.ref for e in snap.elements] == [f"e{i}" for i in range(1, len(snap.elements) + 1)]
    by_label = {e.label: e for e in snap.elements if e.label}

    name = by_label["Student name"]
    assert (name.tag, name.type, name.html_id, name.html_name, name.required) == (
        "input",
        "text",
        "student_name",
        "student_name",
        True,
    )
    assert name.name == "Student name" and name.role == "textbox" and name.autocomplete == "name"
    assert name.form == 0

    email = by_label["Email"]  # wrapping label, no id
    assert email.type == "email" and email.html_name == "email" and email.html_id == ""
    assert email.selector == 'input[name="email"]'

    klass = by_label["Class"]
    assert klass.tag == "select" and klass.role == "combobox" and klass.required
    assert [(o.value, o.label, o.selected) for o in klass.options] == [
        ("", "Choose a class…", True),
        ("mon-morning-swim", "Monday morning swim", False),
        ("mon-evening-aqua", "Monday evening aqua aerobics", False),
        ("tue-morning-swim", "Tuesday morning swim", False),
        ("tue-evening-swim", "Tuesday evening swim", False),
    ]

    radios = [e for e in snap.elements if e.type == "radio"]
    assert [(r.label, r.value, r.checked, r.context, r.html_name) for r in radios] == [
        ("Beginner", "beginner", False, "Level", "level"),
        ("Intermediate", "intermediate", False, "Level", "level"),
        ("Advanced", "advanced", False, "Level", "level"),
    ]
    assert radios[0].selector == 'input[name="level"][value="beginner"]'

    dob = by_label["Date of birth"]
    assert dob.type == "date" and dob.required and dob.value == ""

    newsletter = by_label["Send me the newsletter"]
    consent = by_label["I agree to the pool rules"]
    assert newsletter.type == "checkbox" and not newsletter.required and newsletter.checked is False
    assert consent.required and consent.checked is False and consent.selector == "#consent"

    submit = next(e for e in snap.elements if e.tag == "button")
    assert (submit.name, submit.type, submit.role, submit.form) == ("Register", "submit", "button", 0)
    assert submit.selector == 'role=button[name="Register"s]'

    assert all(e.html_name != "csrf" for e in snap.elements), "type=hidden inputs are skipped"
    cancel = next(e for e in snap.elements if e.name == "Cancel")
    assert cancel.href == f"{fixture_site}/schedule.html" and cancel.role == "link"
    assert snap.errors == [] and not snap.truncated


async def test_password_value_is_never_extracted(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "login.html")
    snap = await take_snapshot(page)
    password = next(e for e in snap.elements if e.type == "password")
    assert password.value == "" and password.label == "Password"
    assert "hunter2" not in snap.model_dump_json()

    await page.fill("#login-password", "typed-secret-value")
    after = await take_snapshot(page)
    assert "typed-secret-value" not in after.model_dump_json()
    await page.fill("#login-password", "")
    emptied = await take_snapshot(page)
    assert emptied.state_hash != after.state_hash, "a password being typed still changes the state"


async def test_schedule_links_carry_row_context_and_absolute_hrefs(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "schedule.html")
    snap = await take_snapshot(page)
    register = [e for e in snap.elements if e.name == "Register"]
    assert len(register) == 4
    assert register[3].context == "Tuesday 18:30 Tuesday evening swim 3 Register"
    assert register[3].href == f"{fixture_site}/register.html?class=tue-evening-swim"
    assert register[3].selector == 'a[href="register.html?class=tue-evening-swim"]'
    nav = next(e for e in snap.elements if e.name == "Home")
    assert nav.context == ""


async def test_hidden_and_aria_hidden_elements_are_skipped(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "hidden.html")
    snap = await take_snapshot(page)
    names = [e.name for e in snap.elements if not e.static]
    assert names == [
        "Visible button",
        "Div button",
        "Custom checkbox",
        "Notes",
        "More",
        "More",
        "Generated id button",
        "Back to top",
    ]
    custom = snap.elements[2]
    assert custom.role == "checkbox" and custom.checked is True and custom.tag == "span"
    notes = snap.elements[3]
    assert notes.role == "textbox" and notes.value == "Some notes"
    more = snap.elements[4:6]
    assert [m.context for m in more] == ["More first item", "More second item"]
    generated = snap.elements[6]
    assert generated.html_id == "x-12345678" and not generated.selector.startswith("#")


@pytest.mark.parametrize("name", ALL_FIXTURES)
async def test_selectors_and_refs_resolve_to_exactly_that_element(page: Page, fixture_site: str, name: str) -> None:
    await open_fixture(page, fixture_site, name)
    snap = await take_snapshot(page)
    assert snap.elements
    for e in snap.elements:
        by_selector = page.locator(e.selector)
        assert await by_selector.count() == 1, e.selector
        assert await by_selector.get_attribute("data-bf-ref") == e.ref, e.selector
        assert await page.locator(f'[data-bf-ref="{e.ref}"]').count() == 1
    assert await page.locator("[data-bf-ref]").count() == len(snap.elements)


async def test_selectors_resolve_on_the_large_page(page: Page) -> None:
    await page.set_content(large_page_html())
    raw = await extract_raw(page)
    assert len(raw["elements"]) > 550
    # every selector of the unpruned extraction, checked in one round trip
    found = await page.evaluate(
        """(items) => items.map(([sel, ref]) => {
            if (sel.startsWith('role=')) return 'skip';
            const m = document.querySelectorAll(sel);
            return m.length === 1 && m[0].getAttribute('data-bf-ref') === ref ? 'ok' : sel;
        })""",
        [[e["selector"], e["ref"]] for e in raw["elements"]],
    )
    assert set(found) <= {"ok", "skip"}, [f for f in found if f not in {"ok", "skip"}][:5]
    for e in raw["elements"]:
        if e["selector"].startswith("role="):
            assert await page.locator(e["selector"]).get_attribute("data-bf-ref") == e["ref"]


async def test_refs_are_retagged_on_every_snapshot(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "register.html")
    first = await take_snapshot(page)
    await page.evaluate(
        """() => { const b = document.createElement('button'); b.textContent = 'Help';
                   document.body.prepend(b); }"""
    )
    second = await take_snapshot(page)
    assert second.elements[0].name == "Help" and second.elements[0].ref == "e1"
    assert len(second.elements) == len(first.elements) + 1
    assert await page.locator("[data-bf-ref]").count() == len(second.elements)
    assert await page.locator('[data-bf-ref="e1"]').text_content() == "Help"


async def test_errors_come_first_and_fields_carry_their_error(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "register_errors.html")
    snap = await take_snapshot(page)
    assert snap.errors == [
        "Please correct the errors below.",
        "This email address could not be verified, please enter it again.",
        "Date of birth is required.",
        "You must agree to the pool rules.",
    ]
    assert snap.text.startswith("Please correct the errors below. This email address could not be verified")
    assert snap.text.count("Please correct the errors below.") == 1
    errors = {e.label: e.error for e in snap.elements if e.error}
    assert errors == {
        "Email": "This email address could not be verified, please enter it again.",
        "Date of birth": "Date of birth is required.",
        "I agree to the pool rules": "You must agree to the pool rules.",
    }
    email = next(e for e in snap.elements if e.label == "Email")
    assert email.value == "eden@example.com"
    klass = next(e for e in snap.elements if e.label == "Class")
    assert klass.value == "tue-evening-swim" and [o.value for o in klass.options if o.selected] == ["tue-evening-swim"]


async def test_status_messages_lead_the_text_but_are_not_errors(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "confirmation.html")
    snap = await take_snapshot(page)
    assert snap.errors == []
    assert snap.text.startswith("Thank you! Eden Levi is registered for Tuesday evening swim.")
    assert "SWM-123456" in snap.text and snap.text.count("Thank you!") == 1


async def test_probe_selectors(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "hidden.html")
    probes = ["#visible-button", ".gone", ".modal p", "h1", "[[not a selector", "#missing", "details a"]
    snap = await take_snapshot(page, probes)
    # the aria-hidden modal is displayed, so its text counts as visible; display:none and closed details do not
    assert snap.present_selectors == ["#visible-button", ".modal p", "h1"]


async def test_text_excerpt_is_collapsed_and_bounded(page: Page) -> None:
    await page.set_content("<h1>Title</h1>" + "<p>word   \n\n  spaced</p>" * 800)
    snap = await take_snapshot(page)
    assert len(snap.text) <= 2000
    assert snap.text.startswith("Title word spaced word spaced")
    assert "  " not in snap.text and "\n" not in snap.text


# ---------------------------------------------------------------------------------------------------------
# state hash


async def test_state_hash_is_stable_and_tracks_changes(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "register.html")
    a = await take_snapshot(page)
    b = await take_snapshot(page)
    assert a.state_hash == b.state_hash and len(a.state_hash) == 16
    int(a.state_hash, 16)

    await page.fill("#student_name", "Eden Levi")
    filled = await take_snapshot(page)
    assert filled.state_hash != a.state_hash

    await page.check("#consent")
    checked = await take_snapshot(page)
    assert checked.state_hash != filled.state_hash

    await page.evaluate(
        """() => { const d = document.createElement('div'); d.setAttribute('role', 'alert');
                   d.textContent = 'Something went wrong'; document.body.prepend(d); }"""
    )
    alerted = await take_snapshot(page)
    assert alerted.state_hash != checked.state_hash
    assert alerted.errors == ["Something went wrong"]

    # the same page state reached again gives the same hash
    await page.reload()
    again = await take_snapshot(page)
    assert again.state_hash == a.state_hash


# ---------------------------------------------------------------------------------------------------------
# pruning


async def test_large_page_is_pruned_to_budget_deterministically(page: Page) -> None:
    await page.set_content(large_page_html())
    raw = await extract_raw(page)
    assert len(raw["elements"]) >= 600
    full = build_snapshot(raw, max_bytes=10_000_000)
    assert not full.truncated and json_size(full) > 100_000

    snap = build_snapshot(raw)
    assert snap.truncated
    assert json_size(snap) <= 32_000
    assert snap.state_hash == full.state_hash, "the hash describes the page, not the pruned copy"
    assert build_snapshot(raw).model_dump_json() == snap.model_dump_json()
    assert prune(full, 32_000).model_dump_json() == snap.model_dump_json()

    # form fields and the submit button survive; far-down footer links go first
    kept_names = {e.html_name for e in snap.elements}
    assert {f"field_{i}" for i in range(10)} | {"country"} <= kept_names
    assert any(e.name == "Save" for e in snap.elements)
    assert not any(e.name.startswith("Footer link") for e in snap.elements)
    country = next(e for e in snap.elements if e.html_name == "country")
    assert len(country.options) < 250 and any(o.selected and o.value == "c203" for o in country.options)
    refs = [int(e.ref[1:]) for e in snap.elements]
    assert refs == sorted(refs), "document order is kept"

    again = await take_snapshot(page)
    assert again.model_dump_json() == snap.model_dump_json()


async def test_prune_leaves_small_snapshots_alone(page: Page, fixture_site: str) -> None:
    await open_fixture(page, fixture_site, "register.html")
    snap = await take_snapshot(page)
    assert prune(snap, 32_000) is snap
    tight = prune(snap, 2_500)
    assert tight.truncated and json_size(tight) <= 2_500
    # fields outrank links when something has to go
    assert all(e.role != "link" for e in tight.elements)
    assert prune(snap, 2_500) == tight


def test_prune_shortens_before_dropping() -> None:
    from browserflow.contracts import Element, Option

    long_select = Element(
        ref="e1",
        selector="#s",
        tag="select",
        name="Pick",
        options=[Option(value=f"v{i}", label=f"Option {i}", selected=i == 77) for i in range(400)],
    )
    links = [
        Element(ref=f"e{i}", selector=f"#l{i}", tag="a", role="link", name="Same", href="https://x.test/a")
        for i in range(2, 40)
    ]
    snap = PageSnapshot(url="https://x.test/", elements=[long_select, *links], text="t" * 2000)
    out = prune(snap, 6_000)
    assert out.truncated and json_size(out) <= 6_000
    select = out.elements[0]
    assert select.ref == "e1" and any(o.selected and o.value == "v77" for o in select.options)
    assert len([e for e in out.elements if e.role == "link"]) == 1, "duplicate links (same href+name) dropped"
    assert json.loads(out.model_dump_json())["elements"][0]["options"][0]["value"] == "v0"


ICONS = """<html><head><style>
.bar span { display: inline-block; width: 14px; height: 14px; cursor: pointer; background: #ccc; }
.plain { display: inline-block; width: 14px; height: 14px; background: #eee; }
#star-slot { display: inline-block; width: 14px; height: 14px; cursor: pointer;
  background-image: url("/img/favourite-star.png"); }
</style></head><body>
<div class="bar"><span class="trash"></span><span id="send-reply"></span><span title="Archive it" class="x"></span>
<span class="fa fa-thumbs-up"></span></div><span id="star-slot"></span><span class="plain decorative"></span>
<button class="trash"></button></body></html>"""


async def test_icon_only_controls_are_named_by_title_id_class_and_image(page: Page) -> None:
    await page.set_content(ICONS)
    snap = await take_snapshot(page)
    icons = {e.name: e for e in snap.elements if e.static}
    assert {"trash", "send reply", "Archive it", "thumbs up"} <= set(icons)
    assert "star slot favourite" in icons, "the image's file name adds its words"
    assert all(e.pointer for e in icons.values())
    assert not any("decorative" in e.name for e in snap.elements), "no pointer cursor: not a control"
    assert await page.locator(icons["send reply"].selector).get_attribute("id") == "send-reply"


async def test_a_long_paragraph_is_listed_to_be_read_and_its_links_stay_targets(page: Page) -> None:
    words = " ".join(["lorem ipsum dolor sit amet"] * 6)
    await page.set_content(f'<p>{words} <span style="cursor:pointer" onclick="1">vitae</span> {words}</p>')
    snap = await take_snapshot(page)
    para = [e for e in snap.elements if e.static and e.tag == "p"]
    assert para and para[0].name.startswith("lorem ipsum") and len(para[0].name) <= 200
    assert any(e.name == "vitae" and e.pointer for e in snap.elements), "the paragraph's link is still listed"
