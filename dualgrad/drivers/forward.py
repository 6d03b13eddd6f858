"""Forward-mode drivers: derivative, grad by seeding each parameter in turn, jvp, jacobian,
hessian, and the forward gradient.

>>> from dualgrad import derivative, grad, hessian
>>> derivative(lambda x: x ** 3, 2.0)
12.0
>>> grad(lambda p: p["w"][0] * p["w"][1] + p["b"], {"w": [2.0, 3.0], "b": 1.0})
{'w': [3.0, 2.0], 'b': 1.0}
>>> hessian(lambda v: v[0] ** 2 * v[1], [1.0, 2.0])
[[4.0, 2.0], [2.0, 0.0]]

Seeding parameter i means replacing it by ``Dual(p_i, 1.0)`` while every other parameter
stays a plain float, so most arithmetic in the pass stays in C; a full gradient costs N passes.
With ``chunk=k`` each pass carries k tangents at once as a numpy vector (ForwardDiff.jl's
chunk mode): ceil(N/k) passes. Every pass gets a fresh copy of the parameters, of the same
structure, so whatever f does to it stays in that pass.

Every call takes a fresh tag (:mod:`dualgrad.drivers.tags`), so nested derivatives never mix:
``derivative(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0)`` is exactly 1.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad.drivers.nesting import has_dict, nest
from dualgrad.drivers.parallel import check_executor, run_ranges
from dualgrad.drivers.seeding import (
    array_blocks,
    check_leaves,
    chunk_width,
    seed_columns,
    seeded_pass,
)
from dualgrad.drivers.tags import Tagged, active, tangent_of, value_of
from dualgrad.numbers.base import describe, is_array, is_real, vector
from dualgrad.numbers.dual import Dual
from dualgrad.tree import Spec, flatten, paths, unflatten

__all__ = [
    "GradResult",
    "derivative",
    "forward_gradient",
    "grad",
    "hessian",
    "jacobian",
    "jvp",
    "value_and_grad",
]

Params = Any
"""A number, or a (nested) list, tuple or dict of numbers or numpy float arrays: a model's
state_dict. f receives the same structure; an array arrives as an object array of the pass's
numbers (:class:`dualgrad.vector.arrays.NumberArray`: numpy's ufuncs work on it and keep the
derivative), and gradients come back as float64 arrays of the same shape."""
Wrt = Sequence[int | str] | None
"""The parameters to differentiate by: flat leaf indices or paths such as ``"['w'][0]"``."""


# -- derivative -----------------------------------------------------------------------------------
_NO_POINT: Any = object()  # derivative(f) without a point (None is no point: a TypeError)


def derivative(f: Callable[[Any], Any], x: Any = _NO_POINT, /) -> Any:
    """df/dx at `x` for a scalar function of one real number; without `x`, the function f'.

    >>> derivative(lambda x: x * x, 3.0)
    6.0
    >>> d2 = derivative(derivative(lambda x: x ** 3))
    >>> d2(2.0)
    12.0
    """
    if x is _NO_POINT:

        def df(x: Any) -> Any:
            return derivative(f, x)

        df.__name__ = f"derivative({getattr(f, '__name__', 'f')})"
        return df
    if not (is_real(x) or type(x) is Dual or getattr(type(x), "_dualgrad_number", False)):
        hint = " (derivative(f), with no point at all, is the function f')" if x is None else ""
        raise TypeError(f"derivative: x must be a real number, got {describe(x)}{hint}")
    with Tagged() as tag:
        return tangent_of(f(Dual(x, 1.0, tag)), tag, "derivative")


# -- grad -----------------------------------------------------------------------------------------
@dataclass
class GradResult:
    """What a gradient cost and gave: unpacks like ``value, grad = value_and_grad(...)``."""

    value: Any
    grad: Any
    passes: int
    """Evaluations of the function (the exact cost: N for one tangent, ceil(N/k) chunked)."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.value, self.grad))


def _chosen(wrt: Wrt, spec: Spec, n: int, what: str) -> list[int]:
    """The flat indices of the parameters `wrt` names (all of them for None)."""
    if wrt is None:
        return list(range(n))
    if isinstance(wrt, (str, int)):
        raise TypeError(f"{what}: wrt must be a sequence of indices or paths, got {wrt!r}")
    names = {p: i for i, p in enumerate(paths(spec))}
    chosen: list[int] = []
    for w in wrt:
        if type(w) is int and -n <= w < n:
            chosen.append(w % n)
        elif type(w) is str and w in names:
            chosen.append(names[w])
        else:
            some = ", ".join(list(names)[:3])
            raise ValueError(
                f"{what}: wrt names {w!r}, which is no parameter: give flat indices 0..{n - 1} "
                f"or paths such as {some}"
            )
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"{what}: wrt names a parameter twice: {list(wrt)!r}")
    return chosen


def _fit(width: int, spec: Spec, leaves: list[Any]) -> int:
    """The chunk width, narrowed where the arrays' tangent blocks would pass the memory
    budget (``chunk="all"`` over a large array: :data:`dualgrad.vector.dualarray.seeding.
    MEMORY_BUDGET`)."""
    blocks = array_blocks(spec, leaves) if width > 1 else None
    return width if blocks is None else int(vector().fit_width(width, blocks))


def value_and_grad(
    f: Callable[[Any], Any],
    params: Params,
    *,
    chunk: int | str = 1,
    wrt: Wrt = None,
    executor: Any = None,
    tasks: int | None = None,
) -> GradResult:
    """The value of ``f(params)`` and its gradient, in the structure of `params`.

    `params` is a number, or a (nested) list, tuple or dict of numbers - a model's
    state_dict; f receives a fresh copy of the same structure on every pass. The result
    unpacks as ``value, grad``; ``.passes`` is the number of evaluations of `f`.

    ``wrt`` takes the gradient with respect to some parameters only (flat indices, or paths
    as in error messages): only those are seeded, and the others' entries are None.

    The passes are independent, so with an `executor` (any ``concurrent.futures.Executor``:
    a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``, or a Dask ``Client.get_executor()``)
    they are split into `tasks` contiguous ranges (default: 4 per worker) run in parallel; the
    result is identical, bit for bit, to the serial one. With processes, `f` and `params`
    must pickle (a module-level function or a ``functools.partial`` of one; Dask's cloudpickle
    also takes lambdas and closures).

    >>> r = value_and_grad(lambda p: p[0] ** 2 + 3 * p[1], [2.0, 5.0], chunk=2)
    >>> r.value, r.grad, r.passes
    (19.0, [4.0, 3.0], 1)
    >>> value_and_grad(lambda p: p[0] * p[1], [2.0, 5.0], wrt=[1]).grad
    [None, 2.0]
    """
    return _value_and_grad(f, params, chunk, wrt, executor, tasks, "grad")


def _value_and_grad(
    f: Callable[[Any], Any],
    params: Params,
    chunk: int | str,
    wrt: Wrt,
    executor: Any,
    tasks: int | None,
    what: str,
) -> GradResult:
    leaves, spec = flatten(params)
    check_leaves(leaves, spec, what)
    check_executor(executor, tasks, what)
    chosen = _chosen(wrt, spec, len(leaves), what)
    width = _fit(chunk_width(chunk, len(chosen), what), spec, leaves)
    with Tagged() as tag:
        if not chosen:
            out = seeded_pass(f, spec, leaves, (), (), tag)
            tangent_of(out, tag, what)  # the same check of what f returns
            return GradResult(out, unflatten(spec, [None] * len(leaves)), 1)
        parts = run_ranges(
            executor,
            tasks,
            seed_columns,
            chosen,
            width,
            (f, spec, leaves),
            (tuple(active()), what, True),
        )
    partials: list[Any] = [None] * len(leaves)
    for j, column in zip(chosen, (c for part in parts for c in part.columns), strict=True):
        partials[j] = column[0]
    return GradResult(parts[0].value, unflatten(spec, partials), sum(p.passes for p in parts))


def grad(
    f: Callable[[Any], Any],
    params: Params,
    *,
    chunk: int | str = 1,
    wrt: Wrt = None,
    executor: Any = None,
    tasks: int | None = None,
) -> Any:
    """The gradient of a scalar function `f` at `params`, in the structure of `params`.

    Seeds each parameter in turn (N passes), or `chunk` parameters per pass with numpy
    vector tangents (ceil(N/chunk) passes; ``chunk="all"`` does it in one), optionally only
    the parameters `wrt` names, optionally spread over an `executor` (see
    :func:`value_and_grad`). Empty params give an empty gradient without calling `f`.
    """
    leaves, spec = flatten(params)
    if not leaves and spec.kind != "leaf":
        return unflatten(spec, [])
    return value_and_grad(f, params, chunk=chunk, wrt=wrt, executor=executor, tasks=tasks).grad


# -- jvp, jacobian, hessian -----------------------------------------------------------------------
def jvp(f: Callable[[Any], Any], primals: Params, tangents: Params) -> tuple[Any, Any]:
    """(f(primals), the directional derivative of f along `tangents`) in one pass.

    `tangents` has the structure of `primals`; `f` may return a number or a tree of numbers,
    and the derivative comes back in that structure.

    >>> jvp(lambda p: [p[0] * p[1], p[0] + p[1]], [2.0, 3.0], [1.0, 0.0])
    ([6.0, 5.0], [3.0, 1.0])
    """
    if "numpy" in sys.modules and vector().contains_array(primals):
        with Tagged() as tag:  # float arrays as dual arrays: no per-entry work
            result: tuple[Any, Any] = vector().array_jvp(f, primals, tangents, tag)
        return result
    leaves, spec = flatten(primals)
    dirs, dspec = flatten(tangents)
    check_leaves(leaves, spec, "jvp", "primals")
    if dspec != spec:
        raise ValueError(
            f"jvp: tangents must have the structure of primals ({spec.size} numbers in "
            f"primals, {dspec.size} in tangents, or another nesting)"
        )
    check_leaves(dirs, spec, "jvp", "tangents")
    with Tagged() as tag:
        out = seeded_pass(f, spec, leaves, range(len(leaves)), dirs, tag)
        outs, ospec = flatten(out)
        values = [value_of(o, tag) for o in outs]
        derivs = [tangent_of(o, tag, "jvp") for o in outs]
    return unflatten(ospec, values), unflatten(ospec, derivs)


def jacobian(
    f: Callable[[Any], Any],
    x: Params,
    *,
    chunk: int | str = 1,
    executor: Any = None,
    tasks: int | None = None,
) -> list[list[Any]]:
    """The Jacobian J[i][j] = d f_i / d x_j of a vector-valued function, column by column.

    `x` is a list of numbers (or any tree: j runs over its flattened leaves) and `f` returns a
    list (or tree: i runs over its flattened leaves), of the same structure on every pass.
    ``chunk=k`` takes k columns per pass; an `executor` spreads the columns as in
    :func:`value_and_grad`. Entries are floats. If `x` or the output is a numpy array, the
    Jacobian is a float64 array of shape ``out.shape + x.shape`` (a number has shape ``()``,
    another tree one axis of its leaves), as ``jax.jacfwd`` gives it. If either holds a dict,
    the Jacobian is in their structure, as JAX's: a tree of the outputs whose leaves are trees
    of the inputs (``J["u"]["a"]``; an array pair gives an array of both shapes).

    >>> jacobian(lambda v: [v[0] * v[1], v[0] + 2 * v[1]], [2.0, 3.0])
    [[3.0, 2.0], [1.0, 2.0]]
    """
    leaves, spec = flatten(x)
    check_leaves(leaves, spec, "jacobian")
    check_executor(executor, tasks, "jacobian")
    n = len(leaves)
    if n == 0:
        return []
    width = _fit(chunk_width(chunk, n, "jacobian"), spec, leaves)
    with Tagged():
        parts = run_ranges(
            executor,
            tasks,
            seed_columns,
            list(range(n)),
            width,
            (f, spec, leaves),
            (tuple(active()), "jacobian"),
        )
    first = parts[0].spec
    for part in parts[1:]:  # tasks run apart: their outputs must agree too
        if part.spec != first:
            raise ValueError("jacobian: the function's output changed shape between passes")
    columns = [c for part in parts for c in part.columns]
    m = len(columns[0])
    if has_dict(spec) or has_dict(first):  # in the structure of outputs and inputs, as JAX
        rows = [c if isinstance(c, list) else c.tolist() for c in columns]
        return nest(first, spec, list(zip(*rows, strict=True)))
    if spec.kind == "array" or (first is not None and first.kind == "array"):
        return array_of_columns(columns, _shape(first, m) + _shape(spec, n))
    if not isinstance(columns[0], list):  # float64 rows (an output holding dual arrays)
        columns = [c.tolist() for c in columns]
    return [list(row) for row in zip(*columns, strict=True)]  # the columns transposed, in C


def array_of_columns(columns: list[Any], shape: tuple[int, ...], generic: bool = False) -> Any:
    """The Jacobian of `shape` whose columns are `columns` (one list of partials per input,
    or a float64 row where the output held dual arrays).

    FAST PATH: columns of floats are transposed by numpy in one call, the same float64 array
    as the generic path (``generic=True``: the rows in C order, then rebuilt), which walks
    every entry in Python (seconds at n = 2,000). Columns holding anything else (a Dual of an
    enclosing derivative) make an array of another dtype and take the generic path.
    """
    if not generic and columns and len(columns[0]):
        import numpy as np  # an array Jacobian: numpy is here

        block = np.array(columns)
        if block.dtype == np.float64 and block.ndim == 2:
            return block.T.reshape(shape)
    return vector().rebuild([v for row in zip(*columns, strict=True) for v in row], shape)


def _shape(spec: Spec | None, size: int) -> tuple[int, ...]:
    """The axes a Jacobian gives a tree: an array's shape, none for one number (as in JAX),
    one axis of its leaves for any other tree."""
    if spec is not None and spec.kind == "array":
        return spec.shape
    if spec is None or spec.kind == "leaf":
        return ()
    return (size,)


def hessian(f: Callable[[Any], Any], x: Params) -> list[list[Any]]:
    """The Hessian H[i][j] = d2 f / dx_i dx_j of a scalar function, forward over forward.

    Column j seeds x_j with an outer tag and takes the gradient inside with an inner tag:
    N * N passes of `f` (2-argument functions: 4 passes). For a numpy array `x`, a float64
    array of shape ``x.shape + x.shape``; for parameters holding a dict, their structure
    nested in itself, as JAX's (``H["a"]["b"]``).
    """
    if is_array(x) and x.dtype.kind in "fiu":  # numpy code: nested dual arrays, in bulk
        try:
            with Tagged() as outer, Tagged() as inner:
                result: Any = vector().array_hessian(f, x, outer, inner)
            return result
        except vector().NestedEntries:
            pass  # f takes the entries one by one (np.asarray, a solver): nested Duals below
    leaves, spec = flatten(x)
    check_leaves(leaves, spec, "hessian")

    def gradient(params: Any) -> Any:
        return _value_and_grad(f, params, 1, None, None, None, "hessian").grad

    columns = []
    with Tagged() as tag:
        for j in range(len(leaves)):
            g = seeded_pass(gradient, spec, leaves, (j,), (1.0,), tag)
            columns.append([tangent_of(gi, tag, "hessian") for gi in flatten(g)[0]])
    if has_dict(spec):  # a dict of dicts, as JAX
        return nest(spec, spec, list(zip(*columns, strict=True)))
    if spec.kind == "array":  # an array of shape x.shape + x.shape
        flat = [h for row in zip(*columns, strict=True) for h in row]
        return vector().rebuild(flat, spec.shape * 2)
    return [list(row) for row in zip(*columns, strict=True)]


# -- the forward gradient -------------------------------------------------------------------------
def forward_gradient(
    f: Callable[[Any], Any],
    params: Params,
    *,
    directions: int = 1,
    rng: random.Random | int | None = None,
    chunk: int | str = "all",
) -> GradResult:
    """An unbiased estimate of the gradient from random directional derivatives.

    Draws k = `directions` random directions v ~ N(0, I), gets each directional derivative
    ``grad f . v`` from a forward pass seeded with tangent v, and returns the mean of
    ``(grad f . v) v`` (Baydin et al., "Gradients without Backpropagation", 2022): its
    expectation is the gradient, its variance falls as 1/k. ``chunk`` directions ride in one
    pass as vector tangents (numpy), as in :func:`grad`: ``"all"`` (the default) makes one
    pass, ``chunk=1`` makes k scalar passes. Deterministic given `rng` (a
    :class:`random.Random` or a seed).

    >>> est = forward_gradient(lambda p: 3 * p[0] - p[1], [1.0, 2.0], directions=4, rng=0)
    >>> est.passes, [round(g, 6) for g in est.grad]
    (1, [2.898937, -1.404839])
    """
    if type(directions) is not int or directions < 1:
        raise ValueError(f"forward_gradient: directions must be a positive int, got {directions!r}")
    width = chunk_width(chunk, directions, "forward_gradient")
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    leaves, spec = flatten(params)
    check_leaves(leaves, spec, "forward_gradient")
    n = len(leaves)
    # directions drawn parameter by parameter: v[i][k] is direction k's component i
    v = [[rng.gauss(0.0, 1.0) for _ in range(directions)] for _ in range(n)]
    estimate = [0.0] * n
    passes = 0
    blocks = array_blocks(spec, leaves)
    with Tagged() as tag:
        for lo in range(0, directions, width):
            hi = min(lo + width, directions)
            if hi - lo == 1:
                out = seeded_pass(f, spec, leaves, range(n), [row[lo] for row in v], tag, blocks)
                dds = [tangent_of(out, tag, "forward_gradient")]
            else:
                out, dds = _directions_pass(f, spec, leaves, [row[lo:hi] for row in v], tag, blocks)
            for k, dd in enumerate(dds):
                for i in range(n):
                    estimate[i] += dd * v[i][lo + k] / directions
            if passes == 0:
                value = value_of(out, tag)
            passes += 1
    return GradResult(value, unflatten(spec, estimate), passes)


def _directions_pass(
    f: Callable[[Any], Any],
    spec: Spec,
    leaves: list[Any],
    v: list[list[float]],
    tag: int,
    blocks: Any,
) -> tuple[Any, list[Any]]:
    """One pass along k directions at once (leaf i's tangent is the vector v[i]): the output
    and its k directional derivatives."""
    import numpy as np  # vector tangents: numpy is present

    k = len(v[0])
    tangents = list(np.array(v, dtype=float).reshape(len(v), k))
    with vector().chunked_pass(k):
        out = seeded_pass(f, spec, leaves, range(len(leaves)), tangents, tag, blocks)
    dd = tangent_of(out, tag, "forward_gradient")
    return out, np.broadcast_to(np.asarray(dd, dtype=float), (k,)).tolist()
