"""The table's reductions in bulk (one-level Duals, reverse-mode Values) equal the composition
of the scalar rule that every other number type takes; the bulk forms decline what is not
theirs."""

from __future__ import annotations

import operator
from functools import reduce

import pytest

from dualgrad import Dual, dmath
from dualgrad.numbers.dual_reductions import reduce_duals
from dualgrad.numbers.reductions import fsum, hypot, prod
from dualgrad.reverse import Value
from dualgrad.reverse.reductions import reduce_values
from dualgrad.rules import REDUCTIONS

FOLDS = {"fsum": operator.add, "prod": operator.mul, "hypot": dmath.hypot}
XS = [1.5, -0.25, 3.0, 0.75]


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_bulk_duals_equal_the_composed_rule(name):
    red = REDUCTIONS[name]
    args = [Dual(x, 0.5 + i) if i % 2 == 0 else x for i, x in enumerate(XS)]
    bulk = reduce_duals(red, args)
    composed = reduce(FOLDS[name], args)
    assert type(bulk) is Dual and type(composed) is Dual
    assert bulk.value == pytest.approx(composed.value, rel=1e-15)
    assert bulk.tangent == pytest.approx(composed.tangent, rel=1e-14)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_bulk_values_are_one_node_with_the_composed_gradient(name):
    red = REDUCTIONS[name]
    bulk_in = [Value(x) for x in XS]
    out = reduce_values(red, bulk_in)
    assert out is not None and len(out._children) == len(XS)
    out.backward()
    composed_in = [Value(x) for x in XS]
    composed = reduce(FOLDS[name], composed_in)
    composed.backward()
    assert out.data == pytest.approx(composed.data, rel=1e-15)
    for a, b in zip(bulk_in, composed_in, strict=True):
        assert a.grad == pytest.approx(b.grad, rel=1e-14)


def test_the_bulk_forms_decline_other_mixes():
    fsum_ = REDUCTIONS["fsum"]
    nested = Dual(Dual(1.0, 1.0, 1), 1.0, 2)
    assert reduce_duals(fsum_, [nested, 1.0]) is None  # nested: composed, every order kept
    assert reduce_duals(fsum_, [Dual(1.0, 1.0, 1), Dual(1.0, 1.0, 2)]) is None  # two tags
    assert reduce_duals(fsum_, [Value(1.0), 2.0]) is None
    assert reduce_values(fsum_, [Dual(1.0, 1.0), 2.0]) is None
    assert fsum([nested, 1.0]) == nested + 1.0  # the composition
    assert prod([nested, 2.0]).value.tangent == 2.0
    assert hypot(nested, 0.0, 0.0).value.value == 1.0
