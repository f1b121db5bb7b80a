"""Goals about one message in a mail or messaging app, read as a whole sentence.

"Find the email by Ann and forward that email to Bob", "Open Ann's email and reply to her with the text "…"",
"Bob is waiting for the email from Ann", "Please delete Ann's emails", "Email Ann the message "…"".
Such goals name the message by its sender and say one thing to do with it; their clauses do not stand alone
("forward that email" needs the email found first), so they are read here before clause splitting. The
plan is what a person does in any mail client: open the message, press the action, fill what the action
asks for (the recipient, the reply text), send. Generic English of mail; no app-specific words.
"""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Draft
from browserflow.plan.lexquote import Quotes, drop_polite_tail
from browserflow.plan.model import Constraint, ValueSpec
from browserflow.plan.phrases import TargetParts

__all__ = ["read_message_goal"]

_MSG = r"(?i:e-?mails?|messages?|mails?|information|letters?)"
_NAME = r"(?P<{0}>[A-Z][a-zA-Z-]+(?:\s+[A-Z][a-zA-Z-]+)?)"
_MSGS_ALONE = re.compile(rf"\b{_MSG}\b")
#: capitalised words that start a sentence, never part of a name ("Find Ann's email")
_LEADING = frozenset({"find", "open", "please", "look", "will", "would", "could", "can", "send", "give", "forward",
                      "delete", "email", "reply", "mark", "star", "go", "locate", "search", "remove", "pass"})


def _name(tag: str) -> str:
    return _NAME.format(tag)


#: the message, named by its sender
_SENDER = [
    re.compile(rf"\b(?i:the|an?|any|all)\s+(?:\w+\s+)?{_MSG}\b(?:\s+[a-z']+){{0,4}}?\s+(?i:by|from)\s+{_name('s')}"),
    re.compile(rf"\b{_name('s')}'s\s+{_MSG}\b"),
    re.compile(rf"\b(?i:the|an?)\s+{_MSG}\s+(?:that\s+)?{_name('s')}\s+(?:wrote|sent|has\s+sent)\b"),
    re.compile(rf"\b{_name('s')}\s+(?:wrote|sent)\s+(?:you\s+|me\s+)?(?:an?|the)\s+{_MSG}\b"),
]
_FORWARD = [
    re.compile(rf"\b(?i:forward(?:ed)?)\b(?:\s+(?:it|that|this|them))?(?:\s+\w+){{0,3}}?\s+to\s+{_name('r')}"),
    re.compile(rf"\b(?i:send|give|pass)\s+{_name('r')}\s+the\s+{_MSG}"),
    re.compile(rf"\b(?i:send|pass)\s+(?:it|that|this|them)(?:\s+\w+)?\s+(?:on\s+)?to\s+{_name('r')}"),
    re.compile(rf"^(?i:please\s+)?(?P<r>[A-Za-z][a-zA-Z-]+)\s+(?:is|are)\s+waiting\s+for\s+the\s+{_MSG}"),
]
_REPLY = [
    re.compile(r"\brepl(?:y|ies)\b.*?\bwith\s+(?:the\s+)?(?:text|message|words?|reply|answer)?\s*,?\s*(?P<t>.+?)\s*[.!]?\s*$", re.I),
    re.compile(rf"\b(?i:e-?mail|write|message)\s+{_name('x')}\s+(?:the|a|this)\s+(?:message|text|reply|note)\s*,?\s*(?P<t>.+?)\s*[.!]?\s*$"),
]
_PLURAL = re.compile(r"\b(?:all|every|each)\b|\b(?:e-?mails|messages|mails)\b", re.I)
_DELETE = re.compile(r"\b(?:delete|deleted|trash|trashed|remove|removed|discard|throw\s+away)\b", re.I)
_TRASH = re.compile(r"\btrash\b", re.I)
_IMPORTANT = re.compile(r"\b(?:star|starred|important|flag|flagged)\b", re.I)
_STAR = re.compile(r"\bstar\b", re.I)


def _person(name: str) -> str:
    words = name.split()
    name = " ".join(words[1:]) if len(words) > 1 and words[0].lower() in _LEADING else name
    return name[:1].upper() + name[1:]  # a name that opens a sentence written in lower case


def _sender(goal: str) -> str | None:
    for pattern in _SENDER:
        m = pattern.search(goal)
        if m:
            return _person(m.group("s"))
    return None


def _literal(text: str, quotes: Quotes) -> str | None:
    """The reply text: one quoted literal (the goal's own words, never guessed from unquoted prose)."""
    return quotes.only(text.strip().rstrip(".!,;"))


def _open(sender: str) -> Draft:
    return Draft("click", target=TargetParts(words=sender), text=f"open the message from {sender}")


def _send(what: str) -> Draft:
    return Draft("click", target=TargetParts(words="send"), commit=True, text=f"send the {what}")


def read_message_goal(masked: str, quotes: Quotes) -> list[Draft] | None:
    """The drafts of a goal about one message (open it, then reply/forward/delete/star), or None."""
    if not _MSGS_ALONE.search(masked):
        return None
    masked = drop_polite_tail(masked)
    for pattern in _REPLY:
        m = pattern.search(masked)
        if not m:
            continue
        text = _literal(m.group("t"), quotes)
        sender = _sender(masked) or (_person(m.group("x")) if "x" in m.groupdict() else None)
        if text is None or sender is None:
            return None
        return [
            _open(sender),
            Draft("click", target=TargetParts(words="reply"), text="reply"),
            Draft("fill", target=TargetParts(role="textbox"), value=ValueSpec(source="literal", literal=text),
                  text="write the reply"),
            _send("reply"),
        ]
    sender = _sender(masked)
    if sender is None:
        return None
    for pattern in _FORWARD:
        m = pattern.search(masked)
        if m and _person(m.group("r")) != sender:
            to = _person(m.group("r"))
            return [
                _open(sender),
                Draft("click", target=TargetParts(words="forward"), text="forward"),
                Draft("fill", target=TargetParts(words="to", role="textbox"),
                      value=ValueSpec(source="literal", literal=to), text=f"address it to {to}"),
                _send("message"),
            ]
    if _DELETE.search(masked):
        icon = "trash" if _TRASH.search(masked) else "delete"
        if _PLURAL.search(masked):  # "delete all messages from Ann": each of them, until none is listed
            return [_open(sender), Draft("click", target=TargetParts(words=icon), commit=True,
                                         constraints=[Constraint(kind="each", text=sender)],
                                         text=f"delete each message from {sender}")]
        return [_open(sender), Draft("click", target=TargetParts(words=icon), commit=True, text="delete it")]
    if _IMPORTANT.search(masked):
        icon = "star" if _STAR.search(masked) or not re.search(r"\bflag", masked, re.I) else "flag"
        return [_open(sender), Draft("click", target=TargetParts(words=icon), text="mark it important")]
    return None
