"""Mixed and bad input meeting dual arrays: the truth or a clear error.

A Dual scalar taken out of a dual array meets the array again; int and float32 arrays meet
dual arrays (promoted as numpy promotes); float work arrays receiving a derivative refuse,
naming np.zeros_like(x) as the way.
"""

from __future__ import annotations

import math

import pytest

np = pytest.importorskip("numpy")

from dualgrad import Dual  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402


def x3(k=2):
    return DualArray(np.array([0.5, -1.0, 2.0]), np.arange(3.0 * k).reshape(3, k))


def test_a_dual_scalar_meets_a_dual_array():
    x = x3()
    s = x[0]
    assert type(s) is Dual and s.value == 0.5 and list(s.tangent) == [0.0, 1.0]
    for got in (s * x, x * s, s + x, x - s, s / x):
        assert type(got) is DualArray
    got = s * x  # d(x0 * xi) = x0 dxi + xi dx0
    want = 0.5 * x.tangent + x.value[:, None] * x.tangent[0]
    np.testing.assert_allclose(got.tangent, want, rtol=1e-15)
    e = np.exp(s)
    assert type(e) is Dual and e.value == math.exp(0.5)
    np.testing.assert_allclose(e.tangent, math.exp(0.5) * x.tangent[0], rtol=1e-15)
    one = x3(1)[1]
    assert type(one) is Dual and type(one.tangent) is float  # one tangent: a plain float


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32, np.float64, bool])
def test_int_and_float32_arrays_meet_dual_arrays_as_numpy_promotes(dtype):
    x = x3()
    c = np.array([1, 2, 3]).astype(dtype)
    for got, plain in ((x * c, x.value * c), (c + x, c + x.value), (c - x, c - x.value)):
        assert got.dtype == plain.dtype and np.array_equal(got.value, plain)
    assert (x @ c).value == x.value @ c
    np.testing.assert_allclose((x * c).tangent, x.tangent * c[:, None].astype(float))


def test_float32_dual_arrays_stay_float32():
    x = DualArray(np.array([1.0, 2.0], np.float32), np.ones((2, 1), np.float32))
    y = np.exp(x) * np.float32(2.0)
    assert y.dtype == np.float32 and y.value.dtype == np.float32
    z = x + np.array([1.0, 2.0])  # float64 wins, as numpy
    assert z.dtype == np.float64


def test_int_values_become_float():
    x = DualArray(np.array([1, 2]), np.ones((2, 1)))
    assert x.dtype == np.float64


def test_a_float_work_array_refuses_a_derivative_naming_zeros_like():
    x = x3()
    w = np.zeros(3)
    with pytest.raises(TypeError, match=r"np\.zeros_like\(x\).*dtype=object"):
        w[0] = x[0]
    with pytest.raises(TypeError, match=r"zeros_like"):
        w[:] = x
    assert not w.any()  # nothing was written
    with pytest.raises(TypeError, match="zeros_like"):
        np.exp(x, out=np.zeros(3))
    with pytest.raises(TypeError, match=r"np\.copyto"):
        np.copyto(w, x)


def test_the_ways_the_message_names_work():
    x = x3()
    w = np.zeros_like(x)
    w[0] = x[0]
    assert w.tangent[0].tolist() == [0.0, 1.0]
    o = np.zeros(3, dtype=object)
    o[0] = x[0]
    assert type(o[0]) is Dual


def test_conversions_that_drop_the_derivative_refuse():
    x = x3()
    with pytest.raises(TypeError, match="float64"):
        np.asarray(x, dtype=float)
    with pytest.raises(TypeError, match="float"):
        np.array(x, dtype=np.float32)
    with pytest.raises(TypeError, match=r"float\(\)"):
        float(x[0:1])
    with pytest.raises(TypeError, match="float"):
        float(x[0])
    with pytest.raises(TypeError, match=r"int\(\)"):
        int(x[0:1])
    with pytest.raises(TypeError, match="astype"):
        x.astype(int)
    with pytest.raises(TypeError, match="index"):
        x[x[0:1]]
    obj = np.asarray(x)  # the object array of Duals keeps it
    assert obj.dtype == object and all(type(e) is Dual for e in obj)


def test_bad_operands_name_the_culprit():
    x = x3()
    with pytest.raises(TypeError, match="str"):
        x + "a"
    with pytest.raises(TypeError, match="complex"):
        x * np.array([1j, 2j, 3j])
    with pytest.raises(ValueError, match="shape"):
        DualArray(np.ones(3), np.ones((2, 1)))
    with pytest.raises(TypeError, match="real"):
        DualArray(np.ones(3, complex), np.ones((3, 1)))
    other = DualArray(np.ones(3), np.ones((3, 2)), tag=x.tag + 1)
    nested = x + other  # the newer perturbation holds the older one as a constant (tags)
    assert nested.tag == other.tag and type(nested.value) is DualArray
    assert nested.value.tag == x.tag and nested.tangent.tolist() == other.tangent.tolist()


def test_lists_of_duals_and_numbers_become_dual_arrays():
    x = x3()
    got = np.add([x[0], 1.0, x[2]], x)
    assert type(got) is DualArray
    np.testing.assert_allclose(got.tangent[1], x.tangent[1])
    np.testing.assert_allclose(got.tangent[0], 2 * x.tangent[0])
