"""numpy arrays as parameters and numpy's ufuncs on dualgrad numbers.

The oracle for every driver is the same function on the same values as lists (bit for bit),
and closed forms (d/dx sum(exp(x)) = exp(x), d/dx sum(sin(Ax)) = A^T cos(Ax)).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy", reason="ndarray parameters need numpy")

from dualgrad import (  # noqa: E402
    Dual,
    dmath,
    forward_gradient,
    grad,
    hessian,
    jacobian,
    jvp,
    reverse,
    value_and_grad,
)
from dualgrad.vector.arrays import NumberArray, rebuild  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402

A = [[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]]


def generic(p):
    """Written once for lists and arrays alike: indexing, dmath, a sum of products."""
    w, b = p["w"], p["b"]
    total = 0.0
    for i in range(len(b)):
        s = dmath.sumprod(w[i], [1.0, -2.0, 0.5]) + b[i]
        total = total + dmath.tanh(s) * dmath.exp(-b[i] * b[i])
    return total + w[0][0] * w[1][2]


PARAMS = {"w": [[0.5, -0.3, 1.2], [0.8, 0.1, -0.7]], "b": [0.2, -1.1]}


def as_arrays(p):
    return {k: np.array(v) for k, v in p.items()}


def same(lists, arrays):
    for k in lists:
        got = arrays[k]
        assert isinstance(got, np.ndarray) and got.dtype == np.float64
        assert got.shape == np.shape(lists[k])
        assert np.array_equal(np.array(lists[k]), got), k  # bit for bit (no nan here)


@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_gradient_over_arrays_equals_lists_bit_for_bit(chunk):
    same(grad(generic, PARAMS, chunk=chunk), grad(generic, as_arrays(PARAMS), chunk=chunk))


def test_reverse_mode_over_arrays_equals_lists_bit_for_bit():
    value_l, grad_l = reverse.value_and_grad(generic, PARAMS)
    value_a, grad_a = reverse.value_and_grad(generic, as_arrays(PARAMS))
    assert value_l == value_a
    same(grad_l, grad_a)


def test_executor_and_value_over_arrays():
    with ThreadPoolExecutor(2) as pool:
        r = value_and_grad(generic, as_arrays(PARAMS), executor=pool, tasks=3)
    assert r.value == value_and_grad(generic, PARAMS).value
    same(grad(generic, PARAMS), r.grad)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-2, 2), min_size=1, max_size=6),
    st.sampled_from([1, 3, "all"]),
)
def test_any_vector_bit_for_bit_and_against_the_closed_form(xs, chunk):
    def f(x):
        return sum(dmath.sin(x[i]) * x[(i + 1) % len(x)] for i in range(len(x)))

    got = grad(f, np.array(xs), chunk=chunk)
    assert np.array_equal(got, np.array(grad(f, xs, chunk=chunk)))
    n = len(xs)  # d/dx_j: cos(x_j) x_j+1 + sin(x_j-1), indices mod n (n = 1 included)
    exact = [math.cos(xs[j]) * xs[(j + 1) % n] + math.sin(xs[(j - 1) % n]) for j in range(n)]
    assert np.allclose(got, exact, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_numpy_code_as_written_matches_closed_forms(chunk):
    a = np.array(A)
    x = np.array([0.4, -0.9, 1.3])
    g = grad(lambda v: np.sum(np.sin(a @ v)), x, chunk=chunk)
    assert np.allclose(g, a.T @ np.cos(a @ x), rtol=1e-14)
    g = grad(lambda v: np.sum(np.exp(v)) + np.arcsin(v[0] / 2), x, chunk=chunk)
    exact = np.exp(x) + np.array([0.5 / math.sqrt(1 - 0.04), 0.0, 0.0])
    assert np.allclose(g, exact, rtol=1e-14)
    g = grad(lambda v: np.linalg.norm(v) + np.mean(v**2), x, chunk=chunk)
    assert np.allclose(g, x / np.linalg.norm(x) + 2 * x / 3, rtol=1e-14)


def test_reverse_mode_runs_numpy_code():
    x = np.array([0.4, -0.9, 1.3])
    assert np.allclose(
        reverse.grad(lambda v: np.sum(np.tanh(v) * v), x), np.tanh(x) + x / np.cosh(x) ** 2
    )


def test_shapes_dtypes_and_containers_come_back_in_kind():
    p = {"m": np.arange(6.0).reshape(2, 3) / 7, "s": np.array(0.5), "l": [1.0, np.array([2.0])]}

    def f(q):
        return np.sum(q["m"] ** 2) * q["s"] + q["l"][0] * q["l"][1][0]

    g = grad(f, p, chunk=2)
    assert g["m"].shape == (2, 3) and g["m"].dtype == np.float64
    assert g["s"].shape == () and isinstance(g["l"], list) and g["l"][1].shape == (1,)
    assert np.allclose(g["m"], 2 * p["m"] * 0.5)
    assert g["s"] == pytest.approx(np.sum(p["m"] ** 2))
    assert np.array_equal(grad(f, p, chunk=1)["m"], g["m"])


def test_f_sees_a_dual_array_seeding_only_the_chosen_entries():
    seen = []

    def f(x):
        seen.append((type(x), x.tangent.copy()))
        return np.sum(x * x)

    grad(f, np.array([[1.0, 2.0], [3.0, 4.0]]), wrt=[0])
    ((kind, tangent),) = seen
    assert kind is DualArray
    assert tangent.tolist() == [[[1.0], [0.0]], [[0.0], [0.0]]]


def test_jvp_forward_gradient_jacobian_hessian_over_arrays():
    x = np.array([0.5, 1.5, 2.0])
    value, dd = jvp(lambda v: np.tanh(v) * 2, x, np.ones(3))
    assert isinstance(value, np.ndarray) and np.allclose(dd, 2 / np.cosh(x) ** 2, rtol=1e-14)
    j = jacobian(lambda v: np.tanh(v) * 2, x, chunk=2)
    assert j.shape == (3, 3) and np.allclose(j, np.diag(2 / np.cosh(x) ** 2), rtol=1e-14)
    assert np.array_equal(jacobian(lambda v: np.tanh(v) * 2, x), j)
    assert jacobian(lambda v: np.sum(v * v), x).shape == (3,)  # a number's shape is ()
    j2 = jacobian(lambda v: np.outer(v, v), x.reshape(3, 1))
    assert j2.shape == (3, 3, 3, 1)
    h = hessian(lambda v: np.sum(v**3), x)
    assert h.shape == (3, 3) and np.allclose(h, np.diag(6 * x))

    def fg(v):
        return 3 * v[0] - v[1] * v[2]

    est = forward_gradient(fg, x, directions=4, rng=0)
    assert isinstance(est.grad, np.ndarray) and est.grad.shape == (3,)
    assert np.array_equal(est.grad, forward_gradient(fg, x.tolist(), directions=4, rng=0).grad)


def test_wrt_names_array_entries_by_their_index():
    p = {"w": np.arange(6.0).reshape(2, 3)}
    g = grad(lambda q: q["w"][1, 2] ** 2, p, wrt=["['w'][1, 2]"])
    assert g["w"][1, 2] == 10.0 and g["w"][0, 0] is None


def test_integer_arrays_are_parameters_and_bad_dtypes_are_named():
    assert np.array_equal(grad(lambda v: np.sum(v * v), np.array([1, 2])), [2.0, 4.0])
    with pytest.raises(TypeError, match=r"params\['z'\]\[1\] is 2j"):
        grad(lambda q: 0.0, {"z": np.array([1.0, 2j], dtype=object)})
    with pytest.raises(TypeError, match=r"params\[0\] is 'a'"):
        grad(lambda q: 0.0, np.array(["a"], dtype=object))


def test_a_dual_meets_arrays_on_either_side():
    d = Dual(1.5, 1.0)
    v = np.array([1.0, 2.0])
    for out in (d * v, v * d, d.atan2(v), v**d, np.float64(2.0) * d):
        assert isinstance(out, (NumberArray, Dual))
    assert [e.tangent for e in d * v] == [e.tangent for e in v * d] == [1.0, 2.0]
    assert [e.tangent for e in d - v] == [1.0, 1.0]
    r = reverse.Value(2.0)
    assert [e.data for e in r * v] == [2.0, 4.0]


def test_ufuncs_on_duals_and_mixed_arrays_follow_the_table():
    d = Dual(0.5, 1.0)
    for ufunc, name in [
        (np.arcsin, "asin"),
        (np.exp, "exp"),
        (np.arctanh, "atanh"),
        (np.cbrt, "cbrt"),
    ]:
        got = ufunc(d)
        want = getattr(dmath, name)(d)
        assert (got.value, got.tangent) == (want.value, want.tangent)
    mixed = rebuild([d, 0.25], (2,))
    out = np.sqrt(mixed)
    assert out[0].tangent == 1 / (2 * math.sqrt(0.5)) and out[1] == 0.5
    assert np.hypot(mixed, 2.0)[1] == math.hypot(0.25, 2.0)
    assert np.isfinite(mixed).dtype == bool and np.isnan(Dual(math.nan, 1.0))
    assert np.less(d, 1.0) and isinstance(np.sum(mixed), Dual)
    nan = np.exp(rebuild([Dual(math.nan, 1.0)], (1,)))[0]
    assert math.isnan(nan.value) and math.isnan(nan.tangent)  # nan in, nan out


def test_dmath_takes_arrays_entry_by_entry():
    mixed = rebuild([Dual(0.0, 1.0), 1.0], (2,))
    out = dmath.exp(mixed)
    assert out[0].tangent == 1.0 and out[1] == math.exp(1.0)
    assert list(dmath.atan2(np.array([1.0, -1.0]), 2.0)) == [math.atan2(1, 2), math.atan2(-1, 2)]
    y = dmath.matvec(np.eye(2), [Dual(1.0, 1.0), 2.0])
    assert [e.value for e in y] == [1.0, 2.0]
    assert dmath.sumprod(np.array([1.0, 2.0]), [Dual(3.0, 1.0), 4.0]).tangent == 1.0


def test_dropping_the_tangent_into_a_float_array_is_refused():
    x = rebuild([Dual(1.0, 1.0), 2.0], (2,))
    with pytest.raises(TypeError, match="would drop the tangent"):
        np.asarray(x, dtype=float)
    with pytest.raises(TypeError, match="would drop the tangent"):
        grad(lambda v: float(np.sum(v.astype(float))), np.array([1.0, 2.0]))


def test_out_argument_fills_the_callers_array():
    x = rebuild([Dual(0.0, 1.0), 1.0], (2,))
    buffer = np.empty(2, dtype=object)
    assert np.exp(x, out=buffer) is buffer and buffer[0].tangent == 1.0


def test_arrays_built_by_numpy_functions_keep_their_derivatives():
    x = np.array([1.0, -1.0, 2.0])
    g = grad(lambda v: np.exp(np.concatenate([v, v[:1]])).sum(), x)
    assert np.allclose(g, np.exp(x) + np.array([np.exp(1.0), 0.0, 0.0]), rtol=1e-15)
    g = grad(lambda v: np.sum(np.tanh(np.where(v > 0, v, 0.1 * v))), x, chunk="all")
    slope = np.where(x > 0, 1.0, 0.1)
    assert np.allclose(g, slope / np.cosh(np.where(x > 0, x, 0.1 * x)) ** 2, rtol=1e-14)
    assert np.array_equal(grad(lambda v: np.max(v), x), [0.0, 0.0, 1.0])
    assert np.array_equal(grad(lambda v: np.prod(v), x), [-2.0, 2.0, -1.0])
    assert np.array_equal(grad(lambda v: np.sum(np.stack([v, v]) ** 2), x), 4 * x)


def test_statistics_of_numpy_keep_the_derivative():
    x = np.array([3.0, 4.0, 8.0])
    mean, std = x.mean(), x.std()
    g = grad(lambda v: np.mean(v) * np.std(v), x, chunk=2)
    assert np.allclose(g, std / 3 + mean * (x - mean) / (3 * std), rtol=1e-14)
    assert np.allclose(grad(lambda v: np.var(v), x), 2 * (x - mean) / 3, rtol=1e-14)


def test_logaddexp_and_expit_by_the_table():
    special = pytest.importorskip("scipy.special", reason="expit is scipy's")
    x = np.array([0.3, -0.7])
    assert np.allclose(grad(lambda v: np.logaddexp(v[0], v[1]), x), special.softmax(x), rtol=1e-14)
    assert np.allclose(grad(lambda v: np.logaddexp(v[0], v[0]), x), [1.0, 0.0])  # a tie: 1/2 + 1/2
    assert grad(lambda v: np.logaddexp(v[0], v[1]), np.array([2.0, 2.0])).tolist() == [0.5, 0.5]
    big = np.logaddexp(Dual(1000.0, 1.0), 0.0)
    assert (big.value, big.tangent) == (1000.0, 1.0)
    assert math.isnan(np.logaddexp(Dual(math.nan, 1.0), 1.0).value)
    assert np.logaddexp(Dual(-math.inf, 1.0), -math.inf).value == -math.inf
    s = special.expit(x)
    assert np.allclose(grad(lambda v: np.sum(special.expit(v)), x), s * (1 - s), rtol=1e-14)


@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_every_driver_returns_one_type_of_number(chunk):
    def f(v):
        return [v[0] * v[1], 3.0, dmath.exp(v[2])]

    x = [0.5, 1.5, 2.0]
    assert {type(e) for row in jacobian(f, x, chunk=chunk) for e in row} == {float}
    assert {type(e) for e in grad(lambda v: v[0] * v[2], x, chunk=chunk)} == {float}
    assert jacobian(f, np.array(x), chunk=chunk).dtype == np.float64
