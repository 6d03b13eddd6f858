"""Flatten and rebuild parameter containers: nested lists, tuples, dicts and numpy arrays of
numbers.

A model's parameters (its ``state_dict``) are a tree whose leaves are numbers. The drivers
flatten it to one list to seed parameter i in turn, and rebuild gradients in the same shape.

>>> leaves, spec = flatten({"w": [[1.0, 2.0], [3.0, 4.0]], "b": (5.0,)})
>>> leaves
[5.0, 1.0, 2.0, 3.0, 4.0]
>>> unflatten(spec, [x * 10 for x in leaves])
{'w': [[10.0, 20.0], [30.0, 40.0]], 'b': (50.0,)}
>>> paths(spec)[0]
"['b'][0]"

Dict keys are visited in sorted order (like JAX's pytrees), so two dicts with the same keys
flatten alike whatever their insertion order; the rebuilt dict keeps the original order.
A numpy array's leaves are its entries in C order; it is rebuilt as an array of its shape:
float64 when the leaves are plain numbers (a gradient), else an object array of the numbers
(:class:`dualgrad.vector.arrays.NumberArray`, what f receives in a pass).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice, product
from typing import Any

from dualgrad.numbers.base import is_array, vector

__all__ = ["Spec", "flatten", "leaf_slots", "paths", "unflatten"]


@dataclass(frozen=True)
class Spec:
    """The shape of a tree: ``kind`` is "leaf", "list", "tuple", "dict" or "array"."""

    kind: str
    children: tuple[Spec, ...] = ()
    keys: tuple[Any, ...] = ()  # dict keys in flattening (sorted) order
    order: tuple[Any, ...] = ()  # dict keys in the original insertion order
    size: int = 1  # number of leaves below
    flat: bool = False  # a list or tuple whose children are all leaves (rebuilt in one go)
    cls: type | None = None  # a namedtuple's class (rebuilt as one), else None
    shape: tuple[int, ...] = ()  # a numpy array's shape


_LEAF = Spec("leaf")
_NUMBERS = {float, int}


def _sorted_keys(d: dict) -> tuple[Any, ...]:
    try:
        return tuple(sorted(d))
    except TypeError:  # keys of mixed types: fall back to insertion order
        return tuple(d)


def flatten(tree: Any) -> tuple[list[Any], Spec]:
    """Leaves of `tree` in a fixed order, and the spec to rebuild it.

    A container that holds itself (at any depth) is a ValueError naming where."""
    leaves: list[Any] = []
    inside: set[int] = set()  # ids of the containers on the path from the root

    def walk(node: Any, path: str) -> Spec:
        if isinstance(node, (dict, list, tuple)):
            if id(node) in inside:
                raise ValueError(
                    f"the parameters contain themselves: params{path} is a container that "
                    "holds it; parameters must form a tree"
                )
            inside.add(id(node))
            try:
                return container(node, path)
            finally:
                inside.discard(id(node))
        if getattr(type(node), "_dual_array", False):  # an outer pass's dual array: its
            node = node.__array__()  # entries as Duals (derivatives nested over arrays)
        if is_array(node):  # its entries, in C order (Python floats for a float array)
            leaves.extend(node.ravel().tolist())
            return Spec("array", size=node.size, shape=node.shape)
        leaves.append(node)
        return _LEAF

    def container(node: Any, path: str) -> Spec:
        if isinstance(node, dict):
            keys = _sorted_keys(node)
            kids = tuple(walk(node[k], f"{path}[{k!r}]") for k in keys)
            return Spec("dict", kids, keys, tuple(node), sum(k.size for k in kids))
        kind = "tuple" if isinstance(node, tuple) else "list"
        cls = type(node) if hasattr(type(node), "_fields") else None  # a namedtuple
        if set(map(type, node)) <= _NUMBERS:  # a row of numbers: the common case, in C
            leaves.extend(node)
            return Spec(kind, (_LEAF,) * len(node), size=len(node), flat=True, cls=cls)
        kids = tuple(walk(x, f"{path}[{i}]") for i, x in enumerate(node))
        flat = all(k is _LEAF for k in kids)
        return Spec(kind, kids, size=sum(k.size for k in kids), flat=flat, cls=cls)

    return leaves, walk(tree, "")


def unflatten(spec: Spec, leaves: list[Any], *, numbers: bool = False) -> Any:
    """Rebuild a tree of `spec`'s shape from `leaves` (in flatten's order).

    An array comes back float64 if its leaves are plain numbers, else as an object array of
    them; with `numbers` (the parameters of a pass) always as the object array, so f sees
    Python floats beside its Duals whichever entries a pass seeds."""
    if len(leaves) != spec.size:
        raise ValueError(f"spec has {spec.size} leaves, got {len(leaves)}")
    return _build(spec, iter(leaves), numbers)


def _build(s: Spec, it: Iterator[Any], numbers: bool) -> Any:
    # (a module-level function, not a closure of unflatten: a closure that calls itself is a
    # reference cycle, which would keep the leaves alive until the garbage collector ran -
    # and the drivers pause it while a pass runs)
    if s.kind == "leaf":
        return next(it)
    if s.kind == "array":  # numpy is loaded: the array being rebuilt was flattened
        return vector().rebuild(list(islice(it, s.size)), s.shape, numbers)
    # a row of leaves is taken in one C call
    kids = list(islice(it, s.size)) if s.flat else [_build(c, it, numbers) for c in s.children]
    if s.kind == "dict":
        by_key = dict(zip(s.keys, kids, strict=True))
        return {k: by_key[k] for k in s.order}
    if s.kind == "tuple":
        return tuple(kids) if s.cls is None else s.cls(*kids)
    return kids


def paths(spec: Spec) -> list[str]:
    """A readable path per leaf, e.g. ``['wte'][3][1]``, for error messages."""
    out: list[str] = []

    def walk(s: Spec, prefix: str) -> None:
        if s.kind == "leaf":
            out.append(prefix)
        elif s.kind == "array":  # numpy's index of each entry: ['w'][1, 2]
            for index in product(*map(range, s.shape)):
                out.append(f"{prefix}[{', '.join(map(str, index))}]" if index else prefix)
        elif s.kind == "dict":
            for k, c in zip(s.keys, s.children, strict=True):
                walk(c, f"{prefix}[{k!r}]")
        else:
            for i, c in enumerate(s.children):
                walk(c, f"{prefix}[{i}]")

    walk(spec, "")
    return out


def leaf_slots(tree: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every leaf in flatten's order, for seeding a leaf in place.

    Tuples cannot be assigned to, so `tree` must hold only dicts and lists (see
    :func:`mutable_copy`).
    """
    slots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k in _sorted_keys(node):
                if isinstance(node[k], (dict, list, tuple)):
                    walk(node[k])
                else:
                    slots.append((node, k))
        elif isinstance(node, list):
            for i, x in enumerate(node):
                if isinstance(x, (dict, list, tuple)):
                    walk(x)
                else:
                    slots.append((node, i))
        else:
            raise TypeError(f"leaf_slots needs dicts and lists, found {type(node).__name__}")

    walk(tree)
    return slots


def mutable_copy(spec: Spec, leaves: list[Any]) -> Any:
    """Like :func:`unflatten`, but tuples become lists so leaves can be seeded in place."""
    return unflatten(_listify(spec), leaves)


def _listify(spec: Spec) -> Spec:
    """The spec with every tuple a list (the very spec if it has no tuples)."""
    if spec.kind in ("leaf", "array") or (spec.flat and spec.kind == "list"):
        return spec
    kids = tuple(_listify(c) for c in spec.children)
    if spec.kind != "tuple" and all(map(operator.is_, kids, spec.children)):
        return spec
    kind = "list" if spec.kind == "tuple" else spec.kind
    return Spec(kind, kids, spec.keys, spec.order, spec.size, spec.flat)  # (cls: a list now)
