"""What every array type of ours that numpy dispatches to shares: the table of the numpy
functions it implements, and how a refusal names a numpy function.

>>> import numpy as np
>>> table = Functions()
>>> @table.implements(np.sum, np.mean)
... def reduce(x, axis=None):
...     return "reduced"
>>> table[np.mean] is reduce, numpy_name(np.linalg.solve), numpy_name(np.sum)
(True, 'np.linalg.solve', 'np.sum')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

__all__ = ["Dispatched", "Functions", "numpy_name", "values_of"]


class Functions(dict[Any, Callable[..., Any]]):
    """numpy function -> its implementation, filled with the :meth:`implements` decorator."""

    def implements(self, *funcs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(impl: Callable[..., Any]) -> Callable[..., Any]:
            for func in funcs:
                self[func] = impl
            return impl

        return register


def numpy_name(func: Any) -> str:
    """``np.name`` or ``np.linalg.name``, as a user calls it."""
    name = getattr(func, "__name__", repr(func))
    module = getattr(func, "__module__", "numpy") or "numpy"
    return ("np.linalg." if "linalg" in module else "np.") + name


@dataclass(frozen=True)
class Wording:
    """How messages speak of one of our array types."""

    where: str
    """Its setting: "on dual arrays"."""
    carries: str
    """What it carries beside its values: "the derivative"."""
    called: str
    """One of it: "a DualArray"."""
    unsupported: str
    """Why a numpy function without an implementation is refused, and what to do instead."""
    losing_it: str = ""
    """What losing what it carries would do, if more than the loss itself."""


class Dispatched:
    """numpy's dispatch as every array type of ours takes it: a ufunc's method and a numpy
    function are looked up in the class's own tables (filled by its package), and anything
    else is refused by name (:meth:`refusal`), never computed on the numbers alone."""

    __slots__ = ()
    __array_priority__ = 1000  # ndarray op ours gives way to us
    value: Any
    """The values (a float ndarray, or an enclosing derivative's array)."""

    ufuncs: ClassVar[dict[str, Callable[..., Any]]]
    """Per ufunc method ("__call__", "reduce", ...), the function applying it."""
    functions: ClassVar[dict[Any, Callable[..., Any]]]
    """numpy function -> its implementation."""
    words: ClassVar[Wording]
    """How messages speak of the type."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        apply = type(self).ufuncs.get(method)
        if apply is None:
            raise TypeError(
                f"np.{ufunc.__name__}.{method} is not supported {self.words.where}: use "
                f"np.{ufunc.__name__} itself or numpy functions such as np.sum / np.cumsum"
            )
        return apply(ufunc, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = type(self).functions.get(func)
        if handler is None:
            raise TypeError(self.refusal(func))
        return handler(*args, **kwargs)

    @classmethod
    def refusal(cls, func: Any) -> str:
        """The message for a numpy function the type does not implement."""
        return f"{numpy_name(func)} is not supported {cls.words.where}{cls.words.unsupported}"

    # -- what numpy code asks of an array, read off the values
    shape = property(lambda self: np.shape(self.value), doc="The values' shape.")
    ndim = property(lambda self: len(self.shape), doc="The values' number of axes.")
    size = property(lambda self: int(np.prod(self.shape)), doc="The number of values.")
    dtype = property(lambda self: self.value.dtype, doc="The values' dtype.")
    T = property(lambda self: np.transpose(self), doc="The transpose, as ndarray.T.")
    mT = property(lambda self: np.swapaxes(self, -1, -2), doc="Matrix transpose of a stack.")
    real = property(lambda self: self, doc="Real numbers: the array itself.")

    # -- conversions that would lose what the array carries: refused, saying what to do
    def drops(self, what: str) -> str:
        """The message refusing `what`, which would lose what the array carries."""
        return (
            f"{what} would drop {self.words.carries} of {self.words.called} of shape "
            f"{self.shape}{self.words.losing_it}. Build work arrays like the parameters "
            "(np.zeros_like(x), np.empty_like(x), x.copy()) or with dtype=object, and use "
            "x.value to take the numbers on purpose."
        )

    def __float__(self) -> float:
        raise TypeError(self.drops("float()"))

    def __int__(self) -> int:
        raise TypeError(self.drops("int()"))

    def __complex__(self) -> complex:
        raise TypeError(self.drops("complex()"))

    def __index__(self) -> int:
        raise TypeError(self.drops("using it as an index"))

    def __bool__(self) -> bool:
        return bool(self.value)  # values only, as comparisons: branches behave as on arrays

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def into(cls, out: tuple[Any, ...], result: Any, name: str) -> Any:
        """``np.<name>(..., out=(buffer,))``: fill the caller's buffer, one of ours."""
        (buffer,) = out
        if type(buffer) is not cls:
            raise TypeError(
                f"np.{name}(..., out=...) into a plain array would drop {cls.words.carries}: make "
                "the buffer like the parameters (np.zeros_like(x)) or assign the result instead"
            )
        buffer[...] = result  # type: ignore[index]  # (each array type's own setitem)
        return buffer

    # -- operators: numpy's ufuncs (installed below), so `x * 2.0`, `ndarray @ x`, `x[0] + x`
    # and `x < 0` all come back to __array_ufunc__
    def __neg__(self) -> Any:
        return np.negative(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return np.absolute(self)

    def _in_place(self, result: Any) -> Any:
        self[...] = result  # type: ignore[index]  # views of self see it, as with ndarray
        return self

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self.value)):
            yield self[i]  # type: ignore[index]  # (each array type's own indexing)


OPERATORS: dict[str, Any] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "truediv": np.divide,
    "floordiv": np.floor_divide,
    "mod": np.remainder,
    "pow": np.power,
    "matmul": np.matmul,
}
"""The binary operators, by their dunder's stem, and the ufunc each is (either side, and in
place)."""
COMPARISONS: dict[str, Any] = {
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
}


def _operator(ufunc: Any, side: str) -> Callable[[Any, Any], Any]:
    if side == "reflected":
        return lambda self, other: ufunc(other, self)
    if side == "in place":
        return lambda self, other: self._in_place(ufunc(self, other))
    return lambda self, other: ufunc(self, other)


for _stem, _ufunc in OPERATORS.items():
    setattr(Dispatched, f"__{_stem}__", _operator(_ufunc, "left"))
    setattr(Dispatched, f"__r{_stem}__", _operator(_ufunc, "reflected"))
    setattr(Dispatched, f"__i{_stem}__", _operator(_ufunc, "in place"))
for _stem, _ufunc in COMPARISONS.items():
    setattr(Dispatched, f"__{_stem}__", _operator(_ufunc, "left"))


def holds(x: list[Any] | tuple[Any, ...], types: tuple[type, ...]) -> bool:
    """Whether a list or tuple has an entry of one of `types` somewhere inside."""
    return any(type(e) in types or (isinstance(e, (list, tuple)) and holds(e, types)) for e in x)


def values_of(x: Any) -> Any:
    """The values of our arrays, also inside a list or tuple; anything else as it is."""
    if isinstance(x, Dispatched):
        return x.value
    if isinstance(x, (list, tuple)) and any(isinstance(e, Dispatched) for e in x):
        return type(x)(values_of(e) for e in x)
    return x
