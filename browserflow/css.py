"""A cheap syntax check for the CSS selectors a request names (success indicators' ``selector``).

The probe runs them with ``document.querySelectorAll``, where an invalid selector simply matches nothing, so a
typo would silently keep a task from ever succeeding. This is a recursive-descent check of the Selectors
Level 4 grammar, enough to refuse what a browser would: a selector list of compound selectors (type or
``*``, ``#id``, ``.class``, ``[attr op value i]``, ``:pseudo`` / ``:pseudo(...)``, ``::element``) joined by
combinators (whitespace, ``>``, ``+``, ``~``). ``:not``, ``:is``, ``:where``, ``:matches`` and ``:has`` hold
selector lists and are checked recursively; the arguments of other functional pseudo-classes
(``:nth-child(2n+1)``, ``:lang(en)``) only need balanced brackets and quotes. Whether a pseudo-class exists is
left to the browser. Pure: no I/O.
"""

from __future__ import annotations

import re

__all__ = ["css_selector_problem"]

_IDENT = re.compile(
    r"-?(?:[A-Za-z_]|[^\x00-\x7f]|\\.)(?:[A-Za-z0-9_-]|[^\x00-\x7f]|\\.)*|--(?:[A-Za-z0-9_-]|[^\x00-\x7f]|\\.)*"
)
_WS = " \t\n\r\f"
_COMBINATORS = ">+~"
_SELECTOR_ARGS = frozenset({"not", "is", "where", "matches", "-webkit-any", "has"})
_ATTR_OPS = ("~=", "|=", "^=", "$=", "*=", "=")
_MAX_DEPTH = 16


class _Invalid(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def fail(self, why: str) -> _Invalid:
        return _Invalid(f"{why} at position {self.i}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_ws(self) -> bool:
        start = self.i
        while self.peek() and self.peek() in _WS:
            self.i += 1
        return self.i > start

    def ident(self, what: str) -> str:
        m = _IDENT.match(self.s, self.i)
        if not m:
            raise self.fail(f"expected {what}")
        self.i = m.end()
        return m.group(0)

    def string(self) -> None:
        quote = self.s[self.i]
        self.i += 1
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == quote:
                self.i += 1
                return
            if c == "\n":
                break
            self.i += 1
        raise self.fail("unclosed string")

    def selector_list(self, end: str, depth: int, relative: bool = False) -> None:
        if depth > _MAX_DEPTH:
            raise self.fail("nested too deeply")
        while True:
            self.complex(end, depth, relative)
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == end:
                return
            raise self.fail(f"unexpected {self.peek()!r}")

    def complex(self, end: str, depth: int, relative: bool) -> None:
        self.skip_ws()
        if relative and self.peek() and self.peek() in _COMBINATORS:
            self.i += 1
            self.skip_ws()
        self.compound(depth)
        while True:
            spaced = self.skip_ws()
            c = self.peek()
            if not c and end:
                raise self.fail(f"unclosed '(' (expected {end!r})")
            if c == "," or c == end:
                return
            if c in _COMBINATORS:
                self.i += 1
                self.skip_ws()
            elif not spaced:
                raise self.fail(f"unexpected {c!r}")
            self.compound(depth)

    def compound(self, depth: int) -> None:
        start = self.i
        c = self.peek()
        if c == "*":
            self.i += 1
        elif c and _IDENT.match(self.s, self.i):
            self.ident("a type")
        if self.peek() == "|":  # namespace prefix: ns|type, *|type, |type
            self.i += 1
            if self.peek() == "*":
                self.i += 1
            else:
                self.ident("a type after '|'")
        while True:
            c = self.peek()
            if c == "#":
                self.i += 1
                self.ident("an id after '#'")
            elif c == ".":
                self.i += 1
                self.ident("a class name after '.'")
            elif c == "[":
                self.attribute()
            elif c == ":":
                self.pseudo(depth)
            else:
                break
        if self.i == start:
            raise self.fail("expected a selector" if c else "the selector ends too early")

    def attribute(self) -> None:
        self.i += 1
        self.skip_ws()
        if self.peek() == "*" or self.peek() == "|":
            self.i += 1
            if self.peek() == "|":
                self.i += 1
        self.ident("an attribute name after '['")
        if self.peek() == "|" and self.s[self.i : self.i + 2] != "|=":
            self.i += 1
            self.ident("an attribute name")
        self.skip_ws()
        op = next((o for o in _ATTR_OPS if self.s.startswith(o, self.i)), None)
        if op:
            self.i += len(op)
            self.skip_ws()
            if self.peek() in {"'", '"'}:
                self.string()
            else:
                self.ident("a value (an identifier or a quoted string)")
            self.skip_ws()
            if self.peek() in {"i", "I", "s", "S"}:
                self.i += 1
                self.skip_ws()
        if self.peek() != "]":
            raise self.fail("unclosed '[' (or an unexpected character in it)")
        self.i += 1

    def pseudo(self, depth: int) -> None:
        self.i += 1
        if self.peek() == ":":
            self.i += 1
        name = self.ident("a pseudo-class name after ':'").lower()
        if self.peek() != "(":
            return
        self.i += 1
        if name in _SELECTOR_ARGS:
            self.selector_list(")", depth + 1, relative=name == "has")
            self.i += 1
            return
        self.balanced_until(")")

    def balanced_until(self, end: str) -> None:
        start, stack = self.i, [end]
        pairs = {"(": ")", "[": "]"}
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in {"'", '"'}:
                self.string()
                continue
            if c == "\\":
                self.i += 2
                continue
            if c in pairs:
                stack.append(pairs[c])
            elif c in ")]":
                if c != stack.pop():
                    raise self.fail(f"mismatched {c!r}")
                if not stack:
                    if not self.s[start : self.i].strip():
                        raise self.fail("empty '()'")
                    self.i += 1
                    return
            self.i += 1
        raise self.fail("unclosed '('")


def css_selector_problem(selector: str) -> str | None:
    """Why ``selector`` is not a valid CSS selector (list), or None when it is."""
    if not selector.strip():
        return "it is empty"
    parser = _Parser(selector)
    try:
        parser.selector_list("", 0)
    except _Invalid as exc:
        return str(exc)
    except IndexError:
        return "it ends too early"
    return None
