"""Reverse mode's matrix-vector products as vector nodes: one node per product, not per edge.

Recorded the scalar way, ``y = W x`` (W m x n) leaves m nodes of 2n edges each, and the
backward pass walks every edge in Python: ``x_j.grad += g_i * W_ij``, ``W_ij.grad += g_i *
x_j``. Those are the table's bilinear partials (:data:`dualgrad.rules.BILINEAR`), and summed
over the outputs they are two array products: ``grad x += W^T g`` and ``grad W += outer(g, x)``.
So :func:`value_matvec` records ONE node that keeps W's and x's numbers as float lists, and m output
Values that send their grads into that node's cotangent vector; the node's backward does the
two products in numpy.

Weights are mostly parameters: leaves, used by the same matrix at every position of a
sequence. Nothing flows back from a leaf, so the moment its gradient is added does not
matter: the outer products of every use of one matrix of leaves are deferred to the end of
the pass and summed as one product ``G^T X`` (the uses' cotangents against their inputs),
then added to the leaves once. Weights that are computed (attention's keys and values) get
their gradient at once, as the walk's order needs.

The values are summed in the scalar code's order (a float pass's result, bit for bit); the
gradients are the same sums in another order (BLAS's), equal to rounding. The rule for zero
cotangents is kept: an output whose gradient is 0 sends exactly 0, even through an infinite
weight or input.

>>> from dualgrad.reverse import Value
>>> w = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
>>> x = [Value(1.0), Value(-1.0)]
>>> y = value_matvec(w, x)
>>> z = y[0] * y[1]
>>> z.backward()
>>> [v.data for v in y], [v.grad for v in x], w[1][0].grad
([-1.0, -1.0], [-4.0, -6.0], -1.0)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from itertools import chain
from operator import attrgetter, mul
from typing import Any

import numpy as np

from dualgrad.reverse.value import Value
from dualgrad.vector.settings import SETTINGS

__all__ = ["LeafCache", "LeafMatrix", "MatvecNode", "OutputSenders", "leaf_cache", "value_matvec"]

_new = object.__new__
_data = attrgetter("data")
_kids = attrgetter("_children")
_VALUES = {Value}
_FLOATS = {float}
_NUMBERS = {Value, float, int}

# A leaf no walk ever reaches: it pads a node's children to three. Value.backward dispatches a
# node by its number of children (two, one, else) and sends only the "else" kind, custom
# operations, to a function in `_local_grads`; padding puts vector nodes and their outputs
# there without one more test on the hot paths of the scalar graph.
_PAD = Value(0.0)


class MatvecNode:
    """The node of one ``W x``: what its backward needs, and a cotangent in ``grad``.

    ``_children`` are the computed Values among W and x (the walk orders the node before
    them), padded to three; ``grad`` is 0.0 until an output sends a gradient, then a list of
    the m outputs' gradients.
    """

    __slots__ = ("_children", "_local_grads", "grad", "leaves", "m", "n", "wd", "wv", "xd", "xv")

    _children: tuple[Any, ...]
    _local_grads: Callable[[Any, Any, dict[Any, Any]], None]
    grad: Any
    leaves: LeafMatrix | None  # W when it is a matrix of leaf Values: its gradient can wait
    m: int
    n: int
    wd: list[Any]  # W's numbers, row-major (when it is not a matrix of leaves)
    wv: tuple[Any, ...]  # W's entries (Values or numbers), row-major
    xd: list[Any]  # x's numbers
    xv: tuple[Any, ...]  # x's entries


class LeafMatrix:
    """A matrix of leaf Values and their numbers as a product read them, shared by the
    products that read the same leaves with the same numbers (a layer's weights, used at every
    position of a sequence): its array is made once."""

    __slots__ = ("_array", "cache", "data", "floats", "n", "read", "values")

    def __init__(self, values: tuple[Value, ...], data: list[Any], n: int) -> None:
        self.read: list[list[Any]] | None = None  # the rows it was read from (if lists)
        self.cache: LeafCache | None = None  # the recording's cache that holds it
        self.values = values
        self.data = data
        self.n = n
        self.floats = set(map(type, data)) == _FLOATS  # no ints: numpy's products are exact
        self._array: Any = None

    def array(self) -> Any:
        if self._array is None:
            self._array = np.array(self.data, dtype=float).reshape(-1, self.n)
        return self._array

    def sums(self, xd: list[Any]) -> list[Any]:
        """``[sum(map(mul, row, xd)) for row in rows]``, the same numbers, faster for floats.

        SPECIAL CASE (tests/vector/test_nodes.py checks it against the float pass): numpy's
        products are Python's (each rounded once). Before Python 3.12, ``sum`` adds floats one
        by one from 0.0, as ``np.add.accumulate`` does from the first (+ 0.0 at the end gives
        the one difference, the sign of a zero sum, back); from 3.12 on ``sum`` compensates its
        rounding, so the products go through ``sum`` itself.
        """
        if self.floats and set(map(type, xd)) == _FLOATS:
            with np.errstate(all="ignore"):  # overflow gives inf, as Python's float product
                products = self.array() * np.array(xd, dtype=float)
                if SETTINGS.numpy_sums_in_order:
                    sums: list[Any] = (np.add.accumulate(products, axis=1)[:, -1] + 0.0).tolist()
                    return sums
            return list(map(sum, products.tolist()))
        data, n = self.data, self.n
        return [sum(map(mul, data[i : i + n], xd)) for i in range(0, len(data), n)]


class LeafCache:
    """The leaf matrices the products of one recording (a pass, up to its backward walk) have
    read, by the id of the list of rows they were read from.

    A hit is checked entry by entry (the same Values, the same numbers), so a reused or
    mutated list is read afresh. The cache serves one recording only: the backward walk that
    uses its matrices empties it, and so does a full cache (it keeps the leaves it holds
    alive). Each thread records into its own (:func:`leaf_cache`).
    """

    __slots__ = ("matrices",)

    KEPT = 64  # matrices held at most

    def __init__(self) -> None:
        self.matrices: dict[int, LeafMatrix] = {}

    def kept(self, w: Any, found: LeafMatrix) -> LeafMatrix:
        """`found`, held as the matrix read from the rows `w` (the cache emptied if full)."""
        if len(self.matrices) >= self.KEPT:
            self.matrices.clear()
        self.matrices[id(w)] = found
        found.cache = self
        return found


_recording = threading.local()  # this thread's recording: its LeafCache


def leaf_cache() -> LeafCache:
    """The leaf cache of the recording in this thread (made on first use)."""
    cache: LeafCache | None = getattr(_recording, "leaves", None)
    if cache is None:
        cache = _recording.leaves = LeafCache()
    return cache


def _numbers(entries: tuple[Any, ...]) -> tuple[list[Any], set[type]] | None:
    """(the numbers of Values and plain numbers, the entries' types), or None if an entry is
    anything else (a Dual, a Value subclass ...: the scalar rules decide what that means)."""
    kinds = set(map(type, entries))
    if kinds == _VALUES:
        return list(map(_data, entries)), kinds
    if kinds <= _NUMBERS:
        return [e.data if type(e) is Value else e for e in entries], kinds
    return None


def _leaf_matrix(w: Sequence[Sequence[Any]], n: int) -> LeafMatrix | None:
    """W as a matrix of leaf Values (the recording's, if it holds the same leaves and numbers),
    or None if an entry is anything else."""
    cache = getattr(_recording, "leaves", None)  # (leaf_cache(), inlined: once per product)
    if cache is None:
        cache = leaf_cache()
    known = cache.matrices.get(id(w))
    if known is not None:
        # the same Values (their equality is identity): lists compared with the rows read
        same = w == known.read if type(w) is list else known.values == tuple(chain.from_iterable(w))
        if same:
            data = list(map(_data, known.values))
            if data == known.data:
                return known
            found = LeafMatrix(known.values, data, n)
            found.read = known.read
            return cache.kept(w, found)
    wv = tuple(chain.from_iterable(w))
    if set(map(type, wv)) != _VALUES or any(map(_kids, wv)):
        return None
    found = LeafMatrix(wv, list(map(_data, wv)), n)
    found.read = [list(row) for row in w] if type(w) is list else None
    return cache.kept(w, found)


def value_matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any] | None:
    """``[sum(row_i * x) for row in w]`` as m Values over one vector node, or None when an
    entry is neither a Value nor a plain number, or no entry is a Value (the caller's scalar
    path decides then). The caller has checked the shapes (every row as long as x, n >= 1).
    """
    m, n = len(w), len(x)
    xv = tuple(x)
    xs = _numbers(xv)
    if xs is None:
        return None
    xd, x_kinds = xs
    leaves = _leaf_matrix(w, n) if SETTINGS.leaf_matrices else None
    inner = [v for v in xv if type(v) is Value and v._children]
    if leaves is not None:
        ys = leaves.sums(xd)
        wd: list[Any] = []
        wv = leaves.values
    else:
        wv = tuple(chain.from_iterable(w))
        ws = _numbers(wv)
        if ws is None:
            return None
        wd, w_kinds = ws
        if Value not in x_kinds and Value not in w_kinds:
            return None  # numbers only
        rows = [wd[i : i + n] for i in range(0, m * n, n)]
        ys = [sum(map(mul, row, xd)) for row in rows]  # the scalar code's order: a float pass's
        inner += [v for v in wv if type(v) is Value and v._children]
    node = _new(MatvecNode)
    node._children = tuple(inner) if len(inner) >= 3 else (*inner, *(_PAD,) * (3 - len(inner)))
    node._local_grads = _backward
    node.grad = 0.0
    node.leaves = leaves
    node.m = m
    node.n = n
    node.wd = wd
    node.wv = wv
    node.xd = xd
    node.xv = xv
    kids = (node, _PAD, _PAD)
    outs: list[Any] = []
    append = outs.append
    for y, slot in zip(ys, OUTPUT_SENDERS.first(m), strict=True):
        out = _new(Value)
        out.data = y
        out.grad = 0.0
        out._children = kids  # type: ignore[assignment]  # a node among Values: see MatvecNode
        out._local_grads = slot
        append(out)
    return outs


# -- the backward pass ----------------------------------------------------------------------------
Sender = Callable[[Any, Any, dict[Any, Any]], None]


def _sender(i: int) -> Sender:
    def send(out: Value, g: Any, deferred: dict[Any, Any]) -> None:
        """Output i of a vector node: its gradient goes to entry i of the node's cotangent."""
        node: Any = out._children[0]
        cot = node.grad
        if type(cot) is not list:  # the walk reset it to 0.0: the first output to send
            cot = node.grad = [0.0] * node.m
        cot[i] += g

    return send


class OutputSenders:
    """The backward functions of the outputs of vector nodes, by output index: the one of
    output i sends its gradient to entry i of its node's cotangent. They hold nothing but i,
    so every node shares them (made once per index, for the process)."""

    __slots__ = ("_lock", "made")

    def __init__(self) -> None:
        self.made: list[Sender] = []
        self._lock = threading.Lock()

    def first(self, m: int) -> list[Sender]:
        """The senders of outputs 0 .. m-1."""
        made = self.made
        if len(made) < m:
            with self._lock:  # two threads growing the list at once would misplace an index
                made.extend(_sender(i) for i in range(len(made), m))
        return made[:m]


OUTPUT_SENDERS = OutputSenders()


def _backward(node: MatvecNode, cot: list[Any], deferred: dict[Any, Any]) -> None:
    """grad x += W^T g now; grad W += outer(g, x) now, or at the end for a matrix of leaves."""
    with np.errstate(all="ignore"):  # inf and nan propagate as the scalar rules give them
        g = np.array(cot, dtype=float)
        leaves = node.leaves
        if leaves is not None:
            wd = leaves.array()
        else:
            wd = np.array(node.wd, dtype=float).reshape(node.m, node.n)
        live = None
        if 0.0 in cot:  # outputs with no gradient send nothing (not 0 * inf = nan)
            live = g != 0
            gx = g[live] @ wd[live]
        else:
            gx = g @ wd
        for v, d in zip(node.xv, gx.tolist(), strict=True):
            if type(v) is Value:
                v.grad += d
        if leaves is not None:
            group = deferred.get(leaves)
            if group is None:
                group = deferred[leaves] = _LeafGradient(leaves.values, leaves.cache)
            group.gs.append(g)
            group.xs.append(node.xd)
            return
        gw = np.outer(g, np.array(node.xd, dtype=float))
        if live is not None:
            gw[~live] = 0.0
        for v, d in zip(node.wv, gw.ravel().tolist(), strict=True):
            if type(v) is Value:
                v.grad += d


class _LeafGradient:
    """The deferred gradient of a matrix of leaf Values: its uses' cotangents and inputs,
    summed as one product when the walk is over (Value.backward calls it)."""

    __slots__ = ("cache", "gs", "values", "xs")

    def __init__(self, values: tuple[Value, ...], cache: LeafCache | None) -> None:
        self.values = values
        self.cache = cache
        self.gs: list[Any] = []
        self.xs: list[list[Any]] = []

    def __call__(self) -> None:
        with np.errstate(all="ignore"):
            g = np.array(self.gs)
            x = np.array(self.xs, dtype=float)
            if np.isfinite(x).all():  # a zero cotangent meets only finite inputs: 0 exactly
                gw = g.T @ x
            else:  # keep "zero sends exactly 0" through an infinite or nan input
                gw = np.zeros((g.shape[1], x.shape[1]))
                for gt, xt in zip(g, x, strict=True):
                    live = gt != 0
                    gw[live] += np.outer(gt[live], xt)
        for v, d in zip(self.values, gw.ravel().tolist(), strict=True):
            v.grad += d
        if self.cache is not None:  # the pass is over: its leaves need not outlive it
            self.cache.matrices.clear()
