"""The goal compiler on everyday app goals: records, fields, data keys, constraints, ordering, non-writes."""

from __future__ import annotations

from typing import Any

import pytest

from browserflow.plan.compiler import compile_goal
from tests.plan.expect import check_plan, variants

LIT = "literal"
SWIM = {"student_name": "Eden Levi", "email": "eden@example.org", "class_id": "C-17", "level": "beginner",
        "date_of_birth": "2011-04-05"}
CREDS = {"username": "env:APP_USER", "password": "env:APP_PASS"}
MAIL_CREDS = {"email": "env:APP_MAIL", "password": "env:APP_PASS"}
SIGNUP = {"username": "newbie77", "password": "env:NEW_PASS", "email": "newbie@example.org"}

Row = tuple[str, dict[str, str], list[str], dict[Any, Any]]

TABLE: list[Row] = [
    # create / register
    ("Register Eden for the Tuesday evening swim class", SWIM, ["create"],
     {0: {"words": "Tuesday evening swim class", "entity": "Eden", "effect": "listed", "irreversible": True,
          "field_names": ["class id", "date of birth", "email", "level", "student name"]},
      "writes": True, "data_keys": ["student_name", "email", "class_id", "level", "date_of_birth"]}),
    ("Register Eden for the Tuesday evening swim class", {**SWIM, **CREDS}, ["create"],
     {0: {"field_names": ["class id", "date of birth", "email", "level", "student name"]}}),
    ('Create an issue titled "Export fails" with priority urgent', {}, ["create"],
     {0: {"words": "issue", "entity": "Export fails", "fields": {"title": (LIT, "Export fails"), "priority": (LIT, "urgent")}}}),
    ('Create an issue titled "Crash on save" with priority urgent', {"reporter": "zed"}, ["create"],
     {0: {"fields": {"title": (LIT, "Crash on save"), "priority": (LIT, "urgent")}}, "data_keys": []}),
    ('Create a new user named "carol" with the email {email}', {"email": "carol@example.org"}, ["create"],
     {0: {"words": "user", "fields": {"name": (LIT, "carol"), "email": ("data", "email")}}, "data_keys": ["email"]}),
    ("Add a new contact", {"name": "Zed Quinn", "phone": "555-0101"}, ["create"],
     {0: {"words": "contact", "fields": {"name": ("data", "name"), "phone": ("data", "phone")}}}),
    ("Sign up", SIGNUP, ["create"], {0: {"field_names": ["email", "password", "username"]}, "writes": True}),
    ("Create an account", SIGNUP, ["create"], {0: {"field_names": ["email", "password", "username"]}}),
    ("Book a table for two", {"guest": "Zed Quinn", "time": "19:00"}, ["create"],
     {0: {"words": "table", "fields": {"guest": ("data", "guest"), "time": ("data", "time")}}}),
    ("File a bug", {"summary": "crashes when saving"}, ["create"], {0: {"words": "bug", "fields": {"summary": ("data", "summary")}}}),
    ("Open a new issue", {}, ["create"], {0: {"words": "issue", "irreversible": True}}),
    # login
    ("Log in", CREDS, ["login"],
     {0: {"fields": {"username": ("data", "username"), "password": ("data", "password")}, "effect": "logged_in",
          "irreversible": True}, "data_keys": ["username", "password"], "writes": True}),
    ("Sign in", MAIL_CREDS, ["login"], {0: {"fields": {"email": ("data", "email"), "password": ("data", "password")}}}),
    ("Login to the portal", CREDS, ["login"], {0: {"field_names": ["password", "username"]}}),
    ("log in as {username}", CREDS, ["login"], {0: {"fields": {"username": ("data", "username"), "password": ("data", "password")}}}),
    ("Log in with the email and password", MAIL_CREDS, ["login"], {0: {"field_names": ["email", "password"]}}),
    ("Log in and change the status of issue \"Export fails\" to resolved", CREDS, ["login", "edit"],
     {0: {"field_names": ["password", "username"]},
      1: {"words": "issue", "entity": "Export fails", "fields": {"status": (LIT, "resolved")}, "irreversible": True}}),
    ("Log in and create a project", {**CREDS, "project_name": "Apollo"}, ["login", "create"],
     {1: {"fields": {"project name": ("data", "project_name")}}}),
    # edit
    ('Change the priority of issue "Login slow" to urgent', {}, ["edit"],
     {0: {"words": "issue", "entity": "Login slow", "fields": {"priority": (LIT, "urgent")}, "effect": "message"}}),
    ('Assign issue "Crash on save" to alice', {}, ["edit"],
     {0: {"words": "issue", "entity": "Crash on save", "fields": {"assigned to": (LIT, "alice")}}}),
    ("Assign issue 3 to alice", {}, ["edit"], {0: {"words": "issue", "entity": "3", "fields": {"assigned to": (LIT, "alice")}}}),
    ('Rename the page "About" to "About us"', {}, ["edit"],
     {0: {"words": "page", "entity": "About", "fields": {"name": (LIT, "About us")}}}),
    ("Set the last name to Levi and save", {}, ["edit", "submit"],
     {0: {"fields": {"last name": (LIT, "Levi")}, "effect": "field_value"}, 1: {"irreversible": True, "effect": "clicked"}}),
    ("Update my email to the new email", {"new_email": "fresh@example.org"}, ["edit"],
     {0: {"fields": {"email": ("data", "new_email")}}, "data_keys": ["new_email"]}),
    ("Set the status to open", {}, ["edit"], {0: {"fields": {"status": (LIT, "open")}}}),
    ("Mark issue 3 as resolved", {}, ["edit"], {0: {"entity": "3", "fields": {"status": (LIT, "resolved")}}}),
    ("Before you save, set the title to \"Hi\"", {}, ["edit", "submit"], {0: {"fields": {"title": (LIT, "Hi")}}}),
    # delete / membership
    ('Delete the user "bob"', {}, ["delete"], {0: {"words": "user", "entity": "bob", "effect": "gone", "irreversible": True}}),
    ("Delete all issues that are marked duplicate", {}, ["delete"],
     {0: {"words": "issues", "constraints": ["all"], "constraint_text": ["issues that are marked duplicate"]}}),
    ("Remove issue 12", {}, ["delete"], {0: {"words": "issue", "entity": "12"}}),
    ("Add alice to the Editors group", {}, ["add_to"],
     {0: {"entity": "alice", "container": "Editors group", "effect": "listed", "irreversible": True}}),
    ("Remove bob from the Editors group", {}, ["remove_from"], {0: {"entity": "bob", "container": "Editors group", "effect": "gone"}}),
    ('Add "Milk" to the shopping list', {}, ["add_to"], {0: {"entity": "Milk", "container": "shopping list"}}),
    # checkboxes
    ('Uncheck "Send newsletter" and save', {}, ["uncheck", "submit"],
     {0: {"words": "Send newsletter", "exact": True, "effect": "unchecked"}, 1: {"irreversible": True}}),
    ('Check "Remember me"', {}, ["check"], {0: {"words": "Remember me", "role": "checkbox", "effect": "checked"}}),
    ('Tick the box "I agree"', {}, ["check"], {0: {"words": "I agree", "role": "checkbox"}}),
    ("Check Red, Green and Blue", {}, ["check"], {0: {"items": ["Red", "Green", "Blue"]}}),
    ("Check all of the boxes", {}, ["check"], {0: {"role": "checkbox", "constraints": ["all"]}}),
    ('Clear the checkbox "Subscribe"', {}, ["uncheck"], {0: {"words": "Subscribe"}}),
    ('Select the checkbox "Terms"', {}, ["check"], {0: {"words": "Terms", "exact": True}}),
    # constraints
    ("Select Apple and no others", {}, ["select"], {0: {"value.literal": "Apple", "constraints": ["only"]}}),
    ('Check only "Red"', {}, ["check"], {0: {"words": "Red", "constraints": ["only"]}}),
    ("Click Submit without saving", {}, ["click"], {0: {"constraints": ["not"], "constraint_text": ["saving"]}}),
    ('Do not click Submit. Enter "x" in the field.', {}, ["fill"], {0: {"constraints": ["not"], "constraint_text": ["click Submit"]}}),
    ('Enter "x" in the field and don\'t press Submit', {}, ["fill"], {0: {"constraints": ["not"]}, "writes": False}),
    ("Don't delete anything", {}, ["free"], {0: {"constraints": ["not"]}, "writes": False}),
    # ordering
    ('After logging in, delete the user "bob"', CREDS, ["login", "delete"], {1: {"entity": "bob"}}),
    ("Click Save after entering \"Bob\" in the name field", {}, ["fill", "click"],
     {0: {"words": "name", "value.literal": "Bob"}, 1: {"words": "Save", "irreversible": True}}),
    ("Click Save before closing the dialog", {}, ["click", "close"], {1: {"role": "dialog"}}),
    ("Before clicking Submit, check \"Terms\"", {}, ["check", "click"], {0: {"words": "Terms"}}),
    ("Open the settings page, then click Edit", {}, ["navigate", "click"], {0: {"words": "settings"}, 1: {"words": "Edit"}}),
    ('Search for "crash" and open the first result', {}, ["search", "navigate"],
     {0: {"value.literal": "crash", "effect": "navigated"}, 1: {"words": "result", "ordinal": 1}, "writes": False}),
    # fill with data and values
    ("Enter the email into the field", {"email_address": "a@example.org"}, ["fill"],
     {0: {"words": "email", "value.source": "data", "value.key": "email_address"}, "data_keys": ["email_address"]}),
    ("Enter Eden into the name field", SWIM, ["fill"], {0: {"words": "name", "value.key": "student_name"}}),
    ("Enter the date of birth in the format YYYY-MM-DD", {"date_of_birth": "1990-01-01"}, ["fill"],
     {0: {"value.key": "date_of_birth", "value.transform": "date", "value.format": "%Y-%m-%d"}}),
    ("Enter the username and password and press login", {"username": "u2", "password": "env:P"}, ["fill", "fill", "click"],
     {0: {"value.key": "username"}, 1: {"value.key": "password"}, 2: {"irreversible": True}}),
    ('Type "Abc" in capitals into the field', {}, ["fill"], {0: {"value.transform": "upper"}}),
    ("Fill in the city with Paris", {}, ["fill"], {0: {"words": "city", "value.literal": "Paris"}}),
    ('Put "hello" in the search box', {}, ["fill"], {0: {"role": "searchbox", "value.literal": "hello"}}),
    ('Write "hi there" into the comment box', {}, ["fill"], {0: {"words": "comment", "role": "textbox"}}),
    ('Enter "x1" into the field twice', {}, ["fill"], {0: {"value.reuse": True}}),
    ('Choose "Large" from the size dropdown', {}, ["select"], {0: {"words": "size", "role": "combobox", "value.literal": "Large"}}),
    ('Pick "Blue" from the color list', {}, ["select"], {0: {"role": "listbox", "value.literal": "Blue"}}),
    ("Clear the search box", {}, ["fill"], {0: {"value.literal": ""}}),
    # clicks, navigation, misc
    ("Click the 2nd link", {}, ["click"], {0: {"role": "link", "ordinal": 2}}),
    ("Click the last button in the row of Alice", {}, ["click"], {0: {"role": "button", "ordinal": -1, "container": "Alice"}}),
    ('Click the "Edit" link for the user "bob"', {}, ["click"], {0: {"words": "Edit", "role": "link", "container": "bob"}}),
    ('Click "Details" in the search results', {}, ["click"], {0: {"words": "Details", "container": "search results"}}),
    ("Click the third tab", {}, ["click"], {0: {"role": "tab", "ordinal": 3}}),
    ("Tap the Pay button", {}, ["click"], {0: {"words": "Pay", "role": "button", "irreversible": True}}),
    ("Press the Place order button", {}, ["click"], {0: {"irreversible": True}}),
    ("Click the Help link", {}, ["click"], {0: {"words": "Help", "irreversible": False}, "writes": False}),
    ("Click into the text field", {}, ["focus"], {0: {"role": "textbox"}}),
    ("Press enter", {}, ["submit"], {0: {"words": "Enter"}}),
    ("Open the Details section", {}, ["expand"], {0: {"words": "Details"}}),
    ("Expand the menu", {}, ["expand"], {0: {"words": "menu"}}),
    ("Dismiss the popup", {}, ["close"], {0: {"role": "dialog"}}),
    ("Close the dialog", {}, ["close"], {0: {"role": "dialog", "irreversible": False}}),
    ("Confirm the deletion", {}, ["confirm"], {0: {"irreversible": True, "effect": "clicked"}}),
    ("Submit the form", {}, ["submit"], {0: {"irreversible": True}}),
    ("Send the message", {}, ["submit"], {0: {"irreversible": True}}),
    ("Go to the billing page", {}, ["navigate"], {0: {"words": "billing", "effect": "navigated"}}),
    ("Visit https://example.org/about", {}, ["navigate"], {0: {"words": "https://example.org/about"}}),
    ("Go back", {}, ["navigate"], {0: {"words": "back"}}),
    ("Search the catalog for blue shoes", {}, ["search"], {0: {"words": "catalog", "value.literal": "blue shoes"}}),
]

NON_WRITES: list[str] = [
    "Find the phone number of Alice", "Open the settings page", "Search for shoes", "Show me issue 3", "Read the total",
    "Look up the order status", "What is the price of X", "What's the weather in Paris?", "Tell me the order total",
    "How many issues are open?", "Navigate to the reports tab", "View the invoice", "Go to the home page",
    "Find the cheapest flight", "Show all open issues", "Where is the help page?", "Count the unread emails",
    "Open the first result", "Search for \"delete account\"", "Read the status of issue 4",
]

NONSENSE: list[str] = [
    "", "   ", "...", "asdf qwer zxcv", "!!!", "\"\"", "'", "\"unterminated", "and and and", ", then ,",
    "the the the", "42", "🐙🐙", "lorem ipsum dolor sit amet", "\u201c\u201d", "then", "please", "x" * 500,
    "Click" + " and" * 50, "{", "}", "#2", "before , after", "if you can", "\ue000 0 \ue001",
]


@pytest.mark.parametrize(("goal", "data", "verbs", "want"), [
    pytest.param(v, data, verbs, want, id=f"{n}-{k}")
    for n, (g, data, verbs, want) in enumerate(TABLE) for k, v in enumerate(variants(g))
])
def test_app_goal(goal: str, data: dict[str, str], verbs: list[str], want: dict[Any, Any]) -> None:
    check_plan(compile_goal(goal, data), verbs, want)


@pytest.mark.parametrize("goal", [v for g in NON_WRITES for v in variants(g)])
def test_reading_goal_is_not_a_write(goal: str) -> None:
    plan = compile_goal(goal, {"username": "env:U", "password": "env:P"})
    assert plan.writes is False, plan.describe()
    assert not any(i.irreversible for i in plan.intents), plan.describe()
    assert plan.intents, plan


@pytest.mark.parametrize("goal", NONSENSE)
def test_nonsense_is_free_and_never_raises(goal: str) -> None:
    plan = compile_goal(goal, {"k": "v"})
    assert plan.goal == goal
    assert plan.intents
    assert plan.writes is False, plan.describe()
    assert all(i.verb in ("free", "click") for i in plan.intents), plan.describe()
