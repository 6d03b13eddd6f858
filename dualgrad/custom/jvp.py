"""``custom_jvp``: a black-box function of containers or arrays with its own forward rule.

JAX's convention: ``rule(primals, tangents) -> (out, tangent_out)``, where `primals` are the
call's arguments (a tuple, derivatives taken off), `tangents` their tangents in the same
structure, and `tangent_out` the tangent of `out`, in out's structure. Every forward driver
(derivative, grad with any chunk, jvp, jacobian, hessian if the rule is itself
differentiable, forward_gradient, sparse_jacobian) goes through the rule; the function's own
code sees plain numbers and float arrays only, so it may be anything (scipy, C, a simulation).

>>> import math
>>> from dualgrad import custom_jvp, grad
>>> @custom_jvp
... def norm(v):
...     return math.sqrt(sum(x * x for x in v))
>>> @norm.defjvp
... def norm_jvp(primals, tangents):
...     (v,), (dv,) = primals, tangents
...     out = norm(v)
...     return out, sum(x * d for x, d in zip(v, dv)) / out
>>> grad(lambda p: norm(p), [3.0, 4.0])
[0.6, 0.8]

A reverse-mode Value meets the rule honestly too: one call of the rule per input Value
gives the local partials of one graph node per output. Taylor mode needs every order, which
a first-order rule cannot give: it raises, naming :func:`dualgrad.primitive` instead.
Sparsity tracers see every output depending on every input of the call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from dualgrad.custom.primitive import _kind
from dualgrad.numbers.base import PLAIN, describe, is_array, is_real
from dualgrad.numbers.dual import Dual
from dualgrad.tree import Spec, flatten, unflatten

__all__ = ["custom_jvp"]


class custom_jvp:  # named as JAX's (a class, lower case), which users know
    """Wrap `fun` so that forward mode uses the rule given by :meth:`defjvp`."""

    def __init__(self, fun: Callable[..., Any]) -> None:
        if not callable(fun):
            raise TypeError(f"custom_jvp: fun must be callable, got {describe(fun)}")
        self.fun = fun
        self.jvp: Callable[[tuple[Any, ...], tuple[Any, ...]], Any] | None = None
        self.__name__ = getattr(fun, "__name__", "custom_jvp")
        functools.update_wrapper(self, fun)

    def defjvp(self, rule: Callable[[tuple[Any, ...], tuple[Any, ...]], Any]) -> Any:
        """Set the rule ``rule(primals, tangents) -> (out, tangent_out)``; returns it, so it
        works as a decorator."""
        if not callable(rule):
            raise TypeError(f"{self.__name__}.defjvp: the rule must be callable")
        self.jvp = rule
        return rule

    def __repr__(self) -> str:
        return f"custom_jvp({self.__name__})"

    def __call__(self, *args: Any) -> Any:
        leaves, spec = flatten(args)
        kinds = {k for k in map(_kind, leaves) if k is not None and k != "?"}
        if not kinds:
            return self.fun(*args)
        if self.jvp is None:
            raise TypeError(
                f"{self.__name__} was given {_first_number(leaves)} but has no rule: give "
                f"one with @{self.__name__}.defjvp"
            )
        if kinds <= {"dual"}:
            tag = max(x.tag for x in leaves if type(x) is Dual)
            return self._forward(leaves, spec, tag)
        if kinds & {"taylor", "series"}:
            raise TypeError(
                f"{self.__name__}: Taylor mode needs derivatives of every order and a "
                "custom_jvp rule gives the first only; write it as dualgrad.primitive(f, "
                "*partials) with partials written with dualgrad.dmath, which works to any order"
            )
        if len(kinds) > 1:
            raise TypeError(f"{self.__name__}: cannot mix {' and '.join(sorted(kinds))} inputs")
        if kinds == {"value"}:
            return self._reverse(leaves, spec)
        return self._traced(leaves, spec)

    def _call_rule(self, primals: Any, tangents: Any) -> tuple[Any, Any]:
        assert self.jvp is not None
        try:
            result = self.jvp(primals, tangents)
        except TypeError as exc:
            nested = [x for x in flatten(primals)[0] if _kind(x) not in (None, "?")]
            if not nested:
                raise
            raise TypeError(
                f"{self.__name__}: its jvp rule was given {describe(nested[0])} (a derivative "
                "of a derivative, e.g. hessian) and raised a TypeError; to nest it, write the "
                "rule with operators and dualgrad.dmath (so it is differentiable itself), or "
                "use dualgrad.primitive"
            ) from exc
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(
                f"{self.__name__}: the jvp rule must return (out, tangent_out), it returned "
                f"{describe(result)}"
            )
        return result[0], result[1]

    def _outputs(self, out: Any, tout: Any) -> tuple[list[Any], Spec, list[Any]]:
        outs, ospec = flatten(out)
        touts, _ = flatten(tout)
        if len(touts) != len(outs):
            raise ValueError(
                f"{self.__name__}: the jvp rule's tangent_out has {len(touts)} numbers for "
                f"{len(outs)} in out; it must have out's structure"
            )
        return [_number(o) for o in outs], ospec, [_number(t) for t in touts]

    def _forward(self, leaves: list[Any], spec: Spec, tag: int) -> Any:
        """The rule on the values and tangents of tag `tag` (the newest): one call, or one
        per column of vector tangents (the rule sees scalar tangents, as written)."""
        mine = [type(x) is Dual and x.tag == tag for x in leaves]
        primals = unflatten(spec, [x.value if m else x for x, m in zip(leaves, mine, strict=True)])
        tangents = [x.tangent if m else _zero(x) for x, m in zip(leaves, mine, strict=True)]
        wide = [i for i, t in enumerate(tangents) if not (type(t) in PLAIN or type(t) is Dual)]
        if not wide:
            out, tout = self._call_rule(primals, unflatten(spec, tangents))
            outs, ospec, touts = self._outputs(out, tout)
        else:
            import numpy as np  # vector tangents: numpy is present

            for i in wide:
                t = tangents[i]
                tangents[i] = np.asarray(t.dense() if hasattr(t, "dense") else t)
            k = len(tangents[wide[0]])
            columns = []
            for c in range(k):
                column = [t[c].item() if i in wide else t for i, t in enumerate(tangents)]
                out, tout = self._call_rule(primals, unflatten(spec, column))
                outs, ospec, touts = self._outputs(out, tout)
                columns.append(touts)
            touts = [np.array(row, dtype=float) for row in zip(*columns, strict=True)]
        made = [Dual.from_parts(o, t, tag) for o, t in zip(outs, touts, strict=True)]
        return unflatten(ospec, made, numbers=True)

    def _reverse(self, leaves: list[Any], spec: Spec) -> Any:
        """Reverse-mode Values: the rule once per input Value, each call a column of the local
        Jacobian; one graph node per output with those partials."""
        from dualgrad.reverse.value import Value

        inputs = [i for i, x in enumerate(leaves) if isinstance(x, Value)]
        primals = unflatten(spec, [x.data if isinstance(x, Value) else x for x in leaves])
        columns = []
        for j in inputs:
            seed = [1.0 if i == j else _zero(x) for i, x in enumerate(leaves)]
            out, tout = self._call_rule(primals, unflatten(spec, seed))
            outs, ospec, touts = self._outputs(out, tout)
            columns.append(touts)
        children = tuple(leaves[j] for j in inputs)
        made = [
            Value.from_parts(o, children, tuple(col[r] for col in columns))
            for r, o in enumerate(outs)
        ]
        return unflatten(ospec, made, numbers=True)

    def _traced(self, leaves: list[Any], spec: Spec) -> Any:
        """Sparsity tracers: the values by the function, every output depending on every
        input of the call (and, second order, on every pair of them)."""
        from dualgrad.sparsity.tracer import HessianTracer, Tracer, _pairs

        traced = [x for x in leaves if isinstance(x, (Tracer, HessianTracer))]
        values = [x.value if isinstance(x, (Tracer, HessianTracer)) else x for x in leaves]
        outs, ospec = flatten(self.fun(*unflatten(spec, values)))
        deps = frozenset().union(*(x.deps for x in traced))
        if type(traced[0]) is Tracer:
            made: list[Any] = [Tracer(_number(o), deps) for o in outs]
        else:
            pairs = frozenset().union(
                _pairs(deps, deps), *(x.pairs for x in traced if isinstance(x, HessianTracer))
            )
            made = [HessianTracer(_number(o), deps, pairs) for o in outs]
        return unflatten(ospec, made)


def _zero(x: Any) -> Any:
    """The tangent of an argument that carries none of this derivative: 0 for a number,
    None for anything else (a string, a function, a flag)."""
    return 0.0 if is_real(x) or _kind(x) not in (None, "?") else None


def _number(x: Any) -> Any:
    """A result of the black box as a number of ours: numpy scalars become floats."""
    if type(x) in PLAIN or type(x) is Dual:
        return x
    if is_real(x):
        return float(x)
    if is_array(x) and x.ndim == 0:
        return float(x)
    return x


def _first_number(leaves: list[Any]) -> str:
    return next(describe(x) for x in leaves if _kind(x) not in (None, "?"))
