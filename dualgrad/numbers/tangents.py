"""A tangent times a partial, and a product's two tangent terms at once: what Dual's arithmetic
does to tangents beyond adding them.

:func:`zero_wins` is the table's policy for singular rules, shared by Dual's operations,
:mod:`dualgrad.dmath`'s reductions and users' n-ary primitives; :func:`zero_tangent_wins` the
one product whose factor is not a constant slope; :data:`PRODUCTS` the tangent types that make
``a * y + b * x`` in one step.

>>> zero_wins(0.0, float("inf"))
0.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import PLAIN, Number, is_other_number

__all__ = ["PRODUCTS", "TangentProducts", "zero_tangent_wins", "zero_wins"]

Fused = Callable[[Any, Any, Any, Any], Any]


class TangentProducts:
    """The tangent types that make the tangent of a product of two Duals, ``a * y + b * x``
    (a, b their tangents, x, y their values), in one step, equal to it bit for bit.

    The vector layer registers its sparse tangents here (:func:`dualgrad.vector.register_products`,
    called by that package as it loads its numpy modules): a parameter's seed times a computed
    value is most of the products of scalar code's sums, ``sum(w_i * x_i for ...)``. A test
    switches them off by handing in an empty table: ``monkeypatch.setattr(PRODUCTS, "fused", {})``.

    >>> products = TangentProducts()
    >>> products.register(list, lambda a, y, b, x: a * y + b * x)
    >>> list in products.fused
    True
    """

    __slots__ = ("fused",)

    def __init__(self) -> None:
        self.fused: dict[type, Fused] = {}

    def register(self, tangent_type: type, fused: Fused) -> None:
        """Make ``a * y + b * x`` by ``fused(a, y, b, x)`` whenever a is a `tangent_type`."""
        self.fused[tangent_type] = fused


PRODUCTS = TangentProducts()
"""The fused products Dual's mul reads (filled by :mod:`dualgrad.vector`)."""


def zero_wins(tangent: Any, partial: Any) -> Any:
    """tangent * partial by the table's policy for singular rules (kinks, infinite slopes): a zero
    tangent contributes exactly 0 even when the partial is +-inf or nan, and a zero partial (relu
    below its kink, a flat side) gives exactly 0 whatever the tangent - a plain 0, which the bulk
    products skip (JAX and PyTorch's relu give 0 there too).

    >>> zero_wins(0.0, float("inf")), zero_wins(float("inf"), 0.0), zero_wins(2.0, 3.0)
    (0.0, 0.0, 6.0)
    """
    if partial - partial == 0:  # finite (inf - inf and nan - nan are nan)
        if type(partial) in PLAIN:
            if partial == 0:
                return 0.0
            if partial == 1.0 and type(tangent) not in PLAIN:
                return tangent  # a vector times 1.0 is itself (tangents are never changed)
        return tangent * partial
    if type(tangent) in PLAIN:
        return tangent * partial if tangent else 0.0
    if isinstance(tangent, Number) or is_other_number(tangent):  # nested: decide on the value
        return tangent * partial if tangent.value else 0.0 * tangent
    import numpy as np  # a vector tangent: numpy is present

    if hasattr(tangent, "dense"):  # a Sparse tangent: decide entry by entry on the dense form
        tangent = tangent.dense()
    with np.errstate(invalid="ignore"):
        out = tangent * partial
    out[tangent == 0] = 0.0
    return out


def zero_tangent_wins(tangent: Any, factor: Any) -> Any:
    """tangent * factor where the factor is the value of another Dual (mul's partials): unlike
    :func:`zero_wins`, only the tangent's zero wins. A zero tangent still contributes exactly 0
    through an infinite or nan value, but a zero value is not a constant slope (it may move), so
    0 times an infinite tangent stays nan, loudly: cbrt(x) * cbrt(x) at 0 is 0 * inf.

    >>> zero_tangent_wins(0.0, float("inf")), zero_tangent_wins(float("inf"), 0.0)
    (0.0, nan)
    """
    if factor - factor == 0:
        return tangent * factor
    return zero_wins(tangent, factor)
