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

from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["Dispatched", "Functions", "numpy_name"]


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


class Dispatched:
    """numpy's dispatch as every array type of ours takes it: a ufunc's method and a numpy
    function are looked up in the class's own tables (filled by its package), and anything
    else is refused by name (:meth:`refusal`), never computed on the numbers alone."""

    __slots__ = ()
    __array_priority__ = 1000  # ndarray op ours gives way to us

    ufuncs: ClassVar[dict[str, Callable[..., Any]]]
    """Per ufunc method ("__call__", "reduce", ...), the function applying it."""
    functions: ClassVar[dict[Any, Callable[..., Any]]]
    """numpy function -> its implementation."""
    where: ClassVar[str]
    """How messages name the type's setting ("on dual arrays")."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        apply = type(self).ufuncs.get(method)
        if apply is None:
            raise TypeError(
                f"np.{ufunc.__name__}.{method} is not supported {self.where}: use "
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
        raise NotImplementedError  # pragma: no cover - each array type says its own
