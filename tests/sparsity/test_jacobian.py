"""Sparse Jacobians against the dense forward-mode jacobian and reverse mode, row by row."""

from __future__ import annotations

import random

import pytest

from dualgrad import dmath, jacobian, jacobian_sparsity, reverse, sparse_jacobian
from dualgrad.sparsity.coloring import is_valid_column_coloring
from dualgrad.sparsity.jacobian import METHODS
from dualgrad.sparsity.problems import bratu1
from dualgrad.tree import flatten, unflatten

np = pytest.importorskip("numpy")

UNARY = [dmath.sin, dmath.exp, dmath.tanh, dmath.atan, lambda t: t * t, dmath.sigmoid]


def random_function(n, m, seed):
    """m outputs, each a random expression in a random few of n inputs."""
    rng = random.Random(seed)
    plan = []
    for _ in range(m):
        picks = rng.sample(range(n), rng.randint(0, min(n, 4)))
        ops = [(rng.choice(UNARY), rng.choice("+*/-")) for _ in picks]
        plan.append((picks, ops, rng.random() < 0.2))

    def f(x):
        out = []
        for picks, ops, floor in plan:
            acc = 0.5
            for j, (u, op) in zip(picks, ops, strict=True):
                t = u(x[j])
                if op == "+":
                    acc = acc + t
                elif op == "-":
                    acc = t - acc
                elif op == "*":
                    acc = acc * (1.0 + t)
                else:
                    acc = acc / (2.0 + t * t)
            out.append(acc + dmath.floor(x[picks[0]]) if floor and picks else acc)
        return out

    return f, plan


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def check_against_dense(f, x, J):
    dense = jacobian(f, x)
    got = J.todense()
    assert J.shape == (len(dense), len(x))
    for i, row in enumerate(dense):
        for j, v in enumerate(row):
            assert close(got[i][j], v), (i, j, got[i][j], v)
    return dense


def reverse_rows(f, x):
    m = len(f(list(x)))
    return [reverse.grad(lambda v, i=i: f(v)[i], list(x)) for i in range(m)]


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("method", METHODS)
def test_random_sparse_functions_match_dense_and_reverse(seed, method):
    rng = random.Random(1000 + seed)
    n, m = rng.randint(1, 30), rng.randint(1, 30)
    f, plan = random_function(n, m, seed)
    x = [rng.uniform(-1.5, 1.5) for _ in range(n)]
    J = sparse_jacobian(f, x, method=method)
    dense = check_against_dense(f, x, J)
    # the pattern holds every true nonzero, and the coloring is valid
    pattern = set(zip(J.rows, J.cols, strict=True))
    nonzero = {(i, j) for i, row in enumerate(dense) for j, v in enumerate(row) if v != 0}
    assert nonzero <= pattern
    assert pattern <= {(i, j) for i, (picks, _, _) in enumerate(plan) for j in picks}
    assert is_valid_column_coloring(J.sparsity.pattern.by_row(), J.coloring)
    assert list(zip(J.rows, J.cols, strict=True)) == sorted(pattern)  # row-major COO
    for i, row in enumerate(reverse_rows(f, x)):
        for j, v in enumerate(row):
            assert close(J.todense()[i][j], v)
    assert J.value == pytest.approx(f(x), rel=1e-15)
    # reuse: the same numbers, without the detection pass
    again = sparse_jacobian(f, x, sparsity=J, method=method)
    assert again.values == J.values and again.passes == J.passes - 1


tridiagonal_residual = bratu1


def five_point_residual(n):
    def f(x):
        out = []
        for i in range(n):
            for j in range(n):
                k = i * n + j
                s = -4 * x[k] + 0.1 * dmath.exp(x[k])
                for ok, kk in (
                    (i > 0, k - n),
                    (i < n - 1, k + n),
                    (j > 0, k - 1),
                    (j < n - 1, k + 1),
                ):
                    if ok:
                        s = s + x[kk]
                out.append(s)
        return out

    return f


def brusselator(n, a=1.0, b=3.4, alpha=0.02):
    """Two species on a periodic n x n grid, unknowns interleaved (u0, v0, u1, v1, ...)."""

    def f(x):
        u, v = x[0::2], x[1::2]
        out = []
        for i in range(n):
            for j in range(n):
                k = i * n + j
                nb = [
                    ((i - 1) % n) * n + j,
                    ((i + 1) % n) * n + j,
                    i * n + (j - 1) % n,
                    i * n + (j + 1) % n,
                ]
                lu = sum(u[q] for q in nb) - 4 * u[k]
                lv = sum(v[q] for q in nb) - 4 * v[k]
                uuv = u[k] * u[k] * v[k]
                out.append(b + uuv - (a + 1) * u[k] + alpha * lu)
                out.append(a * u[k] - uuv + alpha * lv)
        return out

    return f


@pytest.mark.parametrize("n", [3, 10, 200, 2000])
def test_tridiagonal_takes_three_colors_at_any_size(n):
    x = [0.1 * i for i in range(n)]
    J = sparse_jacobian(tridiagonal_residual, x)
    assert J.colors == 3 and J.passes == 4
    if n <= 200:
        check_against_dense(tridiagonal_residual, x, J)


@pytest.mark.parametrize("n", [4, 12, 30])
def test_five_point_stencil_takes_at_most_seven_colors(n):
    f = five_point_residual(n)
    x = [0.01 * k for k in range(n * n)]
    J = sparse_jacobian(f, x, method="chunked")
    assert J.colors <= 7 and J.passes == 1 + 1
    if n <= 12:
        check_against_dense(f, x, J)


@pytest.mark.parametrize("n", [4, 8, 20])
def test_brusselator_takes_at_most_twelve_colors(n):
    f = brusselator(n)
    rng = random.Random(n)
    x = [rng.uniform(0.5, 2.0) for _ in range(2 * n * n)]
    J = sparse_jacobian(f, x)
    assert J.colors <= 12
    if n <= 8:
        check_against_dense(f, x, J)


def test_methods_agree_and_auto_picks_by_colors():
    f = brusselator(5)
    x = [1.0 + 0.01 * k for k in range(50)]
    results = {m: sparse_jacobian(f, x, method=m) for m in METHODS}
    assert results["auto"].method == "chunked" and results["auto"].colors > 4
    assert sparse_jacobian(tridiagonal_residual, [1.0] * 9).method == "colors"
    for r in results.values():
        assert all(close(a, b) for a, b in zip(r.values, results["colors"].values, strict=True))


def test_toscipy_and_todense_agree():
    J = sparse_jacobian(tridiagonal_residual, [0.5] * 6)
    pytest.importorskip("scipy")
    assert np.array_equal(J.toscipy().toarray(), np.array(J.todense()))


def test_trees_and_constant_outputs():
    def f(p):
        return {"a": p["x"][0] * p["y"], "b": 3.0, "c": [dmath.sin(p["x"][1])]}

    p = {"x": [1.0, 2.0], "y": 3.0}
    J = sparse_jacobian(f, p)
    # a matrix over the flattened leaves (jacobian nests it in the dicts' structure)
    leaves, spec = flatten(p)
    assert J.todense() == jacobian(lambda v: flatten(f(unflatten(spec, v)))[0], leaves)
    assert sparse_jacobian(lambda t: [t * t], 3.0).todense() == [[6.0]]


def test_sparsity_pattern_alone():
    p = jacobian_sparsity(lambda v: [v[0] * v[2], dmath.floor(v[1]) + v[2]], [1.0, 2.0, 3.0])
    assert p.todense() == [[True, False, True], [False, False, True]]
    J = sparse_jacobian(
        lambda v: [v[0] * v[2], dmath.floor(v[1]) + v[2]], [1.0, 2.0, 3.0], sparsity=p
    )
    assert J.passes == J.colors == 2


def test_a_pattern_broken_by_another_branch_is_caught_by_the_sparse_method():
    def f(v):
        return [v[0] * 2 if v[0] > 0 else v[1] * 2, v[1]]

    J = sparse_jacobian(f, [1.0, 1.0])
    with pytest.raises(ValueError, match=r"entry \(0, 1\) is nonzero but outside"):
        sparse_jacobian(f, [-1.0, 1.0], sparsity=J, method="sparse")


def test_bad_input_errors():
    with pytest.raises(ValueError, match="method"):
        sparse_jacobian(tridiagonal_residual, [1.0], method="fast")
    with pytest.raises(TypeError, match="not a real number"):
        sparse_jacobian(tridiagonal_residual, [1.0, "2"])
    with pytest.raises(ValueError, match="no numbers"):
        sparse_jacobian(tridiagonal_residual, [])
    J = sparse_jacobian(tridiagonal_residual, [1.0, 2.0])
    with pytest.raises(ValueError, match="3 numbers"):
        sparse_jacobian(tridiagonal_residual, [1.0, 2.0, 3.0], sparsity=J)
    with pytest.raises(TypeError, match="sparsity="):
        sparse_jacobian(tridiagonal_residual, [1.0, 2.0], sparsity=[[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="returned 1 numbers"):
        sparse_jacobian(lambda v: [v[0]], [1.0, 2.0], sparsity=J)
    with pytest.raises(TypeError, match="real numbers"):
        jacobian_sparsity(lambda v: ["x"], [1.0])
    with pytest.raises(TypeError, match="dependencies"):
        jacobian_sparsity(lambda v: [float(v[0])], [1.0])


def test_toscipy_without_scipy_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "scipy", None)
    J = sparse_jacobian(tridiagonal_residual, [0.5] * 3)
    with pytest.raises(ImportError, match=r"dualgrad\[examples\]"):
        J.toscipy()
