"""Every driver over float ndarray parameters through dual arrays.

Oracles: closed forms, the object-array path the drivers took before dual arrays (f given an
object array of the pass's Duals, which runs numpy's code entry by entry through the rule
table), and central finite differences.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy", reason="dual arrays need numpy")

from dualgrad import (  # noqa: E402
    forward_gradient,
    grad,
    hessian,
    jacobian,
    jvp,
    sparse_jacobian,
    value_and_grad,
)
from dualgrad.vector.arrays import rebuild  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 6))
Y = (RNG.random(40) > 0.5).astype(float)
W = RNG.normal(size=6)


def logistic(w):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - Y * z)


def logistic_grad(w):
    s = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ (s - Y) / len(Y)


def bratu(u, lam=1.5):
    h = 1.0 / (len(u) + 1)
    padded = np.concatenate([[0.0], u, [0.0]])
    return (padded[:-2] - 2.0 * padded[1:-1] + padded[2:]) / h**2 + lam * np.exp(u)


def bratu_jacobian(u, lam=1.5):
    n = len(u)
    h = 1.0 / (n + 1)
    main = -2.0 / h**2 + lam * np.exp(u)
    return (
        np.diag(main) + np.diag(np.full(n - 1, 1 / h**2), 1) + np.diag(np.full(n - 1, 1 / h**2), -1)
    )


def object_path(f, x, **kwargs):
    """The gradient as the drivers took it before dual arrays: f gets an object array."""
    return np.array(
        grad(lambda leaves: f(rebuild(leaves, x.shape, numbers=True)), x.ravel().tolist(), **kwargs)
    ).reshape(x.shape)


@pytest.mark.parametrize("chunk", [1, 4, "all"])
def test_grad_of_a_logistic_loss_matches_its_closed_form_and_the_object_path(chunk):
    g = grad(logistic, W, chunk=chunk)
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and g.shape == W.shape
    np.testing.assert_allclose(g, logistic_grad(W), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(g, object_path(logistic, W, chunk=chunk), rtol=1e-13, atol=1e-16)


def test_value_and_grad_counts_passes_and_gives_the_value():
    r = value_and_grad(logistic, W, chunk=4)
    assert r.passes == 2 and r.value == pytest.approx(logistic(W), rel=1e-15)


def test_jvp_takes_arrays_whole_and_returns_arrays():
    v = RNG.normal(size=6)
    value, d = jvp(logistic, W, v)
    assert value == pytest.approx(logistic(W), rel=1e-15)
    assert d == pytest.approx(float(logistic_grad(W) @ v), rel=1e-12)
    u = np.linspace(0.1, 0.9, 7)
    r, dr = jvp(bratu, u, np.ones(7))
    np.testing.assert_allclose(r, bratu(u), rtol=1e-15)
    np.testing.assert_allclose(dr, bratu_jacobian(u) @ np.ones(7), rtol=1e-12)


def test_jvp_over_trees_mixing_arrays_and_numbers():
    p = {"w": np.array([1.0, 2.0]), "s": 3.0, "l": [np.array([[0.5]]), 2.0]}
    t = {"w": np.array([1.0, 0.0]), "s": 1.0, "l": [np.array([[1.0]]), 0.0]}

    def f(q):
        return {"a": q["w"] * q["s"], "b": np.sum(q["l"][0]) * q["l"][1]}

    value, d = jvp(f, p, t)
    np.testing.assert_array_equal(value["a"], [3.0, 6.0])
    np.testing.assert_array_equal(d["a"], [1.0 * 3 + 1.0, 2.0])
    assert value["b"] == 1.0 and d["b"] == 2.0
    with pytest.raises(ValueError, match="shape"):
        jvp(f, p, {**t, "w": np.ones(3)})


def test_jvp_leaves_the_callers_arrays_alone_when_f_writes_into_its_own():
    x = np.array([1.0, 2.0])

    def f(v):
        v[0] = v[0] * 10.0
        return np.sum(v)

    value, d = jvp(f, x, np.ones(2))
    assert (value, d) == (12.0, 11.0) and x.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("chunk", [1, 3, "all"])
def test_jacobian_of_an_array_function_matches_the_closed_form(chunk):
    u = np.linspace(0.1, 0.9, 9)
    J = jacobian(bratu, u, chunk=chunk)
    assert isinstance(J, np.ndarray) and J.shape == (9, 9)
    np.testing.assert_allclose(J, bratu_jacobian(u), rtol=1e-13)


def test_jacobian_of_a_tree_output_keeps_the_columns_in_order():
    p = {"b": 2.0, "a": np.array([1.0, 3.0])}

    def f(q):
        return [q["a"] * q["b"], np.sum(q["a"] ** 2)]

    J = jacobian(f, p, chunk="all")  # nested as outputs, then inputs (as jax.jacfwd)
    np.testing.assert_array_equal(J[0]["a"], [[2.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(J[0]["b"], [1.0, 3.0])
    np.testing.assert_array_equal(J[1]["a"], [2.0, 6.0])
    assert J[1]["b"] == 0.0


def test_sparse_jacobian_of_an_array_function_in_one_dual_array_pass():
    u = np.linspace(0.05, 0.95, 50)
    J = sparse_jacobian(bratu, u)
    assert J.colors == 3 and J.passes == 2
    np.testing.assert_allclose(np.array(J.todense()), bratu_jacobian(u), rtol=1e-13)
    again = sparse_jacobian(bratu, u * 0.5, sparsity=J)
    assert again.passes == 1
    np.testing.assert_allclose(np.array(again.todense()), bratu_jacobian(u * 0.5), rtol=1e-13)


def test_forward_gradient_over_arrays_equals_the_object_path():
    a = forward_gradient(logistic, W, directions=5, rng=3)
    b = forward_gradient(
        lambda leaves: logistic(rebuild(leaves, W.shape, numbers=True)),
        W.tolist(),
        directions=5,
        rng=3,
    )
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-12)


def test_executors_split_array_passes_with_the_same_result():
    with ThreadPoolExecutor(2) as pool:
        g = grad(logistic, W, chunk=2, executor=pool, tasks=3)
    np.testing.assert_array_equal(g, grad(logistic, W, chunk=2))


def test_hessian_over_arrays_nests_through_the_object_path():
    x = np.array([0.3, -0.7, 1.1])
    H = hessian(lambda v: np.sum(np.sin(v) * v[0]), x)
    exact = np.diag(-np.sin(x) * x[0])
    exact[0, :] += np.cos(x)
    exact[:, 0] += np.cos(x)
    np.testing.assert_allclose(H, exact, rtol=1e-13, atol=1e-15)


def test_jvp_of_a_gradient_nests_dual_arrays_as_duals():
    x = np.array([0.3, -0.7])
    hv = jvp(lambda v: grad(lambda w: np.sum(w**3), v, chunk="all"), x, np.array([1.0, 0.0]))[1]
    np.testing.assert_allclose(hv, [6 * x[0], 0.0], rtol=1e-14)


def test_chunk_all_over_a_big_array_is_split_to_the_memory_budget(monkeypatch):
    from dualgrad.vector.dualarray import seeding

    monkeypatch.setattr(seeding, "MEMORY_BUDGET", 8 * 100 * 10)  # 10 columns of 100 entries
    x = np.linspace(0.0, 1.0, 100)
    r = value_and_grad(lambda v: np.sum(np.sin(v)), x, chunk="all")
    assert r.passes == 10
    np.testing.assert_allclose(r.grad, np.cos(x), rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from([1, 2, "all"]),
    st.integers(0, 2**31),
)
def test_any_shape_and_chunk_against_finite_differences(rows, cols, chunk, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(rows, cols))
    c = rng.normal(size=(cols,))

    def f(v):
        return np.sum(np.tanh(v @ c) ** 2) + np.max(v) * np.mean(np.exp(v), axis=0)[0]

    g = grad(f, x, chunk=chunk)
    h = 1e-6
    for i in range(rows):
        for j in range(cols):
            e = np.zeros_like(x)
            e[i, j] = h
            fd = (f(x + e) - f(x - e)) / (2 * h)
            assert g[i, j] == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_a_dual_array_reaches_f_and_its_scalars_are_duals():
    def f(v):
        assert type(v) is DualArray
        total = 0.0
        for e in v:  # scalar code over an array: ordinary Duals
            total = total + math.pi * e
        return total

    assert grad(f, np.array([1.0, 2.0]), chunk="all").tolist() == [math.pi, math.pi]


def logistic_hessian(w):
    s = 1.0 / (1.0 + np.exp(-(X @ w)))
    return (X.T * (s * (1.0 - s))) @ X / len(Y)


def test_hessian_of_numpy_code_by_nested_dual_arrays_matches_the_closed_form():
    H = hessian(logistic, W)
    assert isinstance(H, np.ndarray) and H.shape == (6, 6)
    np.testing.assert_allclose(H, logistic_hessian(W), rtol=1e-12, atol=1e-16)


def test_hessian_of_mixed_numpy_code_equals_the_object_path():
    x = np.array([[0.3, -0.7], [1.1, 0.4]])

    def f(v):
        return (
            np.sum(np.sin(v) * v[0, 0])
            + np.prod(v)
            + np.max(v) ** 2
            + np.sum(np.tanh(v @ v) ** 2)
            + np.sqrt(np.sum(v * v))
            + np.mean(np.exp(v), axis=0)[1]
        )

    H = hessian(f, x)
    assert H.shape == (2, 2, 2, 2)
    old = hessian(lambda leaves: f(rebuild(leaves, x.shape, numbers=True)), x.ravel().tolist())
    np.testing.assert_allclose(H.reshape(4, 4), np.array(old), rtol=1e-13, atol=1e-15)


def test_hessian_of_linear_and_constant_functions_is_zero_and_bad_outputs_are_named():
    x = np.array([1.0, 2.0])
    assert hessian(lambda v: np.sum(3.0 * v), x).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert hessian(lambda v: 2.0, x).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(TypeError, match="one number"):
        hessian(lambda v: v * v, x)


def test_hessian_in_blocks_of_columns_under_a_small_memory_budget(monkeypatch):
    from dualgrad.vector.dualarray import seeding

    monkeypatch.setattr(seeding, "MEMORY_BUDGET", 8 * 6 * 6 * 2)  # two columns a pass
    np.testing.assert_allclose(hessian(logistic, W), logistic_hessian(W), rtol=1e-12, atol=1e-16)


def test_a_users_primitive_takes_dual_arrays_vectorised_and_nested():
    from dualgrad import dmath, primitive

    cube = primitive(lambda x: x * x * x, lambda x, out: 3.0 * x * x)
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_array_equal(grad(lambda v: np.sum(cube(v)), x, chunk="all"), 3 * x**2)
    np.testing.assert_array_equal(hessian(lambda v: np.sum(cube(v)), x), np.diag(6 * x))
    first_only = primitive(math.exp, lambda x, out: math.exp(x))  # a partial of floats only
    np.testing.assert_allclose(grad(lambda v: np.sum(first_only(v)), x, chunk=2), np.exp(x))
    with pytest.raises(TypeError, match="cannot be differentiated"):
        hessian(lambda v: np.sum(first_only(v)), x)
    np.testing.assert_allclose(
        hessian(lambda v: np.sum(dmath.lgamma(v + 3.0)), x),
        np.diag([dmath.polygamma(1, e + 3.0) for e in x.tolist()]),
        rtol=1e-13,
    )


def test_custom_jvp_of_a_black_box_solver_takes_dual_arrays():
    from dualgrad import custom_jvp

    a = np.array([[3.0, 1.0], [1.0, 2.0]])

    @custom_jvp
    def solve(m, b):
        return np.linalg.solve(m, b)

    @solve.defjvp
    def _(primals, tangents):
        (m, b), (dm, db) = primals, tangents
        x = np.linalg.solve(m, b)
        return x, np.linalg.solve(m, db - dm @ x)

    b = np.array([1.0, 2.0])
    expected = 2 * np.linalg.solve(a.T, np.linalg.solve(a, b))
    for chunk in (1, "all"):
        g = grad(lambda v: np.sum(solve(a, v) ** 2), b, chunk=chunk)
        np.testing.assert_allclose(g, expected, rtol=1e-14)


def test_hessian_through_a_root_over_arrays_takes_the_nested_duals_path():
    from dualgrad import root

    mp = pytest.importorskip("mpmath")

    def total(p):
        return np.sum(root(lambda x, q: x**3 + q * x - 1.0, np.ones(2), p))

    p = np.array([1.0, 2.0])
    H = hessian(total, p)
    exact = [float(mp.diff(lambda q: mp.findroot(lambda x: x**3 + q * x - 1, 1), q, 2)) for q in p]
    np.testing.assert_allclose(np.diag(H), exact, rtol=1e-11)
    assert H[0, 1] == 0.0 and H[1, 0] == 0.0
