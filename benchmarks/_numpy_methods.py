"""Every method numpy_code.py times on a problem: the numpy function, dualgrad's (on dual arrays
and on the object-array path) and each peer's that imports, grouped into families.

>>> group_of("dualgrad jvp"), group_of("JAX jacfwd (jit)")[0]
(('dualgrad', '#1a9641'), 'JAX')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _numpy_problems import Problem, peer_methods

from dualgrad import grad, jacobian, jvp, sparse_jacobian
from dualgrad.vector.arrays import rebuild

OBJECT_MAX = {"logreg": 2_000, "mlp": 500, "bratu": 2_000, "rk4": 50, "solve": 50}
DENSE_MAX = {"bratu": 2_000}  # larger: no dense Jacobian (n x n)
GROUPS = {  # method-name prefix -> group, colour
    "numpy": ("numpy", "#444444"),
    "dualgrad": ("dualgrad", "#1a9641"),
    "object": ("object-array path", "#d7191c"),
    "JAX": ("JAX", "#2c7bb6"),
    "torch": ("torch.func", "#e08214"),
    "autograd": ("autograd", "#7b3294"),
}


def group_of(method: str) -> tuple[str, str]:
    """The family of a method, by its name's prefix: (label, colour)."""
    for prefix, group in GROUPS.items():
        if method.startswith(prefix):
            return group
    return GROUPS["numpy"]


# -- the methods --------------------------------------------------------------------------------
def dual_methods(p: Problem) -> dict[str, tuple[str, Callable[[], Any]]]:
    """dualgrad's methods and their object-array twins: name -> (kind of result, call)."""
    f, x, v = p.build(np, p.data), p.x, p.direction
    full = "grad" if p.scalar else "jacobian"
    out: dict[str, tuple[str, Callable[[], Any]]] = {
        "dualgrad jvp": ("jvp", lambda: jvp(f, x, v)[1]),
    }
    dense = p.size <= DENSE_MAX.get(p.name, p.size)
    drive = grad if p.scalar else jacobian
    if dense:
        out[f"dualgrad {full}(all)"] = ("jac", lambda: drive(f, x, chunk="all"))
    if p.sparse:
        first = []

        def plain() -> Any:
            first[:] = [sparse_jacobian(f, x)]
            return first[0]

        out["dualgrad sparse_jacobian"] = ("sparse", plain)
        out["dualgrad sparse_jacobian (reused)"] = (
            "sparse",
            lambda: sparse_jacobian(f, x, sparsity=first[0] if first else None),
        )
    if p.size > OBJECT_MAX[p.name]:
        return out
    shape = x.shape
    g = lambda leaves: f(rebuild(leaves, shape, numbers=True))
    out["object jvp"] = ("jvp", lambda: jvp(g, x.tolist(), v.tolist())[1])
    if dense:
        out[f"object {full}(all)"] = ("jac", lambda: drive(g, x.tolist(), chunk="all"))
    if p.sparse:
        out["object sparse_jacobian"] = ("sparse", lambda: sparse_jacobian(g, x.tolist()))
    return out


PEERS_LEFT_OUT = {
    ("rk4", "JAX jvp (jit)"): "jit compiles the unrolled Python loop, superlinearly in the "
    "steps (over a minute at 30 steps on a 2-core machine)",
}
PEERS_LEFT_OUT[("rk4", "JAX jacfwd (jit)")] = PEERS_LEFT_OUT[("rk4", "JAX jvp (jit)")]


def all_methods(
    p: Problem, peers: str | None
) -> tuple[dict[str, tuple[str, Callable[[], Any]]], dict[str, str]]:
    """Every method on `p` (name -> kind of result, call) and the peers skipped, with why
    (`peers`: None to time them, else the reason none is timed)."""
    f = p.build(np, p.data)
    methods = {"numpy": ("value", lambda: f(p.x)), **dual_methods(p)}
    if peers is not None:
        return methods, {"JAX, torch.func, autograd": peers}
    found, skipped = peer_methods(p)
    for name, call in found.items():
        if (p.name, name) in PEERS_LEFT_OUT:
            skipped[name] = PEERS_LEFT_OUT[(p.name, name)]
        elif "jacfwd" in name and p.size > DENSE_MAX.get(p.name, p.size):
            skipped[name] = f"a dense {p.size:,} x {p.size:,} Jacobian"
        else:
            methods[name] = ("jvp" if "jvp" in name else "jac", call)
    return methods, skipped
