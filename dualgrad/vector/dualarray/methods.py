"""Every rule of the table as a method of dual arrays: ``x.exp()``, ``x.relu()``,
``x.atan2(y)`` - installed by the package's ``__init__`` with :func:`dualgrad.rules.install`,
as on every number type, so :mod:`dualgrad.dmath` and micrograd-style code take dual arrays.
The value by numpy's ufunc of the rule (or a stable numpy form, or the table's own value
function entry by entry), the tangent by the rule's partials (:func:`.ufuncs.by_rule`).

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> DualArray(np.array([-1.0, 2.0]), np.ones((2, 1))).relu().tangent[:, 0].tolist()
[0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.rules import Rule
from dualgrad.vector.dualarray.core import DualArray, as_parts
from dualgrad.vector.dualarray.ufuncs import RULE_OF, by_rule, tag_of

__all__ = ["NUMPY_METHODS", "flatten", "numpy_method", "rule_binary", "rule_unary"]


def _relu(x: Any) -> Any:
    return np.where((x > 0) | (x != x), x, 0.0)  # nan in, nan out; 0 below the kink


def _softplus(x: Any) -> Any:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))  # the table's stable form


def _array_value(rule: Rule) -> Callable[..., Any]:
    """The rule's value on arrays: numpy's ufunc of that rule, a stable numpy form, or the
    table's own value function entry by entry."""
    for name, of in RULE_OF.items():
        if of == rule.name and hasattr(np, name):
            found: Callable[..., Any] = getattr(np, name)
            return found
    forms: dict[str, Callable[..., Any]] = {
        "relu": _relu,
        "softplus": _softplus,
        "sigmoid": _sigmoid_value,
    }
    return forms.get(rule.name) or _entry_by_entry(rule)


def _entry_by_entry(rule: Rule) -> Callable[..., Any]:
    """The table's (or a primitive's) value function entry by entry; on an enclosing
    derivative's dual arrays (a hessian's values), the rule applied one level down."""

    def entry(*args: Any) -> Any:  # Python numbers, as the value function takes them
        return rule.f(*(int(a) if i in rule.integer else float(a) for i, a in enumerate(args)))

    plain = np.vectorize(entry, otypes=[np.float64])

    def value_of(*values: Any) -> Any:
        if not any(type(v) is DualArray for v in values):
            return plain(*values)
        tag = tag_of(values)
        return by_rule(rule, value_of, [as_parts(v, tag) for v in values], tag)

    return value_of


def _sigmoid_value(x: Any) -> Any:
    from dualgrad.rules.footnotes import _gen_sigmoid

    return _gen_sigmoid(x)


def rule_unary(rule: Rule) -> Callable[[DualArray], Any]:
    """``x.name()`` on a dual array, by the rule (:func:`dualgrad.rules.install`)."""
    value_of = _array_value(rule)

    def op(self: DualArray) -> Any:
        return by_rule(rule, value_of, [(self.value, self.tangent)], self.tag)

    op.__name__ = op.__qualname__ = rule.name
    return op


def rule_binary(rule: Rule) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(``x.name(y)``, the reflected ``name(y, x)``) on a dual array, by the rule."""
    value_of = _array_value(rule)

    def op(self: DualArray, other: Any) -> Any:
        return by_rule(
            rule, value_of, [as_parts(self, self.tag), as_parts(other, self.tag)], self.tag
        )

    def rop(self: DualArray, other: Any) -> Any:
        return by_rule(
            rule, value_of, [as_parts(other, self.tag), as_parts(self, self.tag)], self.tag
        )

    op.__name__ = op.__qualname__ = rule.name
    rop.__name__ = rop.__qualname__ = "r" + rule.name
    return op, rop


def numpy_method(func: Callable[..., Any]) -> Callable[..., Any]:
    """ndarray's method named like `func`: numpy's function on the dual array."""

    def method(self: DualArray, *args: Any, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = func.__name__
    method.__doc__ = f"As ndarray.{func.__name__}: np.{func.__name__} on the dual array."
    return method


NUMPY_METHODS = (
    np.ravel, np.transpose, np.swapaxes, np.squeeze, np.sum, np.mean, np.prod, np.max,
    np.min, np.cumsum, np.cumprod, np.std, np.var, np.dot, np.clip, np.take, np.repeat,
    np.diagonal, np.trace, np.argmax, np.argmin, np.argsort, np.all, np.any, np.round,
    np.nonzero, np.ptp,
)  # fmt: skip
"""ndarray's methods that are numpy functions (``x.sum(axis=0)``, ``x.argmax()``): installed
on the class by the package's ``__init__`` with :func:`numpy_method`."""


def flatten(self: DualArray, order: str = "C") -> Any:
    """As ndarray.flatten: a copy, flat."""
    return np.reshape(self, -1).copy()
