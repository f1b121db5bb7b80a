"""The answer to a math problem the page shows: an arithmetic expression ("7 + 3 * 2 =") or a linear
equation in one unknown ("0 + x = 8"). Parsed with ``ast`` (numbers and + - * / only), never ``eval``'d."""

from __future__ import annotations

import ast
import re
from fractions import Fraction

__all__ = ["solve"]

_OPS = {"\u00d7": "*", "\u00f7": "/", "\u2212": "-", "\u2013": "-"}  # times, divide, minus sign, en dash
_TIMES_X = re.compile(r"(\d)\s*[xX]\s*(?=\d)")
_COEFFICIENT = re.compile(r"(\d)(?=[a-z])", re.I)
_PROBLEM = re.compile(r"^[\d\s.+\-*/\u00d7\u00f7\u2212\u2013()=a-z?]+$", re.I)


def _value(node: ast.AST, unknown: Fraction | None) -> Fraction:
    if isinstance(node, ast.Expression):
        return _value(node.body, unknown)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return Fraction(str(node.value))
    if isinstance(node, ast.Name):
        if unknown is None:
            raise ValueError("an unknown where none is allowed")
        return unknown
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _value(node.operand, unknown)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        a, b = _value(node.left, unknown), _value(node.right, unknown)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ValueError("division by zero")
        return a / b
    raise ValueError("not arithmetic")


def _text(n: Fraction) -> str:
    if n.denominator == 1:
        return str(n.numerator)
    return f"{float(n):.10g}"


def solve(problem: str) -> str | None:
    """The answer to ``problem`` as the page would write it, or None when it is not a problem we can read."""
    text = problem.strip()
    if not text or len(text) > 120 or not _PROBLEM.match(text) or not re.search(r"\d", text):
        return None
    for k, v in _OPS.items():
        text = text.replace(k, v)
    text = _TIMES_X.sub(r"\1 * ", text)  # "7 x 6": a times sign written as a letter between two numbers
    text = _COEFFICIENT.sub(r"\1 * ", text)  # "3x = 12": a coefficient
    if not re.search(r"\d\s*[-+*/]\s*[\d(a-z]|[a-z)]\s*[-+*/]\s*\d|=", text, re.I):
        return None  # a lone number ("0", "15 / 15sec" has letters) is no problem to solve
    unknowns = set(re.findall(r"[a-z]", text, re.I))
    if len(unknowns) > 1:
        return None
    var = unknowns.pop() if unknowns else None
    sides = [s.strip() for s in text.replace("?", "").split("=")]
    try:
        if var is None:  # "7 + 3 * 2 =": the left side's value
            exprs = [s for s in sides if s]
            if len(exprs) != 1:
                return None
            return _text(_value(ast.parse(exprs[0], mode="eval"), None))
        if len(sides) != 2 or not all(sides):
            return None
        left = ast.parse(sides[0].replace(var, "(X)"), mode="eval")
        right = ast.parse(sides[1].replace(var, "(X)"), mode="eval")

        def f(x: Fraction) -> Fraction:
            return _value(left, x) - _value(right, x)

        f0, f1 = f(Fraction(0)), f(Fraction(1))
        if f1 == f0 or f(Fraction(2)) - f1 != f1 - f0:  # no unknown left, or not linear
            return None
        return _text(-f0 / (f1 - f0))
    except (ValueError, SyntaxError, ZeroDivisionError, RecursionError):
        return None
