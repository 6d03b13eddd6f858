"""The check helpers shipped for users must pass good derivatives and catch bad ones."""

import math

import pytest

from dualgrad import Dual, dmath
from dualgrad.testing import central_difference, check_derivative


def test_central_difference_of_square():
    assert central_difference(lambda x: x * x, 3.0) == pytest.approx(6.0, rel=1e-9)


def test_check_derivative_passes_and_returns_the_exact_value():
    assert check_derivative(lambda x: dmath.sin(x) * x, 0.4) == pytest.approx(
        math.cos(0.4) * 0.4 + math.sin(0.4), rel=1e-15
    )


def test_check_derivative_catches_a_wrong_derivative():
    def wrong(x):  # value of x**2 but a tangent that is off by one
        return Dual(x.value**2, 2 * x.value * x.tangent + 1) if type(x) is Dual else x**2

    with pytest.raises(AssertionError, match=r"forward mode gives 7\.0"):
        check_derivative(wrong, 3.0)
