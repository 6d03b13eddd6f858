"""Sparse Jacobians in a handful of passes: detect the pattern, color the columns, seed one
tangent per color, read the entries back.

>>> from dualgrad import sparse_jacobian
>>> def f(x):  # each output depends on its neighbours only
...     n = len(x)
...     return [x[i - 1] * x[i] if i else x[0] + x[1] for i in range(n)]
>>> J = sparse_jacobian(f, [1.0, 2.0, 3.0, 4.0, 5.0])
>>> J.colors, J.passes
(2, 3)
>>> J.todense()[2]
[0.0, 3.0, 2.0, 0.0, 0.0]
>>> again = sparse_jacobian(f, [2.0, 2.0, 2.0, 2.0, 2.0], sparsity=J)
>>> again.passes  # the pattern and its coloring are reused: no detection
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dualgrad.drivers.memory import paused_gc
from dualgrad.drivers.seeding import check_leaves, has_arrays, seeded_pass
from dualgrad.drivers.tags import Tagged, tangent_of, value_of
from dualgrad.numbers.base import vector
from dualgrad.numbers.dual import Dual
from dualgrad.sparsity.coloring import color_columns
from dualgrad.sparsity.pattern import Coloring, SparseMatrix, SparsityPattern
from dualgrad.sparsity.tracer import Tracer
from dualgrad.tree import flatten, is_real, unflatten

__all__ = ["METHODS", "SparseJacobian", "jacobian_sparsity", "sparse_jacobian"]


@dataclass(frozen=True)
class SparseJacobian(SparseMatrix):
    """What :func:`sparse_jacobian` returns: a :class:`SparseMatrix` holding a Jacobian."""


METHODS = ("auto", "colors", "chunked", "sparse")
"""How compressed passes carry their tangents: one pass per color with float tangents
("colors"), one pass with a numpy tangent of one entry per color ("chunked"), or one pass with
index-value tangents of one entry per column and no coloring ("sparse"). "auto" takes "colors"
up to :data:`AUTO_COLORS` colors (or without numpy), else "chunked": measured by
benchmarks/sparse_jacobian.py, float passes win at 3 colors and one numpy pass at 10, the two
are within 20% at 7-8 colors, and index-value tangents never win (they pay numpy's
per-operation cost on every entry)."""

AUTO_COLORS = 4


def _inputs(x: Any, what: str) -> tuple[list[Any], Any]:
    leaves, spec = flatten(x)
    check_leaves(leaves, spec, what)
    if not leaves:
        raise ValueError(f"{what}: x has no numbers to differentiate with respect to")
    return leaves, spec


def _call(f: Callable[[Any], Any], spec: Any, seeded: list[Any]) -> list[Any]:
    with paused_gc():
        out = f(seeded[0] if spec.kind == "leaf" else unflatten(spec, seeded, numbers=True))
    if type(out) is list and set(map(type, out)) <= _FLAT:  # a flat list: skip the tree walk
        return out
    outs, _ = flatten(out)
    return outs


_FLAT = {Dual, Tracer, float, int}


def _deps(out: Any, what: str) -> frozenset[int]:
    if isinstance(out, Tracer):
        return out.deps
    if is_real(out):
        return frozenset()
    raise TypeError(f"{what}: the function must return real numbers, it returned {out!r}")


def jacobian_sparsity(f: Callable[[Any], Any], x: Any) -> SparsityPattern:
    """Where the Jacobian of `f` at `x` may be nonzero, from one pass with index-set numbers.

    The values follow x, so branches take x's side: the pattern is the one at x's branches
    (another x may branch elsewhere). It may hold entries that are zero at x (a partial that
    vanishes there), never miss one that is not.

    >>> jacobian_sparsity(lambda v: [v[0] * v[1], v[2]], [1.0, 2.0, 3.0]).todense()
    [[True, True, False], [False, False, True]]
    """
    leaves, spec = _inputs(x, "jacobian_sparsity")
    if has_arrays(spec):  # float arrays: traced whole (numpy loaded: an array is there)
        from dualgrad.sparsity.arrays import array_sparsity

        return array_sparsity(f, spec, leaves)
    return scalar_sparsity(f, spec, leaves)


def scalar_sparsity(f: Callable[[Any], Any], spec: Any, leaves: list[Any]) -> SparsityPattern:
    """The pattern from one Tracer per leaf (arrays as object arrays of them): the path for
    lists of numbers, and the reference the traced arrays are tested against."""
    traced = [Tracer(v, frozenset((j,))) for j, v in enumerate(leaves)]
    outs = _call(f, spec, traced)
    return SparsityPattern.from_rows([_deps(o, "jacobian_sparsity") for o in outs], len(leaves))


def _coloring(sparsity: Any, n: int, order: str) -> Coloring:
    if isinstance(sparsity, SparseMatrix):
        sparsity = sparsity.sparsity
    if isinstance(sparsity, SparsityPattern):
        sparsity = Coloring(sparsity, tuple(color_columns(sparsity.by_row(), n, order)))
    if not isinstance(sparsity, Coloring):
        raise TypeError(
            "sparsity= takes an earlier result of sparse_jacobian (or its .sparsity) or a "
            f"SparsityPattern from jacobian_sparsity, not {type(sparsity).__name__}"
        )
    if sparsity.pattern.shape[1] != n:
        raise ValueError(
            f"sparsity= is a pattern of {sparsity.pattern.shape[1]} columns, but x has {n} "
            "numbers: pass the result of a call at an x of the same size"
        )
    return sparsity


def sparse_jacobian(
    f: Callable[[Any], Any],
    x: Any,
    *,
    sparsity: Any = None,
    method: str = "auto",
    order: str = "best",
) -> SparseJacobian:
    """The Jacobian of `f` at `x` from one forward pass per color of its columns.

    Detects the pattern (:func:`jacobian_sparsity`, one pass), colors the columns so that
    columns of one color share no row (:func:`~dualgrad.sparsity.coloring.color_columns`,
    `order` picks the greedy ordering), seeds every column of a color with the same tangent
    and reads each entry from its row's compressed value. A tridiagonal Jacobian takes 3
    colors at any size. `method` picks how the passes carry their tangents (:data:`METHODS`).

    ``sparsity=`` takes an earlier result (or a :class:`SparsityPattern`): detection and
    coloring are skipped, so a Newton loop pays them once. The pattern must still hold at the
    new x (the same branches): with the coloring methods an entry off the pattern would fold
    into another, while ``method="sparse"`` checks and raises.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    leaves, spec = _inputs(x, "sparse_jacobian")
    n = len(leaves)
    passes = 0
    if sparsity is None:
        sparsity = jacobian_sparsity(f, x)
        passes = 1
    coloring = _coloring(sparsity, n, order)
    pattern = coloring.pattern
    if method == "auto":
        method = "colors" if coloring.count <= AUTO_COLORS or not _has_numpy() else "chunked"
    with Tagged() as tag:
        evaluate = {"colors": _by_color, "chunked": _chunked, "sparse": _sparse}[method]
        if method != "sparse" and has_arrays(spec):  # float arrays: one dual array pass
            evaluate, method = _array_pass, "chunked"
        values, value, used = evaluate(f, spec, leaves, coloring, tag)
    return SparseJacobian(
        pattern.shape,
        pattern.rows,
        pattern.cols,
        values,
        passes + used,
        coloring.count,
        coloring.colors,
        method,
        value,
        coloring,
        spec.kind == "array",
    )


def _check_rows(outs: Sequence[Any], pattern: SparsityPattern) -> None:
    if len(outs) != pattern.shape[0]:
        raise ValueError(
            f"sparse_jacobian: the function returned {len(outs)} numbers, the sparsity "
            f"pattern has {pattern.shape[0]} rows"
        )


def _by_color(
    f: Callable[[Any], Any], spec: Any, leaves: list[Any], coloring: Coloring, tag: int
) -> tuple[list[Any], list[Any], int]:
    """One pass per color, float tangents: column j carries 1.0 in the pass of its color."""
    pattern, colors = coloring.pattern, coloring.colors
    members: list[list[int]] = [[] for _ in range(coloring.count)]
    for j, c in enumerate(colors):
        members[c].append(j)
    compressed: list[list[Any]] = []
    value: list[Any] = []
    for group in members or [[]]:
        seeded = list(leaves)
        for j in group:
            seeded[j] = Dual.from_parts(leaves[j], 1.0, tag)
        outs = _call(f, spec, seeded)
        _check_rows(outs, pattern)
        compressed.append([tangent_of(o, tag, "sparse_jacobian") for o in outs])
        if not value:
            value = [value_of(o, tag) for o in outs]
    values = [compressed[colors[j]][i] for i, j in zip(pattern.rows, pattern.cols, strict=True)]
    return values, value, len(members or [[]])


def _has_numpy() -> bool:
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError(
            "method='chunked' and method='sparse' need numpy: pip install 'dualgrad[fast]' "
            "(or use method='colors')"
        ) from None
    return numpy


def _chunked(
    f: Callable[[Any], Any], spec: Any, leaves: list[Any], coloring: Coloring, tag: int
) -> tuple[list[Any], list[Any], int]:
    """One pass; column j carries row colors[j] of the identity of size `colors`."""
    np = _numpy()
    pattern, p = coloring.pattern, max(coloring.count, 1)
    eye = list(np.eye(p))
    seeded = [Dual.from_parts(v, eye[c], tag) for v, c in zip(leaves, coloring.colors, strict=True)]
    with vector().chunked_pass(p):  # one BLAS thread, freed heap kept for the next pass
        outs = _call(f, spec, seeded)
    _check_rows(outs, pattern)
    table = np.zeros((len(outs), p))
    for i, o in enumerate(outs):
        table[i] = tangent_of(o, tag, "sparse_jacobian")  # a vector, or 0.0 for a constant
    rows = np.asarray(pattern.rows, dtype=np.intp)
    cols = np.asarray(coloring.colors, dtype=np.intp)[np.asarray(pattern.cols, dtype=np.intp)]
    values = table[rows, cols].tolist() if len(rows) else []
    return values, [value_of(o, tag) for o in outs], 1


def _array_pass(
    f: Callable[[Any], Any], spec: Any, leaves: list[Any], coloring: Coloring, tag: int
) -> tuple[list[Any], list[Any], int]:
    """One pass with the arrays as dual arrays, k = colors: column j seeds tangent e_colors[j]
    (a tangent block of width `colors`, never n x n); entries read from the compressed rows."""
    np = _numpy()
    layer, p = vector(), max(coloring.count, 1)
    blocks = layer.ArrayBlocks(spec, leaves)
    seeds = layer.unit_seeds(p, coloring.colors)
    with layer.chunked_pass(p):
        out = seeded_pass(f, spec, leaves, range(len(leaves)), seeds, tag, blocks)
    found = layer.output_rows(out, tag, p)
    if found is None:  # no dual array among the outputs: the numbers one by one
        outs = flatten(out)[0]
        table = np.zeros((len(outs), p))
        for i, o in enumerate(outs):
            table[i] = tangent_of(o, tag, "sparse_jacobian")
        value = [value_of(o, tag) for o in outs]
    else:
        value, _, rows = found
        table = np.array(rows, dtype=np.float64).reshape(-1, p)
    _check_rows(value, coloring.pattern)
    pattern = coloring.pattern
    rows_at = np.asarray(pattern.rows, dtype=np.intp)
    cols_at = np.asarray(coloring.colors, dtype=np.intp)[np.asarray(pattern.cols, dtype=np.intp)]
    return (table[rows_at, cols_at].tolist() if len(rows_at) else []), value, 1


def _sparse(
    f: Callable[[Any], Any], spec: Any, leaves: list[Any], coloring: Coloring, tag: int
) -> tuple[list[Any], list[Any], int]:
    """One pass, no coloring: column j carries the one-hot index-value tangent e_j."""
    np = _numpy()
    from dualgrad.vector.sparse import Sparse

    pattern, n = coloring.pattern, len(leaves)
    seeded = [Dual.from_parts(v, Sparse.one_hot(j, n), tag) for j, v in enumerate(leaves)]
    outs = _call(f, spec, seeded)  # (no chunked_pass: its layouts would repack the tangents)
    _check_rows(outs, pattern)
    keys, vals = [], []
    for i, o in enumerate(outs):
        t = tangent_of(o, tag, "sparse_jacobian")
        if isinstance(t, Sparse):
            keys.append(t.indices + i * n)
            vals.append(np.asarray(t.values, dtype=float))
        elif hasattr(t, "shape"):  # grown dense
            nz = np.flatnonzero(t)
            keys.append(nz + i * n)
            vals.append(t[nz])
        elif t != 0:  # pragma: no cover - a scalar tangent only arises for constants
            raise AssertionError(f"unexpected tangent {t!r}")
    want = np.asarray(pattern.rows, dtype=np.int64) * n + np.asarray(pattern.cols, dtype=np.int64)
    values = np.zeros(len(want))
    if keys:
        got, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=np.concatenate(vals), minlength=len(got))
        at = np.searchsorted(want, got)
        found = (at < len(want)) & (want[np.minimum(at, len(want) - 1)] == got)
        stray = ~found & (sums != 0)
        if stray.any():
            i, j = divmod(int(got[stray][0]), n)
            raise ValueError(
                f"sparse_jacobian: entry ({i}, {j}) is nonzero but outside the sparsity pattern "
                "given (the function branches differently at this x): detect it again"
            )
        values[at[found]] = sums[found]
    return values.tolist(), [value_of(o, tag) for o in outs], 1
