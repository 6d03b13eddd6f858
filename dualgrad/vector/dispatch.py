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
from typing import Any

__all__ = ["Functions", "numpy_name"]


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
