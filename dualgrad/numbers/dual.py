"""Dual numbers: a value and its tangent (derivative), carried through every operation.

>>> from dualgrad import Dual
>>> x = Dual(3.0, 1.0)          # seed: dx/dx = 1
>>> y = x * x + 2 * x
>>> y.value, y.tangent
(15.0, 8.0)

Every operator and method is built from the rule table in :mod:`dualgrad.rules.table`. The tangent
may be a float or a numpy vector of k tangents (chunk mode): every rule is linear in it.

Tags keep nested derivatives apart (perturbation confusion): when two Duals with different tags
meet, the one with the larger (newer) tag is the outer number and treats the other as a
constant, whose own value and tangent then ride inside its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dualgrad.numbers import dual_ops
from dualgrad.numbers.base import PLAIN, Number, is_other_number, is_real, vector
from dualgrad.numbers.building import TableOperations

__all__ = ["Dual", "binary_op", "build_binary", "build_unary", "unary_op"]

_new = object.__new__


def _is_vector(x: Any) -> bool:
    """A numpy float vector or a :class:`~dualgrad.vector.sparse.Sparse` one (checked by duck type
    so numpy stays optional)."""
    if getattr(type(x), "_dualgrad_tangent", False):
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and getattr(x, "ndim", None) == 1 and dtype.kind in "fiu"


class Dual(Number, primal="value", carries="tangent"):
    """A number ``value + tangent·ε`` with ε² = 0: the tangent is the derivative it carries.

    Arithmetic with int, float and Dual on either side, comparisons on the value, and
    micrograd-style methods (``x.exp()``, ``x.log()``, ``x.relu()``, ``x.tanh()`` ...).

    >>> Dual(2.0, 1.0) ** 3
    Dual(8.0, 12.0)
    """

    __slots__ = ("tag", "tangent", "value")

    value: Any
    tangent: Any
    tag: int

    def __init__(self, value: Any, tangent: Any = 0.0, tag: int = 0) -> None:
        # Validation lives only here: operations build their results without coming back.
        if type(value) is not Dual and not is_other_number(value) and not is_real(value):
            raise TypeError(f"Dual value must be a real number or a Dual, got {value!r}")
        if not (
            type(tangent) in PLAIN
            or type(tangent) is Dual
            or is_other_number(tangent)
            or is_real(tangent)
            or _is_vector(tangent)
        ):
            raise TypeError(
                f"Dual tangent must be a real number, a 1-D numpy vector or a Dual, got {tangent!r}"
            )
        if type(tag) is not int or tag < 0:
            raise TypeError(f"Dual tag must be a non-negative int, got {tag!r}")
        self.value = value
        self.tangent = tangent
        self.tag = tag

    __hash__ = None  # type: ignore[assignment]  # == compares values only; see __eq__

    def __eq__(self, other: object) -> bool:
        """Values only, like ``<`` (as in JAX and PyTorch forward AD): ``x == 0`` branches
        behave as on floats. Tangents are not compared; Duals are therefore unhashable."""
        return self.value == (other.value if type(other) is Dual else other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    # -- Value-style compatibility ----------------------------------------------------------------
    @property
    def data(self) -> Any:
        """The value, under micrograd's/microgpt's name so Value-style code runs unchanged."""
        return self.value

    def __repr__(self) -> str:
        tag = f", tag={self.tag}" if self.tag else ""
        return f"Dual({self.value!r}, {self.tangent!r}{tag})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Dual, (self.value, self.tangent, self.tag))

    @staticmethod
    def from_parts(value: Any, tangent: Any, tag: int) -> Dual:
        """The fast constructor: a Dual of parts known to be right (an operation's result, a
        seed), made without the checks of ``Dual(...)``, which are for users' input.

        >>> Dual.from_parts(2.0, 1.0, 3)
        Dual(2.0, 1.0, tag=3)
        """
        out = _new(Dual)
        out.value = value
        out.tangent = tangent
        out.tag = tag
        return out

    # How a Dual applies the table's bilinear rule (rules.BILINEAR): with vector tangents, in
    # bulk (one matrix product, in the vector layer); otherwise None, and the mul and add rules
    # do it term by term. dmath.sumprod and dmath.matvec find these on the type of their operands.
    @staticmethod
    def _sumprod(p: Sequence[Any], q: Sequence[Any]) -> Dual | None:
        if any(map(_chunked, p)) or any(map(_chunked, q)):
            out: Dual | None = vector().sumprod(p, q)
            return out
        return None

    @staticmethod
    def _matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any] | None:
        # (a relu's inactive units carry a plain 0: look past them for a vector tangent; and
        # plain inputs meet seeded weights when this chunk seeds no earlier parameter)
        if any(map(_chunked, x)) or (len(w[0]) and _chunked(w[0][0])):
            out: list[Any] | None = vector().matvec(w, x)
            if out is not None:
                return out
        if Dual in set(map(type, x)):  # one-tangent passes: a few Duals among floats
            out = vector().few_duals_matvec(w, x)
            return out
        return None


def _chunked(v: Any) -> bool:
    """A Dual with a vector tangent."""
    return type(v) is Dual and type(v.tangent) not in PLAIN


# Every rule becomes an operator or a method (x.exp(), x.relu(), x.atan2(y) ...).
OPERATIONS = TableOperations(Dual, dual_ops)
build_unary = OPERATIONS.build_unary
"""Dual's operation for a one-argument rule (a row of the table, or a user's primitive)."""
build_binary = OPERATIONS.build_binary
"""Dual's (operation, reflected operation) for a two-argument rule."""
binary_op = OPERATIONS.binary_op
"""The Dual implementation (op, reflected op) of a two-argument rule: ``binary_op("mul")``."""
unary_op = OPERATIONS.unary_op
"""The Dual implementation of a one-argument rule: ``unary_op("exp")``."""
