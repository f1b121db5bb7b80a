"""The goal compiler on real MiniWoB++ utterances (seeds < 10000), each in several phrasing variants."""

from __future__ import annotations

from typing import Any

import pytest

from browserflow.plan.compiler import compile_goal
from tests.plan.expect import check_plan, variants

LIT = "literal"
SUBMIT = {"words": "submit", "irreversible": True, "effect": "clicked"}
SUBMIT_C = {"words": "Submit", "irreversible": True}

# (goal, verbs in order, expected parts by intent index and plan attribute)
TABLE: list[tuple[str, list[str], dict[Any, Any]]] = [
    ('Click on the "submit" button.', ["click"], {0: {"words": "submit", "role": "button", "exact": True, "irreversible": True}, "writes": True}),
    ('Click on the "okay" button.', ["click"], {0: {"words": "okay", "role": "button", "exact": True, "irreversible": False}, "writes": False}),
    ("Click the button.", ["click"], {0: {"words": "", "role": "button", "ordinal": None}, "complete": True}),
    ("Click button ONE.", ["click"], {0: {"words": "ONE", "role": "button", "exact": False}}),
    ('Click on the link "vitae".', ["click"], {0: {"words": "vitae", "role": "link", "exact": True, "effect": "clicked"}}),
    ('Click on the link "Eget".', ["click"], {0: {"words": "Eget", "role": "link"}}),
    ('Close the dialog box by clicking the "x".', ["close"], {0: {"words": "x", "container": "dialog", "exact": True}}),
    ('Click the button in the dialog box labeled "Cancel".', ["click"],
     {0: {"words": "Cancel", "role": "button", "container": "dialog", "exact": True}}),
    ("Click on Tab #2.", ["click"], {0: {"words": "Tab #2", "role": "tab", "ordinal": 2}}),
    ('Switch between the tabs to find and click on the link "ipsum".', ["free", "click"],
     {1: {"words": "ipsum", "role": "link"}, "complete": False}),
    ("Select Ajuwvc and click Submit.", ["select", "click"],
     {0: {"value.source": LIT, "value.literal": "Ajuwvc", "effect": "selected"}, 1: SUBMIT_C}),
    ("Select ZJSZ, yV8, Ii and click Submit.", ["select", "click"], {0: {"items": ["ZJSZ", "yV8", "Ii"]}, 1: SUBMIT_C}),
    ("Select nb, 8qiSp3m, pKybC69, v8Zs3, U6gHF and click Submit.", ["select", "click"],
     {0: {"items": ["nb", "8qiSp3m", "pKybC69", "v8Zs3", "U6gHF"]}}),
    ("Select HF2 and click Submit.", ["select", "click"], {0: {"value.literal": "HF2", "items": []}}),
    ("Select AU and click Submit.", ["select", "click"], {0: {"value.literal": "AU"}}),
    ("Select nothing and click Submit.", ["select", "click"], {0: {"constraints": ["nothing"], "value": None}}),
    ("Select Martelle", ["select"], {0: {"value.literal": "Martelle"}, "writes": False}),
    ("Select Corrine, Catherine from the scroll list and click Submit.", ["select", "click"],
     {0: {"items": ["Corrine", "Catherine"], "role": "listbox"}}),
    ("Select words similar to mild, delicious and click Submit.", ["free", "click"], {"complete": False}),
    ("Expand the section below and click submit.", ["expand", "click"], {0: {"words": "section", "effect": "clicked"}, 1: SUBMIT}),
    ('Expand the sections below, to find and click on the link "eget".', ["expand", "click"],
     {1: {"words": "eget", "role": "link"}, "complete": True}),
    ('Expand the pie menu below and click on the item labeled "e".', ["expand", "click"], {1: {"words": "e", "exact": True}}),
    ('Enter "Jerald" into the text field and press Submit.', ["fill", "click"],
     {0: {"role": "textbox", "value.source": LIT, "value.literal": "Jerald", "effect": "field_value"}, 1: SUBMIT_C}),
    ('Enter "6gH" into the text field and press Submit.', ["fill", "click"], {0: {"value.literal": "6gH"}}),
    ('Type "Koka" in lower case in the text field and press Submit.', ["fill", "click"],
     {0: {"value.literal": "Koka", "value.transform": "lower", "role": "textbox"}}),
    ('Type "agustina" in all upper case letters in the text input and press Submit.', ["fill", "click"],
     {0: {"value.literal": "agustina", "value.transform": "upper", "role": "textbox"}}),
    ('Enter the password "x0Z" into both text fields and press submit.', ["fill", "click"],
     {0: {"words": "password", "role": "textbox", "value.literal": "x0Z", "value.reuse": True}, 1: SUBMIT}),
    ("Enter 03/12/2016 as the date and hit submit.", ["fill", "click"],
     {0: {"words": "date", "value.literal": "03/12/2016", "value.transform": "date", "value.format": None}, 1: SUBMIT}),
    ("Enter 05/20/2010 as the date and hit submit.", ["fill", "click"], {0: {"value.literal": "05/20/2010", "value.transform": "date"}}),
    ("Enter 11:55 PM as the time and press submit.", ["fill", "click"],
     {0: {"words": "time", "value.literal": "11:55 PM", "value.transform": "time"}}),
    ("Enter 9:37 PM as the time and press submit.", ["fill", "click"], {0: {"value.literal": "9:37 PM", "value.transform": "time"}}),
    ("Focus into the textbox.", ["focus"], {0: {"role": "textbox", "effect": "focused", "irreversible": False}}),
    ("Focus into the 2nd input textbox.", ["focus"], {0: {"role": "textbox", "ordinal": 2}}),
    ('Enter the username "kanesha" and the password "Zr" into the text fields and press login.', ["fill", "fill", "click"],
     {0: {"words": "username", "value.literal": "kanesha"}, 1: {"words": "password", "value.literal": "Zr"},
      2: {"words": "login", "irreversible": True}}),
    ("Select Tuvalu from the list and click Submit.", ["select", "click"],
     {0: {"value.literal": "Tuvalu", "role": "listbox", "effect": "selected"}}),
    ("Select 11/03/2016 as the date and hit submit.", ["select", "click"],
     {0: {"words": "date", "value.literal": "11/03/2016", "value.transform": "date"}}),
    ('Use the textbox to enter "Kanesha" and press "Search", then find and click the 7th search result.',
     ["fill", "click", "click"],
     {0: {"role": "textbox", "value.literal": "Kanesha"}, 1: {"words": "Search", "irreversible": False},
      2: {"words": "search result", "ordinal": 7}, "writes": False}),
    ("Find the email by Dorothy and forward that email to Liz.", ["free", "free"], {"writes": False, "complete": False}),
    ('For the user @maecenas, click on the "Retweet" button.', ["click"],
     {0: {"words": "Retweet", "role": "button", "container": "@maecenas"}}),
    ('Navigate through the file tree. Find and click on the folder or file named "Briana".', ["navigate", "click"],
     {0: {"words": "file tree"}, 1: {"words": "Briana", "exact": True}}),
    ("Enter the value of Color into the text field and press Submit.", ["fill", "click"],
     {0: {"value.source": "page", "value.literal": "Color", "role": "textbox"}}),
    ("Enter the number shown next to Total into the text field and press Submit.", ["fill", "click"],
     {0: {"value.source": "page", "value.literal": "Total"}}),
    ("Select 5 with the spinner and hit Submit.", ["select", "click"], {0: {"value.literal": "5", "role": "spinbutton"}}),
    ('Click on a "checkbox" widget.', ["click"], {0: {"role": "checkbox", "words": ""}}),
    ('Click on a "textarea" widget.', ["click"], {0: {"role": "textbox"}}),
    ("Click button ONE, then click button TWO.", ["click", "click"], {0: {"words": "ONE"}, 1: {"words": "TWO"}}),
    ("Click button ONE, wait 1 seconds, then click button TWO.", ["click", "free", "click"], {2: {"words": "TWO"}}),
    ('Click on the "🐙" button.', ["click"], {0: {"words": "🐙", "role": "button", "exact": True}}),
    ('Enter an item that starts with "Bel" and ends with "ize".', ["free"], {"complete": False, "writes": False}),
    ('Click the "Menu" button, and then find and click on the item labeled "Save".', ["click", "click"],
     {0: {"words": "Menu", "role": "button"}, 1: {"words": "Save", "irreversible": True}}),
    ("Copy the text in the textarea below, paste it into the textbox and press Submit.", ["free", "free", "click"],
     {2: SUBMIT_C}),
    ('Find the 1st word in the paragraph, type that into the textbox and press "Submit".', ["free", "free", "click"],
     {2: {"words": "Submit", "exact": True}}),
    ("Find the email by Audrey and click the trash icon to delete it.", ["free", "click"],
     {1: {"words": "trash icon", "irreversible": True}, "writes": True}),
    ("Find the email by Audrey and click the star icon to mark it as important.", ["free", "click"], {1: {"words": "star icon"}}),
    ("Buy the ticket with the cheapest cost.", ["create"], {0: {"words": "ticket", "fields": {}}, "writes": True}),
]


@pytest.mark.parametrize(("goal", "verbs", "want"), [
    pytest.param(v, verbs, want, id=f"{n}-{k}") for n, (g, verbs, want) in enumerate(TABLE) for k, v in enumerate(variants(g))
])
def test_miniwob_utterance(goal: str, verbs: list[str], want: dict[Any, Any]) -> None:
    check_plan(compile_goal(goal, {}), verbs, want)
