"""Your own primitives: a function of n numbers and its partials, as a row of the rule table.

``primitive(f, *partials)`` makes a :class:`~dualgrad.rules.Rule` of `f` and drives every
number type from it exactly as the table's own rows are: a Dual (one tangent or a vector of
them), a reverse-mode Value, a Taylor number, a sparsity tracer. Each partial is written as
the table writes them, ``d(*args, out)``: the arguments and the already computed output.

>>> import math
>>> from dualgrad import derivative, primitive
>>> sinc = primitive(
...     lambda x: math.sin(x) / x,
...     lambda x, out: (math.cos(x) - out) / x,
...     name="sinc",
... )
>>> sinc(2.0) == math.sin(2.0) / 2.0
True
>>> round(derivative(sinc, 2.0), 12)
-0.43539777498

Partials written with operators and :mod:`dualgrad.dmath` (or other primitives) are
themselves differentiable, so hessians and Taylor mode work to any order. A partial that
converts its arguments to float (``math.cos`` above) gives first derivatives only; asking
for more raises a TypeError that says so, never a wrong number.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable
from typing import Any, ClassVar

from dualgrad.custom import nary as _nary
from dualgrad.numbers.base import PLAIN, Number, describe, is_array
from dualgrad.numbers.dual import Dual
from dualgrad.rules import RULES, Rule
from dualgrad.taylormode.lazy import Series
from dualgrad.taylormode.series import Taylor

__all__ = ["Primitive", "primitive"]

_Build = Callable[[Rule], Any]


def _factories(kind: str) -> tuple[_Build, _Build]:
    """The (unary, binary) factories with which number type `kind` builds the table's rules."""
    if kind == "dual":
        from dualgrad.numbers import dual as m

        return m.build_unary, m.build_binary
    if kind == "taylor":
        from dualgrad.taylormode import series as s

        return s._unary, s._binary
    if kind == "series":
        from dualgrad.taylormode import rulenodes as r

        return r._unary, r._binary
    if kind == "dualarray":  # numpy code: the partials on whole arrays where they take them
        from dualgrad.vector.dualarray import methods

        return methods.rule_unary, methods.rule_binary
    if kind == "value":
        from dualgrad.reverse import value as v

        return v.build_unary, v.build_binary
    from dualgrad.sparsity import tracer as t

    return (t._unary, t._binary) if kind == "tracer" else (t._hunary, t._hbinary)


def _kind(x: Any) -> str | None:
    """Which number type `x` is ("dual", "taylor", ...), None for a plain real number."""
    t = type(x)
    if t is float or t is int:
        return None
    if t is Dual:
        return "dual"
    if t is Taylor:
        return "taylor"
    if isinstance(x, Series):
        return "series"
    if getattr(t, "_dual_array", False):
        return "dualarray"
    name = t.__name__
    if name == "Value" and t.__module__ == "dualgrad.reverse.value":
        return "value"
    if t.__module__ == "dualgrad.sparsity.tracer" and name in ("Tracer", "HessianTracer"):
        return "tracer" if name == "Tracer" else "hessian_tracer"
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, Number)):
        return None
    return "?"


_PRIORITY = {
    "series": 3,
    "dual": 2,
    "taylor": 2,
    "dualarray": 2,
    "value": 1,
    "tracer": 1,
    "hessian_tracer": 1,
}
"""Which argument decides: lazy series exist only inside the newest Taylor pass; between Duals
and Taylor numbers the newest tag is the outer number (as in their own operations)."""


def _taken_names() -> set[str]:
    """Names a primitive's rule must not take: the table's rules and every attribute of the
    number types (a number type finds some operations by the rule's name)."""
    taken = set(RULES)
    for cls in (Dual, Taylor, Series):
        taken.update(dir(cls))
    return taken


class Primitive:
    """A function of n numbers with its own partials: a user's row of the rule table.

    Call it like `f`. Plain numbers go to `f` itself; arguments that
    carry derivatives go to the number type's operation built from :attr:`rule`, the very
    factory that builds the table's rules (one and two arguments) or the n-argument chain rule
    of :mod:`dualgrad.custom.nary`. numpy arrays are mapped entry by entry, as dmath maps them.
    """

    _used: ClassVar[set[str]] = (
        set()
    )  # rule names taken by earlier primitives (a number type's caches
    # and lookups go by name, so two rows must never share one)
    _counter = itertools.count(2)

    def __init__(self, f: Callable[..., Any], partials: tuple[Any, ...], name: str) -> None:
        if not callable(f):
            raise TypeError(f"primitive: f must be callable, got {describe(f)}")
        self.f = f
        self.__name__ = self.__qualname__ = name
        self.__doc__ = getattr(f, "__doc__", None)
        self.__wrapped__ = f
        self.arity = 0
        self.rule: Rule | None = None
        self._ops: dict[str, Any] = {}
        if partials:
            self.defpartials(*partials)

    def defpartials(self, *partials: Any) -> Any:
        """Give the primitive its partials, one per argument of f (as :func:`primitive`
        takes them); returns the first, so a one-argument primitive can take its partial
        as a decorator (``@f.defpartials``)."""
        if not partials:
            raise TypeError(
                f"{self.__name__}: give one partial per argument of f, d(*args, out), e.g. "
                "lambda x, out: ... for a function of one number"
            )
        if self.rule is not None:
            raise TypeError(f"{self.__name__} has its partials already")
        self.arity = len(partials)
        forms = tuple(self._form(p, i) for i, p in enumerate(partials))
        if self.arity == 2 and not any(map(callable, forms)):  # a linear function: the
            # factories' add/sub special cases need the operators themselves, so as functions
            forms = tuple(_constant(p) for p in forms)
        # singular=True: a user's partial may be infinite or nan somewhere, and a zero tangent
        # must then contribute exactly 0 (the table's policy for such rows)
        self.rule = Rule(self._free(self.__name__), self, forms, (), singular=True)
        return partials[0]

    def _form(self, p: Any, i: int) -> Any:
        """Partial i as the rule holds it: a guarded function, a constant, or a refusal."""
        if p is None:  # an argument that takes plain numbers only (an integer order ...)
            return _refuse(self.__name__, i)
        if callable(p):
            return _guard(p, self.__name__, i)
        if isinstance(p, numbers.Real) and not isinstance(p, bool):
            return float(p)
        raise TypeError(
            f"primitive {self.__name__!r}: partial {i} must be a function d(*args, out), a "
            f"constant number or None (no derivative), got {describe(p)}"
        )

    @classmethod
    def _free(cls, name: str) -> str:
        taken = cls._used | _taken_names()
        free = name
        while free in taken:
            free = f"{name}#{next(cls._counter)}"
        cls._used.add(free)
        return free

    def __repr__(self) -> str:
        return f"primitive({self.__name__}, {self.arity} argument{'s' * (self.arity > 1)})"

    def __call__(self, *args: Any) -> Any:
        if self.rule is None:  # no partials yet: plain numbers only
            if all(_kind(a) is None for a in args):
                return self.f(*args)
            if any(map(is_array, args)):
                return self._arrays(args)
            raise TypeError(
                f"{self.__name__} has no partials yet, so it cannot take {describe(args)}: "
                f"give them with {self.__name__}.defpartials(...)"
            )
        if len(args) != self.arity:
            raise TypeError(
                f"{self.__name__}() takes {self.arity} argument"
                f"{'s' * (self.arity > 1)} ({len(args)} given)"
            )
        kind, outer = None, -1
        for i, a in enumerate(args):
            k = _kind(a)
            if k is None:
                continue
            if k == "?":
                if is_array(a):
                    return self._arrays(args)
                raise TypeError(
                    f"{self.__name__}: argument {i} is {describe(a)} (type "
                    f"{type(a).__name__}), not a number"
                )
            if kind is None or self._newer(k, a, kind, args[outer]):
                kind, outer = k, i
        if kind is None:
            return self.f(*args)
        return self._apply(kind, args, outer)

    @staticmethod
    def _newer(k: str, a: Any, kind: str, b: Any) -> bool:
        """Whether `a` (of kind k) decides over `b`, the deciding argument so far."""
        pa, pb = _PRIORITY[k], _PRIORITY[kind]
        if pa != pb:
            return pa > pb
        if pa == 2:
            return bool(a.tag > b.tag)
        if k != kind:
            raise TypeError(f"cannot mix a {kind} and a {k} in one call")
        return False

    def _apply(self, kind: str, args: tuple[Any, ...], outer: int) -> Any:
        rule = self.rule
        assert rule is not None
        if self.arity > 2:
            if kind == "dualarray":  # entry by entry, as Duals (their object arrays)
                return self._arrays(tuple(a.__array__() if _kind(a) == kind else a for a in args))
            return _nary.NARY[kind](rule, args, outer)
        ops = self._ops.get(kind)
        if ops is None:  # the factory that builds the table's rules for this number type
            unary, binary = _factories(kind)
            ops = self._ops[kind] = unary(rule) if self.arity == 1 else binary(rule)
        if self.arity == 1:
            return ops(args[0])
        op, rop = ops
        return op(args[0], args[1]) if outer == 0 else rop(args[1], args[0])

    def _arrays(self, args: tuple[Any, ...]) -> Any:
        """numpy arrays entry by entry, as :mod:`dualgrad.dmath` takes them."""
        from dualgrad.numbers.base import vector

        return vector().elementwise(self, *args)


def _constant(c: float) -> Callable[..., float]:
    return lambda *args: c


def _refuse(name: str, i: int) -> Callable[..., Any]:
    def refuse(*args: Any) -> Any:
        raise TypeError(
            f"{name}: argument {i} has no derivative (its partial is None), so it takes "
            f"plain numbers only, got {describe(args[i])}"
        )

    return refuse


def _carries_nothing(x: Any) -> bool:
    return type(x) in PLAIN or _kind(x) is None


def _guard(d: Callable[..., Any], name: str, i: int) -> Callable[..., Any]:
    """Partial `d`, failing loudly where it is asked for a derivative it cannot give."""

    def partial(*args: Any) -> Any:
        try:
            return d(*args)
        except TypeError as exc:
            if all(map(_carries_nothing, args)) or all(map(_carries_nothing, args[:-1])):
                raise  # a plain call (or a cached value meeting numbers): d's own error
            if any(isinstance(a, Series) for a in args):
                return _FirstOrderOnly(d, args, name, i, exc)  # order 1 still works
            raise _not_differentiable(name, i, args, exc) from exc

    partial.__name__ = partial.__qualname__ = f"{name}_partial_{i}"
    return partial


def _not_differentiable(name: str, i: int, args: tuple[Any, ...], exc: Exception) -> TypeError:
    shown = next(describe(a) for a in args if not _carries_nothing(a))
    return TypeError(
        f"{name}: partial {i} cannot be differentiated: given {shown}, it raised a TypeError "
        "(it takes plain numbers only: math.*, float(), a compiled function ...), so a "
        f"higher-order derivative through {name} is not available. "
        "Write the partial with operators, dualgrad.dmath or other primitives to nest it "
        "(hessians, Taylor mode), or ask for first derivatives only."
    )


class _FirstOrderOnly(Series):
    """A partial that works on plain numbers only, as a series inside a Taylor pass: its value
    (coefficient 0) from the numbers of the series, which is all a first-order pass needs;
    asking for more is the clear error of a higher-order request."""

    __slots__ = ("args", "d", "exc", "i", "name")

    def __init__(self, d: Callable[..., Any], args: tuple[Any, ...], name: str, i: int, exc: Any):
        super().__init__()
        self.d, self.args, self.name, self.i, self.exc = d, args, name, i, exc

    def _next(self, n: int) -> Any:
        if n == 0:
            points = tuple(a.get(0) if isinstance(a, Series) else a for a in self.args)
            if all(map(_carries_nothing, points)):
                return self.d(*points)
        raise _not_differentiable(self.name, self.i, self.args, self.exc)


def primitive(f: Any = None, *partials: Any, name: str | None = None) -> Any:
    """`f`, a function of n plain numbers, made a primitive with the n given partials.

    Each partial is ``d(*args, out)`` (``out`` is f's value, reused where it helps), a
    constant, or None for an argument that takes plain numbers only (an integer order). The
    result works on floats (f itself) and in every mode: Duals, ``grad`` with any chunk,
    ``hessian`` and Taylor mode (to any order if the partials are written with dmath),
    reverse-mode Values, ``sparse_jacobian``. As a decorator, ``@primitive`` (or
    ``@primitive(name=...)``) makes the primitive and :meth:`Primitive.defpartials` gives
    its partials:

    >>> from dualgrad import dmath, hessian
    >>> @primitive
    ... def expxy(x, y):
    ...     return dmath.exp(x * y)
    >>> _ = expxy.defpartials(lambda x, y, out: y * out, lambda x, y, out: x * out)
    >>> hessian(lambda p: expxy(p[0], p[1]), [0.0, 0.0])
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if f is None:
        if partials:
            raise TypeError("primitive: the function comes first, then its partials")

        def decorate(g: Callable[..., Any]) -> Primitive:
            return Primitive(g, (), name or str(getattr(g, "__name__", "primitive")))

        return decorate
    return Primitive(f, partials, name or str(getattr(f, "__name__", "primitive")))
