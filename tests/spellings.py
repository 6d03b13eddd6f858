"""How a user calls each rule of the table: a Python operator, else its :mod:`dualgrad.dmath`
mirror.

The tests that walk the table reach every rule through :func:`public`, so a new row needs no
entry here unless it is an operator; a row with neither fails naming the mirror it lacks.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest

from dualgrad import dmath

OPERATORS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": abs,
    "mod": operator.mod,
    "floordiv": operator.floordiv,
}
"""The rules spelled as Python's operators (and abs): no dmath mirror of their own."""

DMATH_NAMES = {"min": "minimum", "max": "maximum"}
"""Rules whose mirror is named otherwise (beside the builtins min and max)."""


def public(name: str) -> Callable[..., Any]:
    """Rule `name` as a user calls it, taking the rule's arguments in the rule's order."""
    if name in OPERATORS:
        return OPERATORS[name]
    if name == "polygamma":  # scipy's order, polygamma(n, x); the rule's is (x, n)
        return lambda x, n: dmath.polygamma(n, x)
    mirror = getattr(dmath, DMATH_NAMES.get(name, name), None)
    if mirror is None:
        pytest.fail(
            f"rule {name!r} of the table has no mirror in dualgrad.dmath: add "
            f'`{name} = _mirror("{name}", "<docstring>")` (one argument) or a function calling '
            f"apply_binary (two) to dualgrad/dmath.py, and {name!r} to its __all__"
        )
    return mirror
