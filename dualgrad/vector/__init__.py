"""Chunk-mode acceleration: vector tangents, and products that combine them in bulk.

Imported only when a pass carries vector tangents (through :func:`dualgrad.numbers.base.vector`),
so the core never needs numpy. What the core uses of it:

- :func:`sumprod`, :func:`matvec`: how a Dual applies the table's bilinear rule
  (:data:`dualgrad.rules.BILINEAR`) when its tangents are vectors, or None where the scalar
  rules must do it;
- :func:`few_duals_matvec`: a matvec with a few Duals among floats (one-tangent passes),
  reordered so the floats sum in C;
- :func:`seeds` and :func:`chunked_pass`: the seeds of a chunk and the conditions of its pass;
- :func:`value_matvec`: how a reverse-mode Value applies the bilinear rule to a matrix-vector
  product: one vector node, back-propagated by array products;
- :func:`rebuild`, :func:`array_ufunc`, :func:`elementwise`: ndarray parameters and numpy's
  ufuncs on our numbers (:mod:`dualgrad.vector.arrays`; numpy is there, since an array is).

Importing this package imports nothing else; each name loads its module on first use, and the
first that needs numpy registers the fused products of the sparse tangent types with Dual's mul
(:func:`register_products`).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ArrayBlocks",
    "DualArray",
    "NestedEntries",
    "array_hessian",
    "array_jvp",
    "array_ufunc",
    "contains_array",
    "chunked_pass",
    "elementwise",
    "few_duals_matvec",
    "fit_width",
    "matvec",
    "output_rows",
    "rebuild",
    "register_products",
    "seed_tree",
    "seeds",
    "sumprod",
    "unit_seeds",
    "value_matvec",
]

_MODULE_OF_NAME = {
    "sumprod": "bulk",
    "matvec": "bulk",
    "few_duals_matvec": "sums",
    "seeds": "passes",
    "chunked_pass": "passes",
    "value_matvec": "nodes",
    "array_ufunc": "arrays",
    "elementwise": "arrays",
    "rebuild": "arrays",
    "DualArray": "dualarray",
    "NestedEntries": "dualarray.core",
    "ArrayBlocks": "dualarray.seeding",
    "seed_tree": "dualarray.seeding",
    "unit_seeds": "dualarray.seeding",
    "output_rows": "dualarray.seeding",
    "fit_width": "dualarray.seeding",
    "array_jvp": "dualarray.jvp",
    "array_hessian": "dualarray.hessian",
    "contains_array": "dualarray.jvp",
}


def __getattr__(name: str) -> Any:
    home = _MODULE_OF_NAME.get(name)
    if home is None:
        raise AttributeError(f"module 'dualgrad.vector' has no attribute {name!r}")
    if home != "sums":
        _need_numpy()
        register_products()
    value = getattr(importlib.import_module(f"dualgrad.vector.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value


def _need_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        raise ImportError(
            "vector tangents (chunk > 1, or several forward-gradient directions per pass) need "
            "numpy: install dualgrad with its 'fast' extra (see the README's install section), "
            "or use chunk=1"
        ) from None


def register_products() -> None:
    """Give Dual's mul the fused products of the vector tangent types (Sparse seeds, Packed
    rows, dense arrays: :mod:`dualgrad.vector.packed`), which make a product's tangent
    ``a * y + b * x`` in one step, bit for bit
    (:class:`~dualgrad.numbers.tangents.TangentProducts`).

    Called by this package as it loads its first module that needs numpy (so before any pass
    makes a vector tangent); calling it again changes nothing.
    """
    import numpy as np

    from dualgrad.numbers.tangents import PRODUCTS
    from dualgrad.vector.packed import Packed, _sparse_product, _vector_product
    from dualgrad.vector.sparse import Sparse

    for kind, fused in ((Sparse, _sparse_product), (Packed, _vector_product)):
        PRODUCTS.register(kind, fused)
    PRODUCTS.register(np.ndarray, _vector_product)
