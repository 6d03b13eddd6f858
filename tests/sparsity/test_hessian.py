"""Sparse Hessians against the dense forward-over-forward hessian and closed forms."""

from __future__ import annotations

import random

import pytest

from dualgrad import dmath, hessian, hessian_sparsity, sparse_hessian
from dualgrad.sparsity.coloring import color_columns

np = pytest.importorskip("numpy")

UNARY = [dmath.sin, dmath.exp, dmath.tanh, lambda t: t * t, lambda t: t * t * t, dmath.floor]


def random_objective(n, seed):
    """A sum of terms, each a random product or composition of a few random inputs."""
    rng = random.Random(seed)
    terms = [
        (rng.sample(range(n), rng.randint(1, min(n, 3))), rng.choice(UNARY), rng.random() < 0.5)
        for _ in range(rng.randint(1, 2 * n))
    ]

    def f(x):
        total = 0.0
        for picks, u, product in terms:
            acc = 1.0 if product else 0.0
            for j in picks:
                acc = acc * x[j] if product else acc + x[j]
            total = total + u(acc)
        return total

    return f


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def check(f, x, H):
    dense = hessian(f, x)
    got = H.todense()
    for i, row in enumerate(dense):
        for j, v in enumerate(row):
            assert close(got[i][j], v), (i, j, got[i][j], v)
    pattern = set(zip(H.rows, H.cols, strict=True))
    assert {(i, j) for i, r in enumerate(dense) for j, v in enumerate(r) if v != 0} <= pattern
    assert pattern == {(j, i) for i, j in pattern}  # symmetric


@pytest.mark.parametrize("seed", range(30))
def test_random_partially_separable_objectives_match_dense(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 12)
    f = random_objective(n, seed)
    x = [rng.uniform(-1.2, 1.2) for _ in range(n)]
    H = sparse_hessian(f, x)
    check(f, x, H)
    assert H.passes == H.colors + 1
    again = sparse_hessian(f, x, sparsity=H)
    assert again.values == H.values and again.passes == H.colors


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def test_chained_rosenbrock_takes_three_colors_at_any_size():
    for n in (4, 10, 40, 400):
        x = [0.5 + 0.01 * i for i in range(n)]
        H = sparse_hessian(rosenbrock, x)
        assert H.colors == 3 and H.passes == 4
        if n <= 10:
            check(rosenbrock, x, H)
    # a closed form: d2/dx0^2 = 1200 x0^2 - 400 x1 + 2
    assert close(H.todense()[0][0], 1200 * 0.25 - 400 * 0.51 + 2)


def test_star_coloring_uses_the_symmetry():
    # an arrowhead Hessian (x0 couples to everything): columns all share row 0, so a column
    # coloring needs n colors; a star coloring needs 2
    n = 20

    def f(x):
        return sum(x[0] * x[i] + x[i] ** 3 for i in range(1, n))

    x = [0.1 * i for i in range(n)]
    H = sparse_hessian(f, x)
    assert H.colors == 2
    check(f, x, H)
    assert max(color_columns(hessian_sparsity(f, x).by_row(), n)) + 1 == n


def test_hessian_sparsity_and_errors():
    assert hessian_sparsity(lambda v: v[0] * v[1] + 3 * v[2], [1.0, 2.0, 3.0]).nnz == 2
    with pytest.raises(TypeError, match="one real number"):
        hessian_sparsity(lambda v: [v[0], v[1]], [1.0, 2.0])
    with pytest.raises(ValueError, match="3 x 3"):
        sparse_hessian(rosenbrock, [1.0, 2.0, 3.0], sparsity=sparse_hessian(rosenbrock, [1.0, 2.0]))
    assert sparse_hessian(lambda v: 2 * v[0] + v[1], [1.0, 2.0]).todense() == [
        [0.0, 0.0],
        [0.0, 0.0],
    ]
