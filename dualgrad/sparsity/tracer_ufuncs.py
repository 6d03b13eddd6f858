"""numpy's ufuncs on traced arrays, read off the rule table.

A ufunc naming a rule (:data:`dualgrad.vector.dualarray.ufuncs.RULE_OF`, the map dual arrays
use) gives each output entry the union of the (broadcast) argument entries' sets, over the
arguments whose partial is not the constant 0 (:func:`~dualgrad.sparsity.tracer.partial_forms`:
floor, the integer part of ``divmod``, ``sign`` drop their sets). Compositions of rules
(``square``, ``logaddexp``, ``fmax`` ...) unite all their arguments, and comparisons and
predicates return plain boolean arrays of the values.

>>> import numpy as np
>>> from dualgrad.sparsity.tracer_array import TracerArray
>>> x = TracerArray.inputs(np.array([0.5, 1.5]))
>>> [sorted(t.deps) for t in np.floor(x) + np.sin(x[::-1])]
[[1], [0]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.rules import RULES
from dualgrad.sparsity.tracer import partial_forms
from dualgrad.sparsity.tracer_array import (
    Csr,
    Table,
    TracerArray,
    as_parts,
    from_parts,
    no_deps,
)
from dualgrad.vector.dualarray.ufuncs import ON_VALUES, PIECEWISE_CONSTANT, RULE_OF

__all__ = ["UFUNC_METHODS", "call"]

# -- ufuncs -----------------------------------------------------------------------------------
_COMPOSED = {"square", "reciprocal", "exp2", "logaddexp", "logaddexp2", "fmax", "fmin"}
"""Compositions of rules whose every argument's set passes on."""


def _passes(name: str, count: int) -> list[tuple[bool, ...]]:
    """Per output of ufunc `name`, which arguments' sets pass on (by the rule's forms)."""
    if name in RULE_OF:
        return [tuple(form != "zero" for form in partial_forms(RULES[RULE_OF[name]]))]
    if name in PIECEWISE_CONSTANT:
        return [(False,) * count]
    if name in _COMPOSED or name == "conjugate":
        return [(True,) * count]
    if name == "modf":
        return [(True,), (False,)]
    if name == "divmod":
        return [_passes("floor_divide", 2)[0], _passes("remainder", 2)[0]]
    raise TypeError(
        f"np.{name} is not supported in sparsity tracing: it has no derivative rule in "
        "dualgrad (take .value to compute it on the numbers on purpose)"
    )


def call(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``ufunc(*inputs)`` where some input is a TracerArray."""
    out = kwargs.pop("out", None)
    name = ufunc.__name__
    if kwargs:
        raise TypeError(f"np.{name} in sparsity tracing takes no {', '.join(kwargs)} argument")
    if name in ("matmul", "vecdot", "matvec", "vecmat"):
        return TracerArray.functions[getattr(np, name)](*inputs)
    parts = [as_parts(x) for x in inputs]
    values = [v for v, _ in parts]
    if name in ON_VALUES:
        return ufunc(*values)
    passes = _passes(name, len(inputs))
    rule = RULES.get(RULE_OF.get(name, ""))
    for i in rule.integer if rule is not None else ():
        if parts[i][1] is not None:
            raise TypeError(f"np.{name}: argument {i} takes integers only")
    value = ufunc(*values)
    results = [
        from_parts(v, _elementwise(inputs, parts, p, np.shape(v)))
        for v, p in zip(value if len(passes) > 1 else (value,), passes, strict=True)
    ]
    result = tuple(results) if len(results) > 1 else results[0]
    if out is None:
        return result
    return TracerArray.into(out, result, name)


def _elementwise(inputs: Any, parts: Any, passes: Any, shape: tuple[int, ...]) -> Csr:
    """Each entry's set: the union of the broadcast entries' sets of the passing arguments."""
    live = [i for i, (p, (_, d)) in enumerate(zip(passes, parts, strict=True)) if p and d]
    if not live:
        return no_deps(np.empty(shape))
    if len(live) == 1 and np.shape(parts[live[0]][0]) == shape:
        return parts[live[0]][1]  # one set per entry, already in place
    table = Table()
    ids = [np.broadcast_to(table.ids(inputs[i])[1], shape).reshape(-1) for i in live]
    if len({id(inputs[i]) for i in live}) == 1:
        return table.select(ids[0])  # x * x: one operand
    size = int(np.prod(shape))
    return table.lanes(np.stack(ids, axis=1).reshape(size, len(live)))


_BY_FUNCTION: dict[tuple[str, str], Callable[..., Any]] = {
    ("add", "reduce"): np.sum,
    ("multiply", "reduce"): np.prod,
    ("maximum", "reduce"): np.max,
    ("minimum", "reduce"): np.min,
    ("add", "accumulate"): np.cumsum,
    ("multiply", "accumulate"): np.cumprod,
}


def _by_function(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    method = kwargs.pop("_method")
    by = _BY_FUNCTION.get((ufunc.__name__, method))
    if by is None or len(inputs) != 1:
        raise TypeError(
            f"np.{ufunc.__name__}.{method} is not supported in sparsity tracing: use "
            "np.sum, np.prod, np.max, np.min, np.cumsum or np.cumprod"
        )
    kwargs.setdefault("axis", 0)
    return by(inputs[0], **kwargs)


def _outer(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    a, b = inputs
    ea = a[(Ellipsis,) + (None,) * np.ndim(as_parts(b)[0])] if np.ndim(as_parts(a)[0]) else a
    return ufunc(ea, b, **kwargs)


UFUNC_METHODS: dict[str, Callable[..., Any]] = {
    "__call__": call,
    "reduce": lambda u, i, k: _by_function(u, i, {**k, "_method": "reduce"}),
    "accumulate": lambda u, i, k: _by_function(u, i, {**k, "_method": "accumulate"}),
    "outer": _outer,
}
"""How each ufunc method applies to traced arrays."""
