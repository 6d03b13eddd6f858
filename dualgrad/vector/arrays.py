"""numpy arrays of dualgrad numbers: what a function receives for ndarray parameters, and
numpy's ufuncs applied by the rule table.

A driver given float ndarrays (``grad(f, np.array([...]))``) hands f a :class:`NumberArray`:
an object array of the same shape whose entries are the pass's numbers - a Dual where a
parameter is seeded, a plain float elsewhere (one-tangent mode seeds one entry per pass).
Indexing, slicing, ``@``, ``np.sum`` and broadcasting work as on any object array; what plain
object arrays lack is a derivative for ``np.exp``, ``np.sin`` ... (numpy calls a method named
after the ufunc on every entry, which a float has not). Here every ufunc of the table goes
through :mod:`dualgrad.dmath` entry by entry, so floats get math's value and Duals (or Values,
Taylor numbers) the rule; the same happens when a ufunc meets a Dual directly (``np.exp(x)``,
``ndarray * x``), through ``Number.__array_ufunc__``.

Values come from :mod:`math` entry by entry, as the same code on lists would compute them, so
a gradient over an ndarray equals the one over the same values as a list, bit for bit (and
may differ in the last place from numpy's own vectorised ``np.exp`` on a float array).

>>> import numpy as np
>>> from dualgrad import Dual
>>> x = rebuild([Dual(0.0, 1.0), 1.0], (2,))
>>> np.exp(x)
NumberArray([Dual(1.0, 1.0), 2.718281828459045], dtype=object)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["NumberArray", "array_ufunc", "elementwise", "rebuild"]

_PLAIN = {float, int}

# numpy ufunc name -> dmath function name (where they differ only in spelling, or numpy's
# object loop would call a method our numbers do not have); looked up lazily in dmath, so a
# rule added to the table and mirrored there is found here too.
_DMATH_NAMES = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arctan2": "atan2",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "deg2rad": "radians",
    "rad2deg": "degrees",
    "expit": "sigmoid",  # scipy.special.expit
}
# ufuncs computed by Python's operators on each entry (numpy's own object loops would do the
# same, except that they refuse to mix floats and numbers for some of them)
_OPERATORS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "divide": operator.truediv,
    "true_divide": operator.truediv,
    "floor_divide": operator.floordiv,
    "remainder": operator.mod,
    "power": operator.pow,
    "float_power": operator.pow,
    "negative": operator.neg,
    "positive": operator.pos,
    "absolute": abs,
    "square": lambda x: x * x,
    "reciprocal": lambda x: 1.0 / x,
    "exp2": lambda x: 2.0**x,
    "conjugate": lambda x: x,  # real numbers: themselves (np.var and np.std ask)
    "logaddexp": lambda a, b: _logaddexp(a, b),
}


def _logaddexp(a: Any, b: Any) -> Any:
    """log(e**a + e**b) from the table's rules, without overflow: max + log1p(e**-|a - b|)."""
    from dualgrad import dmath

    if a != a or b != b:  # nan in, nan out (the comparisons below would pick a side)
        return a + b
    big, small = (a, b) if a >= b else (b, a)
    if big == small and big - big != 0:  # both the same infinity: inf - inf would be nan
        return big
    # (a tie of finite values goes through the formula too: each side's slope is then 1/2)
    return big + dmath.log1p(dmath.exp(small - big))


_PREDICATES = {"isfinite", "isnan", "isinf"}


# numpy's floating-point flags are not ours to raise: the entries are computed by Python, which
# raises math's errors itself, and a nan an entry computes is a value (nan in, nan out)
def _quiet() -> Any:
    return np.errstate(all="ignore")


def _entrywise(ufunc: np.ufunc) -> Callable[..., Any] | None:
    """The per-entry function applying `ufunc` by the table, or None (numpy's own loop)."""
    name = ufunc.__name__
    fn = _OPERATORS.get(name)
    if fn is not None:
        return fn
    from dualgrad import dmath

    found = getattr(dmath, _DMATH_NAMES.get(name, name), None)
    return found if callable(found) else None


class NumberArray(np.ndarray):
    """An object ndarray of dualgrad numbers and floats whose ufuncs keep derivatives.

    >>> from dualgrad import Dual
    >>> x = rebuild([Dual(2.0, 1.0), 3.0], (2,))
    >>> float((x @ x).tangent), type(x[1:]).__name__
    (4.0, 'NumberArray')
    """

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        # np.concatenate, np.stack, np.where, np.dot ...: numpy's own, and what they build of
        # our entries stays a NumberArray, so np.exp of it still keeps the derivative
        return _wrap(super().__array_function__(func, types, args, kwargs))


def _plain_input(x: Any) -> Any:
    """An input as numpy's object loops should see it: arrays as plain object ndarrays (so no
    override runs again), numpy scalars as Python numbers (so ``float64 * Dual`` cannot come
    back here)."""
    if isinstance(x, np.ndarray):
        x = x.view(np.ndarray)
        return x if x.dtype == object else x.astype(object)
    if isinstance(x, np.generic):
        return x.item()
    if type(x) in _PLAIN:
        return x
    # one of our numbers: inside a 0-d object array, so numpy's loops take it as an entry
    # instead of asking its __array_ufunc__ again
    boxed = np.empty((), dtype=object)
    boxed[()] = x
    return boxed


def _wrap(result: Any) -> Any:
    if isinstance(result, (tuple, list)):
        return type(result)(_wrap(r) for r in result)
    if isinstance(result, np.ndarray) and result.dtype == object:
        if result.ndim == 0:
            return result[()]
        return result.view(NumberArray)
    return result


def array_ufunc(ufunc: np.ufunc, method: str, inputs: Sequence[Any], kwargs: dict) -> Any:
    """Apply `ufunc` to inputs among which are dualgrad numbers or :class:`NumberArray` s:
    the table's functions entry by entry through dmath, anything else by numpy's object
    loops (``np.less``, ``np.matmul``, reductions such as ``np.add.reduce`` ...)."""
    if any(getattr(type(x), "_dual_array", False) for x in inputs):
        return NotImplemented  # a dual array among them: its own __array_ufunc__ applies it
    out = kwargs.pop("out", None)
    args = [_plain_input(x) for x in inputs]
    fn = _entrywise(ufunc) if method == "__call__" and not kwargs else None
    if fn is not None:
        if any(isinstance(x, np.ndarray) and x.ndim for x in args):
            with _quiet():
                result = np.frompyfunc(fn, ufunc.nin, ufunc.nout)(*args)
        else:  # numbers only: no array to build
            result = fn(*(x[()] if isinstance(x, np.ndarray) else x for x in args))
        if ufunc.__name__ in _PREDICATES:
            result = np.asarray(result, dtype=bool) if isinstance(result, np.ndarray) else result
    else:
        result = getattr(ufunc, method)(*args, **kwargs)
    if out is not None:  # ufunc(..., out=buffer): fill the caller's array
        (buffer,) = out
        buffer[...] = result
        return buffer
    return _wrap(result)


def elementwise(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn`` applied entry by entry to `args` broadcast together (a Dual's operation with an
    ndarray operand, a dmath function given arrays), as a :class:`NumberArray` (a plain
    value for 0-d)."""
    with _quiet():
        return _wrap(np.frompyfunc(fn, len(args), 1)(*map(_plain_input, args)))


def rebuild(leaves: Sequence[Any], shape: tuple[int, ...], numbers: bool = False) -> Any:
    """The array of `shape` holding `leaves` in C order: float64 if they are all plain
    numbers (a gradient, a value), else - or always, with `numbers` (the parameters of a pass,
    whose unseeded entries must stay Python floats) - a :class:`NumberArray`."""
    if not numbers and set(map(type, leaves)) <= _PLAIN:
        return np.array(leaves, dtype=np.float64).reshape(shape)
    out = np.empty(len(leaves), dtype=object)
    out[:] = leaves  # (an assignment, so entries that are sequences are not unpacked)
    return out.reshape(shape).view(NumberArray)
