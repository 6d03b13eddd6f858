"""Tangents stacked as rows on their union, and the bulk products that stack them."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from packed_cases import SIZE, dense  # noqa: E402

from dualgrad import Dual, dmath  # noqa: E402
from dualgrad.vector.blocks import layouts  # noqa: E402
from dualgrad.vector.packed import Packed  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402
from dualgrad.vector.stacking import packed_rows  # noqa: E402


def test_packed_rows_stack_sparse_and_packed_rows_on_their_union():
    s = Sparse(np.array([1, 1, 7]), np.array([1.0, 2.0, 3.0]), SIZE)
    p = Packed(np.array([2, 7]), np.array([4.0, 5.0]), SIZE)
    cols, rows = packed_rows([s, p], SIZE)
    np.testing.assert_array_equal(cols, [1, 2, 7])
    np.testing.assert_array_equal(rows, [[3.0, 0.0, 3.0], [0.0, 4.0, 5.0]])
    only_sparse = packed_rows([s, s], SIZE)
    np.testing.assert_array_equal(only_sparse[1], [[3.0, 3.0], [3.0, 3.0]])
    assert packed_rows([Packed(np.arange(30), np.ones(30), SIZE)], SIZE) is None


@pytest.mark.parametrize("with_blocks", [False, True])
def test_bulk_products_on_packed_tangents_equal_scalar_arithmetic(with_blocks):
    rng = np.random.default_rng(0)

    def dual(cols):
        cols = np.array(cols)
        return Dual(float(rng.uniform(-1, 1)), Packed(cols, rng.uniform(-1, 1, len(cols)), SIZE), 5)

    x = [dual([1, 2]), dual([2, 9]), Dual(0.5, 0.0, 5), 0.25]  # a zero tangent, a float
    w = [[dual([3]), dual([4, 5]), dual([6]), 2.0] for _ in range(3)]
    seeds = [[Dual(float(i + j), Sparse.one_hot(20 + 4 * j + i, SIZE), 5) for i in range(4)]
             for j in range(3)]  # fmt: skip

    def check(got, want):
        assert got.value == pytest.approx(want.value, rel=1e-14)
        np.testing.assert_allclose(dense(got.tangent), dense(want.tangent), atol=1e-14)

    context = layouts([0, 10, 20, 30], SIZE) if with_blocks else layouts()
    with context:
        for weights in (w, seeds):
            got = dmath.matvec(weights, x)
            for g, row in zip(got, weights, strict=True):
                check(g, sum(a * b for a, b in zip(row, x, strict=True)))
        check(dmath.sumprod(x, w[0]), sum(a * b for a, b in zip(x, w[0], strict=True)))
        check(dmath.sumprod(x, x), sum(a * a for a in x))
