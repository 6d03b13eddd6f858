"""Bilinear functions on dual arrays: matmul, dot, tensordot, einsum, inner, outer, vdot.

Each is linear in each argument (the table's bilinear rule, :data:`dualgrad.rules.BILINEAR`:
the mul rule summed), so d(a @ b) = da @ b + a @ db, each term one BLAS call on the tangent
block: the k tangents ride as one more free axis of the product.

>>> import numpy as np
>>> from dualgrad.vector.dualarray import DualArray
>>> w = DualArray(np.array([1.0, 2.0]), np.eye(2))
>>> (np.array([[1.0, 0.0], [3.0, 4.0]]) @ w).tangent.tolist()
[[1.0, 0.0], [3.0, 4.0]]
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.vector.dualarray.core import from_parts
from dualgrad.vector.dualarray.shapes import parts

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
"""numpy function -> implementation (merged into DualArray.functions by the package)."""


def _tensordot_parts(va: Any, ta: Any, vb: Any, tb: Any, axes: Any) -> Any:
    """d tensordot(a, b) = tensordot(da, b) + tensordot(a, db), the k tangents last."""
    (ia, ib) = _axes_pair(axes, np.ndim(va), np.ndim(vb))
    tangent = None
    if ta is not None:  # tensordot(da, b): da's free axes, then k, then b's: move k last
        term = np.tensordot(ta, vb, axes=(ia, ib))
        tangent = np.moveaxis(term, np.ndim(va) - len(ia), -1)
    if tb is not None:  # b's tangent axis is its last free axis: already last
        term = np.tensordot(va, tb, axes=(ia, ib))
        tangent = term if tangent is None else tangent + term
    return tangent


def _axes_pair(axes: Any, na: int, nb: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(na - axes, na)), list(range(axes))
    ia, ib = axes
    ia = [ia] if isinstance(ia, int) else list(ia)
    ib = [ib] if isinstance(ib, int) else list(ib)
    return [a % na for a in ia], [b % nb for b in ib]


def _tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    tag, (va, vb), (ta, tb), _ = parts([a, b])
    value = np.tensordot(va, vb, axes=axes)
    return from_parts(value, _tensordot_parts(va, ta, vb, tb, axes), tag)


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    if out is not None:
        raise TypeError("np.dot on dual arrays takes no out argument")
    tag, (va, vb), (ta, tb), _ = parts([a, b])
    na, nb = np.ndim(va), np.ndim(vb)
    if na == 0 or nb == 0:
        return np.multiply(a, b)
    # dot sums over a's last axis and b's second-to-last (its only one for a vector)
    axes = ([na - 1], [max(nb - 2, 0)])
    return from_parts(np.dot(va, vb), _tensordot_parts(va, ta, vb, tb, axes), tag)


def _matmul(a: Any, b: Any, **kwargs: Any) -> Any:
    if kwargs:
        raise TypeError(f"np.matmul on dual arrays takes no {', '.join(kwargs)} argument")
    _tag, (va, vb), _, _ = parts([a, b])
    if np.ndim(va) == 0 or np.ndim(vb) == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    if np.ndim(va) <= 2 and np.ndim(vb) <= 2:  # no stacks: matmul is dot
        return _dot(a, b)
    return _einsum("...ij,...jk->...ik" if np.ndim(vb) > 1 else "...ij,...j->...i", a, b)


def _inner(a: Any, b: Any) -> Any:
    _tag, (va, vb), _, _ = parts([a, b])
    if np.ndim(va) == 0 or np.ndim(vb) == 0:
        return np.multiply(a, b)
    return _tensordot(a, b, axes=([-1], [-1]))


def _outer(a: Any, b: Any, out: Any = None) -> Any:
    a, b = np.ravel(a), np.ravel(b)
    return np.multiply(np.reshape(a, (-1, 1)), np.reshape(b, (1, -1)))


def _vdot(a: Any, b: Any) -> Any:
    return _dot(np.ravel(a), np.ravel(b))


def _vecdot(a: Any, b: Any, **kwargs: Any) -> Any:
    axis = kwargs.pop("axis", -1)
    if kwargs:
        raise TypeError(f"np.vecdot on dual arrays takes no {', '.join(kwargs)} argument")
    return np.sum(np.multiply(a, b), axis=axis)


# -- einsum -----------------------------------------------------------------------------------
def _einsum(subscripts: Any, *operands: Any, **kwargs: Any) -> Any:
    """np.einsum with the subscripts as a string; each tangent term carries one more letter,
    the tangent axis, into the output."""
    if not isinstance(subscripts, str):
        raise TypeError("np.einsum on dual arrays takes its subscripts as a string")
    if kwargs.pop("out", None) is not None:
        raise TypeError("np.einsum on dual arrays takes no out argument")
    inputs, output = _explicit(subscripts.replace(" ", ""))
    spare = next(c for c in string.ascii_letters if c not in subscripts)
    tag, values, tangents, _ = parts(list(operands))
    value = np.einsum(f"{','.join(inputs)}->{output}", *values, **kwargs)
    tangent = None
    for j, t in enumerate(tangents):
        if t is None:
            continue
        subs = [s + spare if i == j else s for i, s in enumerate(inputs)]
        args = [t if i == j else v for i, v in enumerate(values)]
        term = np.einsum(f"{','.join(subs)}->{output}{spare}", *args, optimize=True)
        tangent = term if tangent is None else tangent + term
    return from_parts(value, tangent, tag)


def _explicit(subscripts: str) -> tuple[list[str], str]:
    """Input terms and the output term, the implicit output made explicit as numpy makes it
    (letters seen once, in alphabetical order, after a broadcast '...')."""
    if "->" in subscripts:
        left, output = subscripts.split("->")
        return left.split(","), output
    inputs = subscripts.split(",")
    letters = "".join(inputs).replace(".", "")
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    ellipsis = "..." if "..." in subscripts else ""
    return inputs, ellipsis + "".join(once)


FUNCTIONS.update(
    {
        np.tensordot: _tensordot,
        np.dot: _dot,
        np.matmul: _matmul,
        np.inner: _inner,
        np.outer: _outer,
        np.vdot: _vdot,
        np.einsum: _einsum,
    }
)
for _name in ("vecdot", "linalg.vecdot"):
    _owner = np.linalg if _name.startswith("linalg") else np
    _func = getattr(_owner, _name.split(".")[-1], None)
    if _func is not None:
        FUNCTIONS[_func] = _vecdot
for _name in ("matvec", "vecmat"):
    if hasattr(np, _name):
        FUNCTIONS[getattr(np, _name)] = (
            (lambda a, b, **kw: np.einsum("...ij,...j->...i", a, b))
            if _name == "matvec"
            else (lambda a, b, **kw: np.einsum("...j,...ji->...i", a, b))
        )
