"""The goal compiler on the record goals of everyday applications: issue trackers, admin sites, user accounts.

Create verbs ('file a new issue'), named records ('the user alice'), membership, comments, searches whose record a
later clause calls 'its' / 'his', the user's own record, status words, and the field phrases of a create.
"""

from __future__ import annotations

from typing import Any

import pytest

from browserflow.plan.compiler import compile_goal
from tests.plan.expect import check_plan, variants

LIT = "literal"
CREDS = {"username": "alice", "password": "env:APP_PASS"}
ISSUE = {**CREDS, "title": "Password reset email never arrives", "priority": "urgent"}
T, F = (LIT, "true"), (LIT, "false")
LOGIN_ONLY = {"field_names": ["password", "username"]}

Row = tuple[str, dict[str, str], list[str], dict[Any, Any]]

TABLE: list[Row] = [
    # 1. create verbs; a login takes only credentials
    ("Log in and file a new issue titled 'Password reset email never arrives' with priority urgent", ISSUE,
     ["login", "create"],
     {0: LOGIN_ONLY, 1: {"words": "issue", "entity": "Password reset email never arrives", "irreversible": True,
                         "fields": {"title": (LIT, "Password reset email never arrives"), "priority": ("data", "priority")}}}),
    ("Log in and file a new issue titled 'Crash on save' with priority urgent", CREDS, ["login", "create"],
     {0: LOGIN_ONLY, 1: {"words": "issue", "fields": {"title": (LIT, "Crash on save"), "priority": (LIT, "urgent")}}}),
    ("Sign in, then open a new ticket titled 'Printer jam' with priority high", CREDS, ["login", "create"],
     {0: LOGIN_ONLY, 1: {"words": "ticket", "entity": "Printer jam", "fields": {"title": (LIT, "Printer jam"), "priority": (LIT, "high")}}}),
    ("Raise a bug titled 'Slow search'", {}, ["create"], {0: {"words": "bug", "fields": {"title": (LIT, "Slow search")}}}),
    ("Log a new incident titled 'Disk full' with severity major", {}, ["create"],
     {0: {"words": "incident", "fields": {"title": (LIT, "Disk full"), "severity": (LIT, "major")}}}),
    ("Submit a request titled 'More RAM'", {}, ["create"], {0: {"words": "request", "entity": "More RAM"}}),
    ("Log in with priority urgent", {**CREDS, "priority": "urgent"}, ["login"], {0: LOGIN_ONLY}),
    ("Log in and post a new article titled 'Hello'", CREDS, ["login", "create"], {0: LOGIN_ONLY, 1: {"words": "article"}}),
    # 2. unquoted names after a record noun
    ("Change the email address of the user alice to alice@newmail.example.com", {"email": "alice@newmail.example.com"},
     ["edit"], {0: {"words": "user", "entity": "alice", "fields": {"email address": ("data", "email")}}}),
    ("Delete the user carol", {}, ["delete"], {0: {"words": "user", "entity": "carol", "effect": "gone"}}),
    ("Retire the user account of dave", {}, ["delete"], {0: {"words": "user account", "entity": "dave", "irreversible": True}}),
    ("Archive the account of the user bob", {}, ["delete"], {0: {"words": "user", "entity": "bob"}}),
    ("Change the title of the flat page /contact/ to 'Contact the team'", {}, ["edit"],
     {0: {"words": "flat page", "entity": "/contact/", "fields": {"title": (LIT, "Contact the team")}}}),
    ("Delete the issue tracker", {}, ["delete"], {0: {"words": "issue tracker", "entity": ""}}),
    ("Delete the user 'mallory'", {}, ["delete"], {0: {"words": "user", "entity": "mallory"}}),
    # 3. membership
    ("Add the user carol to the Editors group", {}, ["add_to"],
     {0: {"words": "user", "entity": "carol", "container": "Editors group", "effect": "listed"}}),
    ("Remove the user carol from the Editors group", {}, ["remove_from"],
     {0: {"words": "user", "entity": "carol", "container": "Editors group", "effect": "gone"}}),
    ("Add the keyword 'frontend' to the issue 'Typo on the about page'", {}, ["add_to"],
     {0: {"words": "keyword", "entity": "frontend", "container": "Typo on the about page"}}),
    ("Remove the tag 'ui' from the ticket 'Broken link'", {}, ["remove_from"],
     {0: {"words": "tag", "entity": "ui", "container": "Broken link"}}),
    ("Add carol to the nosy list of the issue 'Export to CSV drops accents'", {}, ["add_to"],
     {0: {"words": "nosy list", "entity": "carol", "container": "Export to CSV drops accents"}}),
    ("Remove bob from the watchers of the ticket 'Slow page'", {}, ["remove_from"],
     {0: {"words": "watchers", "entity": "bob", "container": "Slow page"}}),
    # 4. a comment on a record is a field of it
    ("Add a comment 'Reproduced on staging' to the issue 'Search is slow'", {}, ["edit"],
     {0: {"words": "issue", "entity": "Search is slow", "fields": {"comment": (LIT, "Reproduced on staging")},
          "irreversible": True}}),
    ("Post a note 'Called the customer' on the ticket 'Refund'", {}, ["edit"],
     {0: {"words": "ticket", "entity": "Refund", "fields": {"note": (LIT, "Called the customer")}}}),
    ("Write a message 'Thanks!' on the issue 'Login fails'", {}, ["edit"],
     {0: {"words": "issue", "entity": "Login fails", "fields": {"message": (LIT, "Thanks!")}}}),
    ("Add a reply to the issue 'Login fails' saying 'Fixed in 2.1'", {}, ["edit"],
     {0: {"entity": "Login fails", "fields": {"reply": (LIT, "Fixed in 2.1")}}}),
    # 5. find, then 'its' / 'his'
    ("Find the issue about CSV export and set its status to in-progress", {"status": "in-progress"}, ["search", "edit"],
     {0: {"value.literal": "CSV export", "irreversible": False},
      1: {"words": "issue", "entity": "", "fields": {"status": ("data", "status")}}}),
    ("Find the issue about CSV export and set its status to in-progress", {}, ["search", "edit"],
     {1: {"words": "issue", "entity": "", "fields": {"status": (LIT, "in-progress")}}}),
    ("Find the user whose email address is dave@example.com and change his last name to 'Dunn-Smith'", {},
     ["search", "edit"],
     {0: {"value.literal": "dave@example.com"}, 1: {"words": "user", "entity": "", "fields": {"last name": (LIT, "Dunn-Smith")}}}),
    ("Look up the ticket titled 'Broken link' and change her priority to low", {}, ["search", "edit"],
     {0: {"value.literal": "Broken link"}, 1: {"words": "ticket", "fields": {"priority": (LIT, "low")}}}),
    ("Find the customer named Zed and update their phone to 555-0101", {}, ["search", "edit"],
     {0: {"value.literal": "Zed"}, 1: {"words": "customer", "fields": {"phone": (LIT, "555-0101")}}}),
    # 6. the user's own record
    ("Change my email address to alice@work.example.com", {"email": "alice@work.example.com"}, ["edit"],
     {0: {"words": "my account", "entity": "", "fields": {"email address": ("data", "email")}}}),
    ("Update my phone number to 555-0199", {}, ["edit"], {0: {"words": "my account", "fields": {"phone number": (LIT, "555-0199")}}}),
    ("Set my display name to 'Ally'", {}, ["edit"], {0: {"words": "my account", "fields": {"display name": (LIT, "Ally")}}}),
    # 7. status words
    ("Deactivate the account of the user bob", {}, ["edit"], {0: {"words": "user", "entity": "bob", "fields": {"active": F}}}),
    ("Disable the user carol", {}, ["edit"], {0: {"words": "user", "entity": "carol", "fields": {"active": F}}}),
    ("Activate the user 'erin'", {}, ["edit"], {0: {"entity": "erin", "fields": {"active": T}}}),
    ("Enable the user account of dave", {}, ["edit"], {0: {"words": "user account", "entity": "dave", "fields": {"active": T}}}),
    ("Give the user dave staff status", {}, ["edit"], {0: {"words": "user", "entity": "dave", "fields": {"staff status": T}}}),
    ("Grant superuser status to the user erin", {}, ["edit"], {0: {"entity": "erin", "fields": {"superuser status": T}}}),
    ("Make dave a staff member", {}, ["edit"], {0: {"words": "user", "entity": "dave", "fields": {"staff status": T}}}),
    ("Make dave an admin", {}, ["edit"], {0: {"words": "user", "entity": "dave", "fields": {"staff status": T}}}),
    ("Revoke dave's staff status", {}, ["edit"], {0: {"words": "user", "entity": "dave", "fields": {"staff status": F}}}),
    ("Remove the staff status from the user dave", {}, ["edit"], {0: {"entity": "dave", "fields": {"staff status": F}}}),
    ("Enable the newsletter checkbox", {}, ["check"], {0: {"words": "newsletter", "role": "checkbox"}}),
    # 8. the named record is a field of the create
    ("Log in as the administrator and create a user 'erin' with the email address erin@example.com",
     {**CREDS, "new_username": "erin", "email": "erin@example.com"}, ["login", "create"],
     {0: LOGIN_ONLY, 1: {"words": "user", "entity": "erin",
                         "fields": {"username": ("data", "new_username"), "email address": ("data", "email")}}}),
    ("Create a user 'erin' with the email address erin@example.com", {}, ["create"],
     {0: {"fields": {"username": (LIT, "erin"), "email address": (LIT, "erin@example.com")}}}),
    ("Create a new user account 'frank' with the password 'Lap-Lane-4821'", {"new_username": "frank"}, ["create"],
     {0: {"words": "user account", "entity": "frank",
          "fields": {"username": ("data", "new_username"), "password": (LIT, "Lap-Lane-4821")}}}),
    ("Create a new group named 'Reviewers'", {}, ["create"], {0: {"words": "group", "fields": {"name": (LIT, "Reviewers")}}}),
    ("Create a new keyword called 'documentation'", {}, ["create"], {0: {"fields": {"name": (LIT, "documentation")}}}),
    ("Create a project 'Apollo'", {}, ["create"], {0: {"words": "project", "fields": {"name": (LIT, "Apollo")}}}),
    ("Create an issue 'Crash' with the title 'Crash on save'", {}, ["create"], {0: {"fields": {"title": (LIT, "Crash on save")}}}),
    # 9. field phrases of a create
    ("Create a flat page at the URL /about/ titled 'About us' with the content 'We run the city pool.' on the "
     "example.com site", {}, ["create"],
     {0: {"words": "flat page", "entity": "About us", "fields": {
         "url": (LIT, "/about/"), "title": (LIT, "About us"), "content": (LIT, "We run the city pool."),
         "site": (LIT, "example.com")}}}),
    ("Create a page at the address /team/ titled 'Team'", {}, ["create"],
     {0: {"words": "page", "fields": {"address": (LIT, "/team/"), "title": (LIT, "Team")}}}),
    ("Create a new board titled 'Q3' on the acme workspace", {}, ["create"],
     {0: {"words": "board", "fields": {"title": (LIT, "Q3"), "workspace": (LIT, "acme")}}}),
    # 10. a record from A to B
    ("Add a redirect from /old-blog/ to /blog/", {}, ["create"],
     {0: {"words": "redirect", "fields": {"redirect from": (LIT, "/old-blog/"), "redirect to": (LIT, "/blog/")}}}),
    ("Add a new redirect from /a/ to /b/", {"old_path": "/a/", "new_path": "/b/"}, ["create"],
     {0: {"fields": {"redirect from": ("data", "old_path"), "redirect to": ("data", "new_path")}}}),
    ("Add a route from Paris to Lyon", {}, ["create"],
     {0: {"words": "route", "fields": {"route from": (LIT, "Paris"), "route to": (LIT, "Lyon")}}}),
    ("Add the user bob from the list to the Admins group", {}, ["add_to"], {0: {"container": "Admins group"}}),
]


@pytest.mark.parametrize(("goal", "data", "verbs", "want"), [
    pytest.param(v, data, verbs, want, id=f"{n}-{k}")
    for n, (g, data, verbs, want) in enumerate(TABLE) for k, v in enumerate(variants(g))
])
def test_record_goal(goal: str, data: dict[str, str], verbs: list[str], want: dict[Any, Any]) -> None:
    check_plan(compile_goal(goal, data), verbs, want)


def test_a_login_holds_only_credentials() -> None:
    for goal, data, _, _ in TABLE:
        for intent in compile_goal(goal, {**data, "priority": "urgent", "title": "T"}).intents:
            if intent.verb == "login":
                assert set(intent.fields) <= {"username", "password", "email", "user"}, (goal, intent.fields)
