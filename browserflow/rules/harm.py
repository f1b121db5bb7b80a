"""Harmful-looking actions the goal does not ask for: one judgement, used wherever an action is chosen or
replayed without a person (the rules tier, the path cache), and available to the plan's grounding.

An action is *harmful* when its label says it destroys, cancels, unsubscribes or pays: "Delete account",
"Remove", "Cancel subscription", "Unsubscribe", "Close my account", "Pay now", "Place order", "Transfer".
It is *unasked* when the goal names none of the verbs of that kind ("delete", "deleting", "removal" … for
destroying; "pay", "purchase", "buy", "order" … for paying). Other words of the label never count: a button
"Delete account to register Eden for the Tuesday evening swim class" is harmful and unasked for the goal
"Register Eden for the Tuesday evening swim class" however many goal words it repeats.

Plain words, no site knowledge. A bare "Cancel" or "Close" (a dialog's button) is not harmful; with an
object that is a commitment ("Cancel my booking", "Close account") it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HARM_KINDS", "HarmKind", "harm_kind", "harmful_unasked"]

_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class HarmKind:
    """One kind of harm: the stems that show it (``alone``: by themselves; ``with_object``: only next to one
    of ``objects``). A goal asks for it when the goal itself reads as that kind, or names one of ``asked_by``."""

    name: str
    alone: tuple[str, ...]
    with_object: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    asked_by: tuple[str, ...] = ()


_COMMITMENTS = (
    "account", "profile", "subscription", "membership", "plan", "order", "booking", "registration",
    "reservation", "appointment", "enrolment", "enrollment", "service", "contract", "policy", "user", "data",
    "all", "everything", "card", "payment", "payments",
)  # fmt: skip

HARM_KINDS: tuple[HarmKind, ...] = (
    HarmKind(
        "destroy",
        alone=("delet", "remov", "eras", "wip", "destroy", "purg", "trash", "discard"),
        with_object=("clear", "reset"),
        objects=_COMMITMENTS,
    ),
    HarmKind(
        "cancel",
        alone=("unsubscrib", "unenrol", "unenroll", "unregister", "deregister", "cancel"),
        with_object=("terminat", "deactivat", "disabl", "clos", "end", "stop", "suspend", "revok", "withdraw"),
        objects=_COMMITMENTS,
    ),
    HarmKind("opt_out", alone=(), with_object=("opt",), objects=("out",), asked_by=("unsubscrib",)),
    HarmKind(
        "pay",
        alone=("pay", "paid", "purchas", "buy", "bought", "checkout", "donat", "transfer"),
        with_object=("place", "confirm", "complet", "send", "submit", "check"),
        objects=("order", "payment", "money", "purchase", "out", "funds"),
        asked_by=("order", "ordering"),
    ),
)
_BARE_OK = {"cancel"}  # a lone "Cancel" is a dialog's way out, not a cancellation


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _has(words: list[str], stems: tuple[str, ...]) -> bool:
    return any(_stem_match(w, s) for w in words for s in stems)


def _stem_match(word: str, stem: str) -> bool:
    """``delet`` matches delete/deleting/deletion; short stems (pay, end, opt) match the word and its plain
    inflections only (so "spending", "payroll", "option" do not count)."""
    if len(stem) <= 4:
        return word in {stem, stem + "s", stem + "ed", stem + "ing", stem + "ment", stem + "ments", stem + "e"} or (
            word.startswith(stem) and word[len(stem) :] in {"ed", "es", "ing", "ion", "ions", "al", "e"}
        )
    return word.startswith(stem)


def _kinds(text: str, *, label: bool) -> list[str]:
    words = _words(text)
    found: list[str] = []
    for kind in HARM_KINDS:
        alone = kind.alone
        if label and len(words) == 1 and words[0] in _BARE_OK:
            alone = tuple(s for s in alone if s not in _BARE_OK)
        if (
            _has(words, alone)
            or (kind.with_object and _has(words, kind.with_object) and _has(words, kind.objects))
            or (not label and _has(words, kind.asked_by))
        ):
            found.append(kind.name)
    return found


def harm_kind(label: str) -> str | None:
    """The kind of harm an action labelled ``label`` would do (None: not harmful-looking)."""
    found = _kinds(label, label=True)
    return found[0] if found else None


def harmful_unasked(label: str, goal: str) -> bool:
    """Is the action labelled ``label`` harmful-looking while ``goal`` asks for nothing of that kind?"""
    found = _kinds(label, label=True)
    if not found:
        return False
    asked = set(_kinds(goal, label=False))
    return any(kind not in asked for kind in found)
