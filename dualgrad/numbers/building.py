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
from types import ModuleType
from typing import Any

from dualgrad.rules import Rule, install

__all__ = ["Built", "TableOperations", "check_spelled", "named"]


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


class TableOperations:
    """A number type's operations, built from the table by its builders module (``unary(cls,
    rule)``, ``binary(cls, rule, generic=...)``) and installed on the class as operators and
    methods named as ``rules.SPELLING`` says: the list of what the type supports is the table.
    """

    def __init__(self, cls: type, builders: ModuleType) -> None:
        self.cls, self.builders = cls, builders
        self.ops, self.rops = install(cls, self.build_unary, self.build_binary)

    def build_unary(self, rule: Rule) -> Callable[..., Any]:
        """The operation for a one-argument rule (a row of the table, or a user's primitive)."""
        built: Callable[..., Any] = self.builders.unary(self.cls, rule)
        return built

    def build_binary(
        self, rule: Rule, *, generic: bool = False
    ) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """(operation, reflected operation) for a two-argument rule; ``generic=True`` skips the
        labelled fast paths (the tests compare them with it)."""
        built: tuple[Callable[..., Any], Callable[..., Any]]
        built = self.builders.binary(self.cls, rule, generic=generic)
        return built

    def binary_op(self, name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """The implementation (op, reflected op) of the two-argument rule `name`."""
        return self.ops[name], self.rops[name]

    def unary_op(self, name: str) -> Callable[..., Any]:
        """The implementation of the one-argument rule `name`."""
        return self.ops[name]
