"""What every number type of dualgrad shares off the hot path.

:class:`~dualgrad.Dual` (forward mode) and :class:`~dualgrad.reverse.Value` (reverse mode) get
their arithmetic from the rule table, by factories specialised for speed. Everything else they
have in common lives here once: the guards that refuse to drop a derivative silently,
comparisons on the number inside, ``log`` with a base, the error messages, unwrapping, and the
declarations of the rule methods for type checkers.

>>> from dualgrad import Dual
>>> primal(Dual(Dual(2.0, 1.0), 1.0))   # the plain number inside nested Duals
2.0
>>> Dual(1.0) < 2
True
"""

from __future__ import annotations

import math
import numbers
import operator
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "OBJECT_LOOP_HINT",
    "PLAIN",
    "Number",
    "bad_operand",
    "describe",
    "domain_error",
    "explain_object_loop",
    "is_array",
    "is_other_number",
    "is_real",
    "plain_operand",
    "primal",
    "vector",
]


def vector() -> ModuleType:
    """:mod:`dualgrad.vector`, imported on first use.

    The core runs on plain Python; only a pass whose tangents are vectors needs numpy and the
    vector layer, and the core reaches that layer through this door alone, so ``import dualgrad``
    loads neither.

    >>> vector().__name__
    'dualgrad.vector'
    """
    import dualgrad.vector

    return dualgrad.vector


COMPARISONS: tuple[tuple[Callable[[Any, Any], bool], str], ...] = (
    (operator.lt, "__lt__"),
    (operator.le, "__le__"),
    (operator.gt, "__gt__"),
    (operator.ge, "__ge__"),
)
"""The ordering comparisons every number type defines on its number (== is its own choice)."""


def describe(x: Any) -> str:
    """repr(x), shortened to 80 characters for error messages."""
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


PLAIN: tuple[type, type] = (float, int)
"""The exact types of Python's plain real numbers, which the fast paths of every number type
test for with ``type(x) in PLAIN`` (bools, numpy scalars and Fractions take the slow paths;
:func:`is_real` also takes them)."""


def is_real(x: Any) -> bool:
    """A real number of Python's or numpy's (float, int, np.float64, Fraction ...): not a
    bool, complex, str or None, and none of dualgrad's number types.

    >>> is_real(2), is_real(0.5), is_real(True), is_real(1j)
    (True, True, False, False)
    """
    if type(x) is float or type(x) is int:
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def is_array(x: Any) -> bool:
    """A numpy ndarray (checked without importing numpy: an array means numpy is loaded)."""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.ndarray)


def is_other_number(x: Any) -> bool:
    """A number of ours that is neither a Dual nor a Value (a Taylor number): it marks its type
    ``_dualgrad_number = True`` and combines with Duals by their tags."""
    return getattr(type(x), "_dualgrad_number", False) is True


def plain_operand(cls: type, name: str, other: Any) -> Any:
    """`other` as the plain number a `cls` number's operation `name` computes with: floats and
    ints as they are, any other real number (numpy scalars, Fractions, bools: ``True + x`` is
    ``1.0 + x``, as ``True + 1.0`` is) as a float; anything else a TypeError naming it.

    The one operand check of every number type's arithmetic (its slow path: the fast paths
    take floats and ints before it).

    >>> from dualgrad import Dual
    >>> from fractions import Fraction
    >>> plain_operand(Dual, "add", Fraction(1, 2)), plain_operand(Dual, "add", True)
    (0.5, 1.0)
    >>> plain_operand(Dual, "add", "1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: unsupported operand for add: Dual and '1' (type str); ...
    """
    if type(other) in PLAIN:
        return other
    if isinstance(other, numbers.Real):  # bools too
        return float(other)
    raise bad_operand(cls, name, other)


def primal(x: Any) -> Any:
    """The plain number inside `x`: x itself for a float or int, else the value of the value
    ... of a Dual or a Value (any :class:`Number`); other objects are returned as they are."""
    while isinstance(x, Number):
        x = getattr(x, x._primal_name)
    return x


def domain_error(exc: Exception, name: str, *args: Any) -> Exception:
    """`exc`'s type with a message naming the operation and its arguments, as in
    ``ValueError: math domain error in log(-1.0)``."""
    shown = ", ".join(describe(a) for a in args)
    return type(exc)(f"{exc} in {name}({shown})")


_OBJECT_LOOP = "loop of ufunc does not support argument"
OBJECT_LOOP_HINT = (
    "dualgrad: an array built by hand (np.array([x[0], 1.0]) ...) that mixes plain floats "
    "with dualgrad numbers is a plain object array, whose ufuncs call a method (v.exp()) on "
    "every entry, and a float has none. Apply dualgrad.dmath to the entries instead "
    "([dmath.exp(v) for v in entries]), or, with array parameters, build the array from "
    "their own (slices, np.concatenate, arithmetic), whose ufuncs keep the derivative."
)


def explain_object_loop(exc: BaseException | None) -> None:
    """Add :data:`OBJECT_LOOP_HINT` to numpy's own TypeError for a ufunc on a hand-built
    object array mixing floats and numbers (once; on Python 3.10 to its message)."""
    if not isinstance(exc, TypeError) or _OBJECT_LOOP not in str(exc):
        return
    if OBJECT_LOOP_HINT in str(exc) or OBJECT_LOOP_HINT in getattr(exc, "__notes__", ()):
        return
    if sys.version_info >= (3, 11):
        exc.add_note(OBJECT_LOOP_HINT)
    else:  # pragma: no cover - 3.10 has no notes
        exc.args = (f"{exc.args[0]}. {OBJECT_LOOP_HINT}", *exc.args[1:]) if exc.args else exc.args


def bad_operand(cls: type, op: str, other: Any) -> TypeError:
    """The TypeError for an operand that is not a number."""
    name = cls.__name__
    return TypeError(
        f"unsupported operand for {op}: {name} and {describe(other)} (type "
        f"{type(other).__name__}); a {name} combines with int, float and {name}"
    )


class Number:
    """The shared base of the number types. A subclass names the attribute holding its number
    (``class Dual(Number, primal="value", carries="tangent")``); comparisons are then built
    for it, reading that attribute directly (they sit in the inner loops of branching code)."""

    __slots__ = ()

    _carries: ClassVar[str]
    _primal_name: ClassVar[str]

    def __init_subclass__(cls, *, primal: str, carries: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        get = operator.attrgetter(primal)
        cls._carries = carries
        cls._primal_name = primal

        def compare(test: Callable[[Any, Any], bool], name: str) -> Callable[[Any, Any], bool]:
            def method(self: Any, other: Any) -> bool:
                return test(get(self), get(other) if type(other) is cls else other)

            method.__name__ = method.__qualname__ = name
            method.__doc__ = f"Compare the {primal}s only, so branches behave as on floats."
            return method

        for test, name in COMPARISONS:
            setattr(cls, name, compare(test, name))

    # -- never lose a derivative silently ---------------------------------------------------------
    def _drops(self, what: str) -> TypeError:
        letter = type(self).__name__[0].lower()
        return TypeError(
            f"{what} would drop the {self._carries} of {describe(self)} (this also happens "
            f"when a math.* function is given a {type(self).__name__}). Use "
            f"`{letter}.{self._primal_name}` to take the number on purpose, or the "
            "dualgrad.dmath mirror, e.g. dualgrad.dmath.exp instead of math.exp, which keeps "
            "the derivative. Storing it into a float array (w = np.zeros(n); w[i] = ...) does "
            "this too: make the array like the parameters, np.zeros_like(x), or with "
            "dtype=object."
        )

    def __float__(self) -> float:
        raise self._drops(f"float({type(self).__name__})")

    def __int__(self) -> int:
        raise self._drops(f"int({type(self).__name__})")

    def __complex__(self) -> complex:
        raise self._drops(f"complex({type(self).__name__})")

    def __round__(self, ndigits: int | None = None) -> Any:
        raise self._drops(f"round({type(self).__name__})")

    def __index__(self) -> int:
        raise self._drops(f"using a {type(self).__name__} as an index")

    def __bool__(self) -> bool:
        return bool(getattr(self, self._primal_name))

    # -- a real number's complex parts (numpy and scipy call them on real numbers) --------------
    @property
    def real(self) -> Self:
        """The number itself, derivative and all (as ``float.real``)."""
        return self

    @property
    def imag(self) -> float:
        """0.0: a real number has no imaginary part (and no derivative in it)."""
        return 0.0

    def conjugate(self) -> Self:
        """The number itself (as ``float.conjugate()``)."""
        return self

    def __format__(self, spec: str) -> str:
        """``f"{x:.3f}"`` formats the number inside (as a float would); ``f"{x}"`` is repr.

        >>> from dualgrad import Dual
        >>> f"{Dual(2.0, 1.0):.3f} {Dual(2.0, 1.0)}"
        '2.000 Dual(2.0, 1.0)'
        """
        return format(primal(self), spec) if spec else repr(self)

    def as_integer_ratio(self) -> tuple[int, int]:
        """Refused, like float(): :mod:`statistics` (mean, median ...) would compute with the
        exact ratio of the number and drop the derivative."""
        raise TypeError(
            f"{describe(self)} has no exact ratio: statistics.mean and friends would drop the "
            f"{self._carries}. Use sum(xs) / len(xs) (which keeps it) or take the "
            f".{self._primal_name} of each on purpose."
        )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy's ufuncs by the rule table: ``np.exp(x)``, ``ndarray * x``, ``np.arcsin`` on
        arrays mixing floats and numbers (see :mod:`dualgrad.vector.arrays`)."""
        return vector().array_ufunc(ufunc, method, inputs, kwargs)

    def log(self, base: Any = None) -> Self:
        """Natural logarithm, or ``log(x)/log(base)`` like :func:`math.log`."""
        out = self._log()
        if base is None:
            return out
        try:
            log_base = base._log() if isinstance(base, Number) else math.log(base)
        except ValueError as exc:
            raise domain_error(exc, "log", base) from None
        if log_base == 0:  # as math.log(x, 1)
            raise domain_error(ZeroDivisionError("float division by zero"), "log", self, base)
        return out / log_base

    # The rule table's operations, attached to each subclass by rules.install (one per rule;
    # the names follow rules.SPELLING). Declared here for type checkers.
    if TYPE_CHECKING:

        def _log(self) -> Self: ...

        def __lt__(self, other: Any) -> bool: ...
        def __le__(self, other: Any) -> bool: ...
        def __gt__(self, other: Any) -> bool: ...
        def __ge__(self, other: Any) -> bool: ...
        def __add__(self, other: Any) -> Self: ...
        def __radd__(self, other: Any) -> Self: ...
        def __sub__(self, other: Any) -> Self: ...
        def __rsub__(self, other: Any) -> Self: ...
        def __mul__(self, other: Any) -> Self: ...
        def __rmul__(self, other: Any) -> Self: ...
        def __truediv__(self, other: Any) -> Self: ...
        def __rtruediv__(self, other: Any) -> Self: ...
        def __pow__(self, other: Any) -> Self: ...
        def __rpow__(self, other: Any) -> Self: ...
        def __neg__(self) -> Self: ...
        def __pos__(self) -> Self: ...
        def __abs__(self) -> Self: ...
        def __floor__(self) -> Self: ...
        def __ceil__(self) -> Self: ...
        def __trunc__(self) -> Self: ...
        def __mod__(self, other: Any) -> Self: ...
        def __rmod__(self, other: Any) -> Self: ...
        def __floordiv__(self, other: Any) -> Self: ...
        def __rfloordiv__(self, other: Any) -> Self: ...
        def __divmod__(self, other: Any) -> tuple[Self, Self]: ...
        def __rdivmod__(self, other: Any) -> tuple[Self, Self]: ...
        def exp(self) -> Self: ...
        def expm1(self) -> Self: ...
        def exp2(self) -> Self: ...
        def log2(self) -> Self: ...
        def log10(self) -> Self: ...
        def log1p(self) -> Self: ...
        def sqrt(self) -> Self: ...
        def cbrt(self) -> Self: ...
        def sin(self) -> Self: ...
        def cos(self) -> Self: ...
        def tan(self) -> Self: ...
        def asin(self) -> Self: ...
        def acos(self) -> Self: ...
        def atan(self) -> Self: ...
        def sinh(self) -> Self: ...
        def cosh(self) -> Self: ...
        def tanh(self) -> Self: ...
        def asinh(self) -> Self: ...
        def acosh(self) -> Self: ...
        def atanh(self) -> Self: ...
        def erf(self) -> Self: ...
        def erfc(self) -> Self: ...
        def relu(self) -> Self: ...
        def sigmoid(self) -> Self: ...
        def softplus(self) -> Self: ...
        def gamma(self) -> Self: ...
        def lgamma(self) -> Self: ...
        def digamma(self) -> Self: ...
        def radians(self) -> Self: ...
        def degrees(self) -> Self: ...
        def polygamma(self, n: int) -> Self: ...
        def ldexp(self, i: int) -> Self: ...
        def copysign(self, other: Any) -> Self: ...
        def fmod(self, other: Any) -> Self: ...
        def remainder(self, other: Any) -> Self: ...
        def atan2(self, other: Any) -> Self: ...
        def hypot(self, other: Any) -> Self: ...
        def minimum(self, other: Any) -> Self: ...
        def maximum(self, other: Any) -> Self: ...
