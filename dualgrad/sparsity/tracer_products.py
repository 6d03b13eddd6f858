"""Products and linear algebra on traced arrays.

Every product (matmul, dot, tensordot, inner, outer, einsum ...) is read as an einsum. An
output entry depends on the entries of each traced operand that meet it in a term of the sum:

- a traced operand and a constant one: only the terms where the constant is nonzero (a
  constant matrix's sparsity carries over, so ``A @ x`` with a banded A is banded) - this is
  tighter than the scalar Tracer's pattern, which passes sets through ``0.0 * t``;
- two traced operands (or more operands): the union of each one's entries along the summed
  letters, broadcast to the output (d(a b) = da b + a db, zeros or not).

``numpy.linalg`` functions make every output entry depend on every input entry (their
derivatives are dense in general); ``norm`` unions along its axes.

>>> import numpy as np
>>> from dualgrad.sparsity.tracer_array import TracerArray
>>> A = np.array([[1.0, 0.0], [2.0, 3.0]])
>>> [sorted(t.deps) for t in A @ TracerArray.inputs(np.ones(2))]
[[0], [0, 1]]
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import numpy as np

from dualgrad.sparsity.tracer_array import Table, TracerArray, as_parts, from_parts
from dualgrad.vector.dualarray.products import _explicit

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation on traced arrays."""


def _expand(subscripts: str, shapes: Sequence[tuple[int, ...]]) -> tuple[list[str], str]:
    """Input and output terms with '...' replaced by letters (right-aligned, as numpy
    broadcasts them)."""
    inputs, output = _explicit(subscripts.replace(" ", ""))
    spans = [
        len(s) - (len(t) - 3) if "..." in t else 0 for t, s in zip(inputs, shapes, strict=True)
    ]
    spare = [c for c in string.ascii_letters if c not in subscripts]
    pool = "".join(spare[: max(spans, default=0)])
    terms = [t.replace("...", pool[len(pool) - e :]) for t, e in zip(inputs, spans, strict=True)]
    return terms, output.replace("...", pool)


def _broadcast(terms: list[str], operands: list[Any]) -> tuple[list[str], list[Any]]:
    """Axes of size 1 against a longer letter elsewhere taken out (numpy broadcasts them)."""
    extent: dict[str, int] = {}
    for t, x in zip(terms, operands, strict=True):
        for c, n in zip(t, np.shape(as_parts(x)[0]), strict=True):
            extent[c] = max(extent.get(c, 1), n)
    out_terms, out_ops = [], []
    for t, x in zip(terms, operands, strict=True):
        shape = np.shape(as_parts(x)[0])
        drop = [a for a, c in enumerate(t) if shape[a] == 1 and extent[c] > 1]
        if drop:
            x = x[tuple(0 if a in drop else slice(None) for a in range(len(t)))]
            t = "".join(c for a, c in enumerate(t) if a not in drop)
        out_terms.append(t)
        out_ops.append(x)
    return out_terms, out_ops


def contract(subscripts: str, operands: Sequence[Any], value: Any) -> Any:
    """`value` (the einsum of the operands' values) with the sets of :mod:`its rules <.>`."""
    shapes = [np.shape(as_parts(x)[0]) for x in operands]
    terms, out = _expand(subscripts, shapes)
    terms, ops = _broadcast(terms, list(operands))
    traced = [i for i, x in enumerate(ops) if as_parts(x)[1] is not None]
    if len(ops) == 2 and len(traced) == 1:
        (t,) = traced
        return from_parts(value, _pruned(terms[1 - t], ops[1 - t], terms[t], ops[t], out))
    parts = [_spread(terms[i], ops[i], out, np.shape(value)) for i in traced]
    return reduce(np.add, parts)  # (add passes both sets on: their union)


def _distinct(term: str, ids: Any) -> tuple[str, Any]:
    """A term's repeated letters (a diagonal) taken once: einsum on ids is a selection."""
    unique = "".join(dict.fromkeys(term))
    return unique, (ids if unique == term else np.einsum(f"{term}->{unique}", ids))


def _reduced(term: str, x: Any, keep: str) -> tuple[str, Any, Table]:
    """x's entries united along its letters not in `keep`: (letters left, their
    TracerArray of sets, as a table's operand)."""
    table = Table()
    _, ids = table.ids(x)
    term, ids = _distinct(term, ids)
    kept = "".join(c for c in term if c in keep)
    gone = "".join(c for c in term if c not in keep)
    moved = np.einsum(f"{term}->{kept}{gone}", ids) if term != kept + gone else ids
    shape = moved.shape[: len(kept)]
    lanes = moved.reshape(int(np.prod(shape)), -1)
    deps = table.lanes(lanes) if lanes.shape[1] else table.select(np.full(len(lanes), -1))
    grid = TracerArray(np.zeros(shape), *deps)
    out = Table()
    out.ids(grid)
    return kept, grid, out


def _spread(term: str, x: Any, out: str, shape: tuple[int, ...]) -> Any:
    """One traced operand's share of a product: its sets along the summed letters, united,
    broadcast to the output."""
    kept, grid, table = _reduced(term, x, out)
    _, ids = table.ids(grid)
    order = sorted(kept, key=out.index)
    ids = np.einsum(f"{kept}->{''.join(order)}", ids) if list(kept) != order else ids
    ids = ids.reshape([np.shape(ids)[order.index(c)] if c in order else 1 for c in out])
    return from_parts(np.zeros(shape), table.select(np.broadcast_to(ids, shape).reshape(-1)))


def _pruned(const_term: str, const: Any, term: str, x: Any, out: str) -> Any:
    """Sets of a product of a constant and a traced operand: only the terms where the
    constant is nonzero."""
    mask_term, mask = _distinct(const_term, (np.asarray(const) != 0).astype(np.int8))
    kept, grid, table = _reduced(term, x, out + mask_term)
    private = "".join(c for c in mask_term if c not in out and c not in kept)
    mask_kept = "".join(c for c in mask_term if c not in private)
    if private:  # (a selection, then any(): no int8 sums to overflow)
        moved = np.einsum(f"{mask_term}->{mask_kept}{private}", mask)
        mask = moved.reshape((*moved.shape[: len(mask_kept)], -1)).any(axis=-1)
    coords = dict(zip(mask_kept, (c[:, None] for c in np.nonzero(mask)), strict=True))
    free = [c for c in kept if c not in coords]
    extents = dict(zip(kept, np.shape(grid.value), strict=True))
    for c, n in zip(mask_kept, np.shape(mask), strict=True):
        extents.setdefault(c, n)
    grid_at: Any = np.indices([extents[c] for c in free]).reshape(len(free), -1) if free else None
    coords.update({c: grid_at[i][None, :] for i, c in enumerate(free)})
    size = int(np.prod([extents[c] for c in out]))
    out_ids, in_ids = _flat(out, coords, extents), _flat(kept, coords, extents)
    out_ids, in_ids = np.broadcast_arrays(out_ids, in_ids)
    return table.union(out_ids.reshape(-1), in_ids.reshape(-1), size)


def _flat(term: str, coords: dict[str, Any], extents: dict[str, int]) -> Any:
    """Flat C-order positions in an array with axes `term`, from each letter's coordinates."""
    at: Any = np.zeros((1, 1), dtype=np.intp)
    for c in term:
        at = at * extents[c] + coords[c]
    return at


# -- the products as einsums ------------------------------------------------------------------
def _values(items: Sequence[Any]) -> list[Any]:
    return [as_parts(x)[0] for x in items]


def _einsum(subscripts: Any, *operands: Any, **kwargs: Any) -> Any:
    if not isinstance(subscripts, str):
        raise TypeError("np.einsum in sparsity tracing takes its subscripts as a string")
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"np.einsum in sparsity tracing takes no {', '.join(kwargs)} argument")
    return contract(subscripts, operands, np.einsum(subscripts, *_values(operands)))


def _matmul(a: Any, b: Any, **kwargs: Any) -> Any:
    va, vb = _values([a, b])
    value = np.matmul(va, vb, **kwargs)
    left = "...ij" if np.ndim(va) > 1 else "j"
    right = "...jk" if np.ndim(vb) > 1 else "j"
    result = "..." + ("i" if np.ndim(va) > 1 else "") + ("k" if np.ndim(vb) > 1 else "")
    return contract(f"{left},{right}->{result}", [a, b], value)


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    va, vb = _values([a, b])
    if np.ndim(va) == 0 or np.ndim(vb) == 0:
        return np.multiply(a, b)
    letters = iter(string.ascii_letters)
    fa = "".join(next(letters) for _ in range(np.ndim(va) - 1))
    fb = "".join(next(letters) for _ in range(max(np.ndim(vb) - 2, 0)))
    s, last = next(letters), (next(letters) if np.ndim(vb) > 1 else "")
    return contract(f"{fa}{s},{fb}{s}{last}->{fa}{fb}{last}", [a, b], np.dot(va, vb))


def _tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    va, vb = _values([a, b])
    na, nb = np.ndim(va), np.ndim(vb)
    if isinstance(axes, int):
        ia, ib = list(range(na - axes, na)), list(range(axes))
    else:
        ia, ib = ([x] if isinstance(x, int) else list(x) for x in axes)
    ia, ib = [i % na for i in ia], [i % nb for i in ib]
    ta = list(string.ascii_letters[:na])
    tb = list(string.ascii_letters[na : na + nb])
    for i, j in zip(ia, ib, strict=True):
        tb[j] = ta[i]
    out = [c for i, c in enumerate(ta) if i not in ia] + [
        c for j, c in enumerate(tb) if j not in ib
    ]
    spec = f"{''.join(ta)},{''.join(tb)}->{''.join(out)}"
    return contract(spec, [a, b], np.tensordot(va, vb, axes))


def _inner(a: Any, b: Any) -> Any:
    va, vb = _values([a, b])
    if np.ndim(va) == 0 or np.ndim(vb) == 0:
        return np.multiply(a, b)
    return _tensordot(a, b, ([-1], [-1]))


def _outer(a: Any, b: Any, out: Any = None) -> Any:
    return np.multiply(np.reshape(a, (-1, 1)), np.reshape(b, (1, -1)))


FUNCTIONS.update(
    {
        np.einsum: _einsum,
        np.matmul: _matmul,
        np.dot: _dot,
        np.tensordot: _tensordot,
        np.inner: _inner,
        np.outer: _outer,
        np.vdot: lambda a, b: _dot(np.ravel(a), np.ravel(b)),
        np.linalg.multi_dot: lambda arrays, **kw: reduce(_dot, arrays),
    }
)
for _name, _spec in (("matvec", "...ij,...j->...i"), ("vecmat", "...j,...ji->...i")):
    if hasattr(np, _name):
        FUNCTIONS[getattr(np, _name)] = lambda a, b, _s=_spec, **kw: _einsum(_s, a, b)
for _owner in (np, np.linalg):
    if hasattr(_owner, "vecdot"):
        FUNCTIONS[_owner.vecdot] = lambda a, b, axis=-1, **kw: np.sum(np.multiply(a, b), axis)
for _name in ("matmul", "tensordot", "outer"):
    if hasattr(np.linalg, _name):
        FUNCTIONS[getattr(np.linalg, _name)] = FUNCTIONS[getattr(np, _name)]


# -- numpy.linalg -----------------------------------------------------------------------------
def _dense(func: Any) -> Callable[..., Any]:
    """Every float output entry depends on every entry of every traced argument."""

    def dense(*args: Any, **kwargs: Any) -> Any:
        traced = [x.indices for x in args if type(x) is TracerArray]
        value = func(*(x.value if type(x) is TracerArray else x for x in args), **kwargs)
        every = np.unique(np.concatenate(traced))

        def spread(v: Any) -> Any:
            if np.asarray(v).dtype.kind != "f":
                return v
            size = np.size(v)
            indptr = np.arange(size + 1, dtype=np.intp) * len(every)
            return from_parts(v, (indptr, np.tile(every, size)))

        if isinstance(value, tuple):
            outs = [spread(v) for v in value]
            return type(value)(*outs) if hasattr(value, "_fields") else tuple(outs)
        return spread(value)

    return dense


for _name in (
    "solve", "inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh", "eig", "eigvals", "svd",
    "svdvals", "lstsq", "pinv", "matrix_power", "qr", "tensorsolve", "tensorinv", "cond",
):  # fmt: skip
    if hasattr(np.linalg, _name):
        FUNCTIONS[getattr(np.linalg, _name)] = _dense(getattr(np.linalg, _name))
FUNCTIONS[np.linalg.matrix_rank] = lambda a, *args, **kw: np.linalg.matrix_rank(
    as_parts(a)[0], *args, **kw
)
