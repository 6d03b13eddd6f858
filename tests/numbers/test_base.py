"""What Dual and Value share: drop guards, comparisons, formatting, refusals that say why."""

from __future__ import annotations

import math
import statistics

import pytest

from dualgrad import Dual
from dualgrad.numbers.base import is_real, primal
from dualgrad.reverse import Value

TYPES = [lambda v: Dual(v, 1.0), Value]


@pytest.mark.parametrize("make", TYPES)
def test_format_formats_the_number_and_plain_format_is_repr(make):
    x = make(1.23456)
    assert f"{x:.3f}" == "1.235"
    assert f"{x:>8.2e}" == format(1.23456, ">8.2e")
    assert f"{x}" == repr(x)
    assert format(make(3.0), "g") == "3"


def test_format_of_nested_duals_formats_the_innermost_number():
    assert f"{Dual(Dual(0.5, 1.0), 1.0):.2f}" == "0.50"
    assert primal(Dual(Dual(0.5, 1.0), 1.0)) == 0.5


@pytest.mark.parametrize(("make", "carried"), [(TYPES[0], "tangent"), (Value, "graph")])
def test_statistics_is_refused_with_what_to_use_instead(make, carried):
    with pytest.raises(TypeError, match=f"drop the {carried}.*sum\\(xs\\) / len\\(xs\\)"):
        statistics.mean([make(1.0), make(2.0)])
    xs = [make(1.0), make(2.0)]
    assert (sum(xs) / len(xs)).__class__ is type(xs[0])


DROPS = [float, int, complex, round, math.exp, math.sqrt, math.log, lambda x: [0, 1][x]]


@pytest.mark.parametrize(
    ("make", "shown"),
    [(TYPES[0], r"drop the tangent.*d\.value"), (Value, r"drop the graph.*v\.data")],
)
@pytest.mark.parametrize(
    "drop", DROPS, ids=["float", "int", "complex", "round", "exp", "sqrt", "log", "index"]
)
def test_what_would_drop_the_derivative_raises_and_says_what_to_use(make, shown, drop):
    with pytest.raises(TypeError, match=shown + r".*dualgrad\.dmath\.exp"):
        drop(make(2.0))


@pytest.mark.parametrize("make", TYPES)
@pytest.mark.parametrize(
    ("combine", "shown"),
    [
        (lambda x: x + "a", "'a'"),
        (lambda x: "a" * x, "'a'"),
        (lambda x: x * None, "None"),
        (lambda x: x - 1j, "1j"),
    ],
)
def test_an_operand_that_is_no_number_is_named(make, combine, shown):
    with pytest.raises(TypeError, match=f"unsupported operand.*{shown}.*combines with int, float"):
        combine(make(1.0))


def test_comparisons_read_the_number_inside():
    assert Dual(1.0, 5.0) < Dual(2.0, -5.0) <= 2 and Value(3.0) > 2.5 >= Value(2.5)
    assert not Value(0.0) and Dual(2.0)


@pytest.mark.parametrize(
    ("x", "ok"),
    [(1.0, True), (3, True), (True, False), ("a", False), (None, False), (1j, False)],
)
def test_is_real(x, ok):
    assert is_real(x) is ok
    assert not is_real(Dual(1.0)) and not is_real(Value(1.0))  # none of ours: they carry more
