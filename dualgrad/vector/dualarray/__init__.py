"""The dual array: numpy code differentiated at numpy speed.

:class:`DualArray` holds a float ndarray of values and an ndarray of tangents with one more,
trailing axis (k tangents per entry). numpy's dispatch sends ufuncs and functions to the
modules below, which this ``__init__`` registers on the class (nothing registers itself on
import):

- :mod:`.ufuncs`: every ufunc the rule table knows, by the rule's partials on whole arrays;
- :mod:`.shapes`: reshaping, joining, splitting, reordering, work arrays like the parameters;
- :mod:`.reductions`: sums, means, max/min, prod, std/var, sorting and selection;
- :mod:`.products`: matmul, dot, tensordot, einsum, inner, outer;
- :mod:`.linalg`, :mod:`.linalg_decomp`, :mod:`.linalg_norms`: numpy.linalg with forward rules
  (solve, inv, det, lstsq ...; cholesky, eigh, svd, qr; norms).

A numpy function none of them implements is refused by name (:func:`supported` lists the
others), so no derivative is ever dropped in silence.

>>> import numpy as np
>>> x = DualArray(np.array([1.0, 2.0]), np.eye(2))
>>> y = np.sum(np.sin(x) * x)
>>> y.value == np.sum(np.sin([1.0, 2.0]) * [1.0, 2.0]), y.tangent.tolist() == [
...     float(np.sin(1.0) + np.cos(1.0)), float(np.sin(2.0) + 2 * np.cos(2.0))]
(np.True_, True)
"""

from __future__ import annotations

from typing import Any

from dualgrad.rules import install
from dualgrad.vector.dualarray import (
    linalg,
    linalg_decomp,
    linalg_norms,
    methods,
    products,
    reductions,
    shapes,
    ufuncs,
)
from dualgrad.vector.dualarray.core import DualArray

__all__ = ["DualArray", "supported"]

for _module in (shapes, reductions, products, linalg, linalg_decomp, linalg_norms):
    DualArray.functions.update(_module.FUNCTIONS)
DualArray.ufuncs.update(ufuncs.UFUNC_METHODS)
# every rule of the table as a method (x.exp(), x.sigmoid(), x.minimum(y)), as on every number
# type, so dmath's mirror and micrograd-style code take dual arrays too; the operators are
# numpy's (the class's own dunders, which install leaves in place)
_OPERATORS = {
    name: getattr(DualArray, name)
    for name in dir(DualArray)
    if name.startswith("__") and name.endswith("__") and name in vars(DualArray)
}
install(DualArray, methods.rule_unary, methods.rule_binary)
for _func in methods.NUMPY_METHODS:  # ndarray's methods that are numpy functions (x.sum())
    setattr(DualArray, _func.__name__, methods.numpy_method(_func))
DualArray.flatten = methods.flatten  # type: ignore[attr-defined]
for _dunder, _operator in _OPERATORS.items():
    setattr(DualArray, _dunder, _operator)


def supported() -> list[str]:
    """The names of the numpy functions and ufuncs that dual arrays implement.

    >>> "matmul" in supported() and "exp" in supported()
    True
    """
    names = {_name(f) for f in DualArray.functions}
    names |= set(ufuncs.RULE_OF) | set(ufuncs.COMPOSED) | ufuncs.ON_VALUES
    names |= ufuncs.PIECEWISE_CONSTANT
    return sorted(names)


def _name(func: Any) -> str:
    module = getattr(func, "__module__", "") or ""
    prefix = "linalg." if "linalg" in module else ""
    return prefix + getattr(func, "__name__", repr(func))
