"""Jacobians and Hessians in the structure of their outputs and inputs, as JAX returns them.

``jax.jacfwd`` of a function from a dict to a dict gives a dict (the outputs) of dicts (the
inputs); an array leaf gives an array of shape ``out.shape + in.shape``. The drivers compute
the flat matrix ``rows[i][j] = d out_i / d in_j`` over the flattened leaves; :func:`nest`
puts it back in that structure. They do so when a dict is involved: lists of numbers keep
their lists of lists, arrays their arrays (the flat matrix already is that structure).

>>> from dualgrad.tree import flatten
>>> out, inp = flatten({"u": 0.0, "v": 0.0})[1], flatten({"a": 0.0, "b": 0.0})[1]
>>> nest(out, inp, [[1.0, 2.0], [3.0, 4.0]])
{'u': {'a': 1.0, 'b': 2.0}, 'v': {'a': 3.0, 'b': 4.0}}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from dualgrad.numbers.base import vector
from dualgrad.tree import Spec, unflatten

__all__ = ["has_dict", "nest"]

_LEAF = Spec("leaf")
Block = tuple[int, int, "tuple[int, ...] | None"]  # first flat leaf, size, array shape or None


def has_dict(spec: Spec | None) -> bool:
    """Whether the tree holds a dict anywhere."""
    if spec is None or spec.kind in ("leaf", "array"):
        return False
    return spec.kind == "dict" or any(map(has_dict, spec.children))


def _blocks(spec: Spec, at: int, out: list[Block]) -> Spec:
    """`spec` with each array as one leaf; appends each leaf's block of flat leaves to `out`."""
    if spec.kind in ("leaf", "array"):
        out.append((at, spec.size, spec.shape if spec.kind == "array" else None))
        return _LEAF
    kids = []
    for child in spec.children:
        kids.append(_blocks(child, at, out))
        at += child.size
    flat = spec.kind != "dict" and all(k is _LEAF for k in kids)
    size = sum(k.size for k in kids)
    return dataclasses.replace(spec, children=tuple(kids), size=size, flat=flat)


def nest(out_spec: Spec | None, in_spec: Spec, rows: Sequence[Sequence[Any]]) -> Any:
    """The flat matrix `rows` (outputs by inputs) as a tree of the outputs whose leaves are
    trees of the inputs; a pair of array leaves gives one array of both shapes."""
    inputs: list[Block] = []
    in_tree = _blocks(in_spec, 0, inputs)
    outputs: list[Block] = []
    out_tree = _blocks(out_spec, 0, outputs) if out_spec is not None else _LEAF
    if out_spec is None:
        outputs = [(0, len(rows), None)]

    def entry(o: Block, i: Block) -> Any:
        (oi, on, oshape), (ii, n, ishape) = o, i
        if oshape is None and ishape is None:
            return rows[oi][ii]
        block = [v for row in rows[oi : oi + on] for v in row[ii : ii + n]]
        return vector().rebuild(block, (oshape or ()) + (ishape or ()))

    trees = [unflatten(in_tree, [entry(o, i) for i in inputs]) for o in outputs]
    return unflatten(out_tree, trees)
