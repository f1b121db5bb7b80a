"""The goal compiler's lexicon: verb synonyms, role nouns, ordinals, commit words, credential keys.

Pure data plus tiny lookups; the clause parser (``compiler.py``) and the phrase helpers (``phrases.py``) read it.
Everything here is generic English of web tasks: no site-, task- or benchmark-specific words.
"""

from __future__ import annotations

import re

__all__ = [
    "ARTICLES",
    "COMMIT_WORDS",
    "CREDENTIAL_KEYS",
    "EFFECTS",
    "GENERIC_OBJECTS",
    "NOT_NAMES",
    "ORDINAL_WORDS",
    "PASSWORD_KEYS",
    "PERSON_NOUNS",
    "READ_WORDS",
    "RECORD_NOUNS",
    "ROLE_NOUNS",
    "USERNAME_KEYS",
    "VERB_PHRASES",
    "base_form",
    "match_verb",
    "role_of",
]

#: verb phrase (lower case, single spaces) -> verb; matched longest first at the start of a clause
VERB_PHRASES: dict[str, str] = {
    # navigate
    "open": "navigate", "go to": "navigate", "go back": "navigate", "go": "navigate", "visit": "navigate",
    "navigate to": "navigate", "navigate": "navigate", "browse to": "navigate", "switch to": "navigate",
    "show me": "navigate", "show": "navigate", "view": "navigate", "load": "navigate", "return to": "navigate",
    "head to": "navigate", "reload": "navigate", "refresh": "navigate",
    # login
    "log in": "login", "log into": "login", "log on": "login", "login": "login", "sign in": "login",
    "sign into": "login", "sign on": "login", "authenticate": "login",
    # click
    "click": "click", "click on": "click", "press": "click", "tap": "click", "tap on": "click", "hit": "click",
    "push": "click", "double click": "click", "double-click": "click", "right click": "click",
    "right-click": "click", "collapse": "click",
    # fill
    "type": "fill", "enter": "fill", "fill": "fill", "fill in": "fill", "fill out": "fill", "put": "fill",
    "write": "fill", "input": "fill", "insert": "fill", "key in": "fill", "paste": "fill", "provide": "fill",
    "clear": "fill",
    # select
    "select": "select", "choose": "select", "pick": "select",
    # check / uncheck
    "check": "check", "tick": "check", "mark": "check",
    "uncheck": "uncheck", "untick": "uncheck", "unmark": "uncheck", "deselect": "uncheck", "unselect": "uncheck",
    # focus / search
    "focus": "focus", "focus on": "focus", "focus into": "focus", "focus in": "focus",
    "search": "search", "search for": "search",
    # create
    "create": "create", "add": "create", "new": "create", "register": "create", "sign up": "create",
    "file": "create", "open a new": "create", "open new": "create", "make a new": "create", "book": "create",
    "reserve": "create", "post": "create", "publish": "create", "buy": "create", "order": "create",
    "purchase": "create", "enroll": "create", "subscribe": "create", "raise a": "create", "raise an": "create",
    "raise a new": "create", "log a": "create", "log an": "create", "log a new": "create", "submit a": "create",
    "submit an": "create", "submit a new": "create", "file a": "create", "file an": "create", "file a new": "create",
    # edit
    "edit": "edit", "change": "edit", "set": "edit", "update": "edit", "rename": "edit", "modify": "edit",
    "assign": "edit", "make": "edit", "reassign": "edit", "give": "edit", "grant": "edit", "activate": "edit",
    "deactivate": "edit", "enable": "edit", "disable": "edit", "reactivate": "edit", "revoke": "edit",
    # delete
    "delete": "delete", "remove": "delete", "erase": "delete", "trash": "delete", "discard": "delete",
    "retire": "delete", "archive": "delete",
    # confirm / submit
    "confirm": "confirm", "accept": "confirm", "approve": "confirm",
    "submit": "submit", "save": "submit", "send": "submit", "apply": "submit", "check out": "submit",
    "checkout": "submit",
    # expand / close
    "expand": "expand", "unfold": "expand",
    # hover
    "hover": "hover", "hover over": "hover", "hover on": "hover", "mouse over": "hover", "point at": "hover",
    "point to": "hover",
    # scroll
    "scroll": "scroll", "scroll to": "scroll", "scroll down": "scroll", "scroll up": "scroll",
    "scroll through": "scroll",
    "close": "close", "dismiss": "close", "hide": "close", "exit": "close",
}

#: words that start a reading (non-write) clause: the compiler leaves such clauses free, never as a write
READ_WORDS = frozenset(
    {
        "find", "read", "look", "what", "what's", "whats", "where", "who", "which", "how", "tell", "get",
        "count", "note", "report", "return", "list", "locate", "wait", "copy", "remember",
        "is", "are", "does", "do", "can", "forward", "reply", "drag", "move", "switch", "use", "navigate",
    }
)

#: one-word verbs that may start a clause after "and"/"," (used by the splitter); derived from the table
_FIRST_WORDS = frozenset(p.split()[0] for p in VERB_PHRASES) | READ_WORDS

ARTICLES = frozenset({"the", "a", "an", "this", "that", "these", "those", "my", "your", "our", "its", "some"})

#: noun phrase -> role; longest first when matched
ROLE_NOUNS: dict[str, str] = {
    "button": "button", "buttons": "button", "radio button": "radio", "radio buttons": "radio", "radio": "radio",
    "link": "link", "links": "link", "hyperlink": "link", "tab": "tab", "tabs": "tab",
    "checkbox": "checkbox", "checkboxes": "checkbox", "check box": "checkbox", "check boxes": "checkbox",
    "textbox": "textbox", "textboxes": "textbox", "text box": "textbox", "text boxes": "textbox",
    "text field": "textbox", "text fields": "textbox", "input textbox": "textbox", "input field": "textbox",
    "input fields": "textbox", "input box": "textbox", "input": "textbox", "inputs": "textbox",
    "field": "textbox", "fields": "textbox", "box": "textbox", "boxes": "textbox", "text area": "textarea",
    "textarea": "textarea", "text areas": "textarea", "textareas": "textarea", "text input": "textbox",
    "search box": "searchbox", "search field": "searchbox",
    "search bar": "searchbox", "searchbox": "searchbox",
    "dropdown": "combobox", "drop-down": "combobox", "drop down": "combobox", "dropdown list": "combobox",
    "dropdown menu": "combobox", "drop-down list": "combobox", "drop-down menu": "combobox", "combo box": "combobox",
    "combobox": "combobox", "select": "combobox", "select box": "combobox", "list": "listbox", "listbox": "listbox",
    "list box": "listbox", "select list": "listbox",
    "menu item": "menuitem", "menu items": "menuitem", "menuitem": "menuitem", "option": "option",
    "options": "option", "dialog": "dialog", "dialog box": "dialog", "popup": "dialog", "pop-up": "dialog",
    "modal": "dialog", "spinner": "spinbutton", "spin button": "spinbutton", "slider": "slider",
}

#: role nouns that, when they are the whole target, also say nothing about its words
ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1, "final": -1,
}

#: click words that commit something (an irreversible click)
COMMIT_WORDS = frozenset(
    {
        "submit", "save", "send", "pay", "buy", "book", "order", "delete", "remove", "confirm", "register",
        "sign up", "signup", "apply", "post", "publish", "log in", "login", "sign in", "signin", "purchase",
        "place order", "checkout", "check out",
    }
)

USERNAME_KEYS = ("username", "user_name", "user", "login", "email", "email_address", "user_id", "userid")
PASSWORD_KEYS = ("password", "passcode", "pass", "pin", "passwd", "pwd")
CREDENTIAL_KEYS = frozenset({"username", "user_name", "login", "password", "passcode", "pin", "otp", "token",
                             "passwd", "pwd", "pass", "totp", "mfa_code"})

#: objects that name no element of their own ("save the changes", "submit the form")
GENERIC_OBJECTS = frozenset({"", "it", "them", "this", "that", "form", "the form", "changes", "everything", "all",
                             "page", "the page", "entry", "data", "details", "information", "info"})

EFFECTS: dict[str, str] = {
    "fill": "field_value", "select": "selected", "check": "checked", "uncheck": "unchecked", "focus": "focused",
    "navigate": "navigated", "login": "logged_in", "create": "listed", "add_to": "listed", "delete": "gone",
    "remove_from": "gone", "edit": "field_value", "search": "navigated", "click": "clicked", "submit": "clicked",
    "confirm": "clicked", "expand": "clicked", "close": "clicked", "hover": "clicked", "scroll": "clicked",
    "free": "none",
}

#: nouns of records an app keeps (a bare name after one is the record's name: 'the user alice')
RECORD_NOUNS = frozenset({
    "issue", "ticket", "bug", "task", "page", "flat page", "post", "article", "keyword", "tag", "label", "project",
    "product", "redirect", "category", "site", "document", "event", "invoice", "record", "entry", "milestone",
})
#: nouns of people and groups: any bare word after one names it ('the user carol', 'the group Editors')
PERSON_NOUNS = frozenset({
    "user", "user account", "account", "member", "person", "customer", "contact", "employee", "student", "admin",
    "administrator", "staff member", "author", "owner", "assignee", "group", "team", "role", "login",
})
#: words that, after a person noun, are part of the noun phrase, not a name ('the user list', 'the account page')
NOT_NAMES = frozenset({
    "account", "accounts", "list", "profile", "page", "settings", "name", "names", "group", "groups", "status",
    "details", "record", "records", "table", "form", "menu", "tab", "section", "permissions", "role", "roles", "id",
    "email", "password", "picture", "avatar", "info", "information", "data", "management", "admin", "search",
})

_PHRASES_BY_LENGTH = sorted(VERB_PHRASES, key=lambda p: (-len(p.split()), -len(p)))
_GERUNDS = {"entering": "enter", "typing": "type", "clicking": "click", "pressing": "press", "selecting": "select",
            "choosing": "choose", "checking": "check", "saving": "save", "submitting": "submit",
            "logging": "log", "signing": "sign", "filling": "fill", "opening": "open", "going": "go",
            "creating": "create", "adding": "add", "deleting": "delete", "removing": "remove",
            "changing": "change", "setting": "set", "searching": "search", "tapping": "tap", "hitting": "hit",
            "closing": "close", "expanding": "expand", "confirming": "confirm", "sending": "send",
            "unchecking": "uncheck", "ticking": "tick", "visiting": "visit", "navigating": "navigate",
            "updating": "update", "editing": "edit", "registering": "register", "focusing": "focus"}


def base_form(word: str) -> str:
    """'entering' -> 'enter' (the gerunds of the lexicon's verbs); other words unchanged."""
    return _GERUNDS.get(word.lower(), word)


def match_verb(text: str) -> tuple[str, str, str] | None:
    """The verb phrase starting ``text``: (verb, the phrase as written, the rest), or None."""
    low = text.lower()
    for phrase in _PHRASES_BY_LENGTH:
        if low == phrase or (low.startswith(phrase) and not (low[len(phrase)].isalnum() or low[len(phrase)] in "-_")):
            return VERB_PHRASES[phrase], text[: len(phrase)], text[len(phrase) :].strip()
    return None


def starts_clause(text: str) -> bool:
    """Does ``text`` start with a verb (or a reading word, or a negation) so that a preceding 'and'/',' splits?"""
    m = re.match(r"[a-z'\u2019-]+", text.lower())
    if not m:
        return False
    word = m.group(0)
    if word in ("do", "don't", "dont", "never", "please", "then", "also"):
        return True
    if word in ("new", "list", "order", "post", "file", "book", "input", "set"):
        # a noun as often as a verb: a verb only when a determiner follows ('and file a new issue', 'and set its')
        return bool(re.match(r"[a-z-]+\s+(?:a|an|the|its|his|her|their|my|that|this)\s", text.lower()))
    if word not in _FIRST_WORDS:
        return False
    # a lone word before a comma or the end is an item of a list ('select k9, key, bA'), unless it is a verb
    # that stands alone ('..., then submit', 'and wait')
    return word in _STANDALONE or not re.match(r"[a-z'\u2019-]+\s*(?:[,.;]|$|and\b|or\b)", text.lower())


#: verbs that make a whole clause with no object
_STANDALONE = frozenset({"submit", "save", "send", "confirm", "accept", "approve", "continue", "wait", "login",
                         "refresh", "reload", "checkout", "apply", "close", "dismiss", "exit", "expand", "search",
                         "go", "scroll", "return", "proceed", "finish", "cancel", "logout"})


_ROLE_BY_LENGTH = sorted(ROLE_NOUNS, key=lambda p: (-len(p.split()), -len(p)))


def role_of(noun: str) -> str:
    """'text field' -> 'textbox'; '' when not a role noun."""
    return ROLE_NOUNS.get(noun.lower().strip(), "")


def role_suffix(words: str) -> tuple[str, str]:
    """Split a trailing role noun off ``words``: 'Submit button' -> ('Submit', 'button')."""
    low = words.lower()
    for noun in _ROLE_BY_LENGTH:
        if low == noun:
            return "", ROLE_NOUNS[noun]
        if low.endswith(" " + noun):
            return words[: -len(noun) - 1].rstrip(), ROLE_NOUNS[noun]
    return words, ""


def role_prefix(words: str) -> tuple[str, str]:
    """Split a leading role noun off ``words``: 'button ONE' -> ('ONE', 'button'), 'link "x"' -> ('"x"', 'link')."""
    low = words.lower()
    for noun in _ROLE_BY_LENGTH:
        if low.startswith(noun + " "):
            return words[len(noun) + 1 :].lstrip(), ROLE_NOUNS[noun]
    return words, ""


__all__ += ["role_prefix", "role_suffix", "starts_clause"]
