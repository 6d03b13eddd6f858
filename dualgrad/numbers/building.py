"""What the builders of every number type's arithmetic share (:mod:`dualgrad.numbers.dual_ops`,
:mod:`dualgrad.reverse.value_ops`): the operation pair being built, its name, and the check that
a fast path's operator is the rule's own.

>>> from dualgrad.rules import RULES
>>> built = Built()
>>> built.op = named(lambda x, y: x + y, "add")
>>> built.op.__name__, check_spelled(RULES["add"], RULES["add"].f)
('add', None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualgrad.rules import Rule

__all__ = ["Built", "check_spelled", "named"]


class Built:
    """The operation and reflected operation a builder made, for the fallbacks that call back
    into them (a nested number inside a math function, another tag, another real type)."""

    __slots__ = ("op", "rop")

    op: Callable[..., Any]
    rop: Callable[..., Any]


def named(op: Callable[..., Any], name: str, doc: str | None = None) -> Callable[..., Any]:
    """`op`, named `name` (and documented by `doc`) as a method of the number type."""
    op.__name__ = op.__qualname__ = name
    if doc is not None:
        op.__doc__ = doc
    return op


def check_spelled(rule: Rule, operation: Callable[[Any, Any], Any]) -> None:
    """The fast paths of add, sub and mul use the operator itself; make sure the table's value
    function is that operator (the partials' form says it must be)."""
    if rule.f is not operation:
        raise NotImplementedError(f"rule {rule.name!r}: partials {rule.partials} need {operation}")
