"""numpy.linalg on dual arrays: each forward rule against central finite differences taken in
mpmath at 50 digits (h = 1e-20, so the difference's own error is far below 1e-30), against
closed forms, on stacks (entry by entry against the single matrices), with one argument
constant, with k = 1 and 3 tangents, and at the limits (singular matrices, repeated
eigenvalues, norms at 0) where the rule must raise or say nan rather than give a number.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
mpmath = pytest.importorskip("mpmath")

from dualgrad import Dual  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402
from dualgrad.vector.dualarray.core import as_parts  # noqa: E402

MP = mpmath.mp
LA = np.linalg


# -- the oracle: mpmath at 50 digits ----------------------------------------------------------
def _mp(a):
    return MP.matrix(np.asarray(a, dtype=float).tolist())


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [y for o in out for y in _flat(o)]
    if isinstance(out, MP.matrix):
        return [out[i, j] for i in range(out.rows) for j in range(out.cols)]
    return [MP.mpf(out)]


def finite_difference(f, args, directions, one_sided=False):
    """d/dh f(args + h·directions) at h = 0 in mpmath (central, or forward for a kink)."""
    with MP.workdps(50):
        h = MP.mpf("1e-30") if one_sided else MP.mpf("1e-20")

        def at(step):
            moved = [
                _mp(a) if d is None else _mp(a) + step * _mp(d)
                for a, d in zip(args, directions, strict=True)
            ]
            return _flat(f(*moved))

        high, low = at(h), at(0 if one_sided else -h)
        width = h if one_sided else 2 * h
        return np.array([float((p - m) / width) for p, m in zip(high, low, strict=True)])


def tangent_of(out, k=1):
    """The tangent of a result; zeros for a constant one (slogdet's sign)."""
    tangent = as_parts(out, 0)[1]
    return np.zeros((*np.shape(out), k)) if tangent is None else tangent


def assert_close(got, want, rel=1e-10):
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    err = float(np.max(np.abs(np.asarray(got) - want), initial=0.0))
    assert err <= rel * scale, f"error {err:.3g} (scale {scale:.3g})\n{got}\n{want}"


def check(np_f, mp_f, args, dual, k=3, seed=0, rel=1e-10, one_sided=False):
    """np_f on dual arrays (the arguments numbered in `dual` carry k random tangents) against
    mpmath finite differences of mp_f, tangent by tangent; returns np_f's result."""
    rng = np.random.default_rng(seed)
    tangents = [
        rng.standard_normal((*np.shape(a), k)) if i in dual else None for i, a in enumerate(args)
    ]
    duals = [a if t is None else DualArray(a, t) for a, t in zip(args, tangents, strict=True)]
    out = np_f(*duals)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    for c in range(k):
        got = np.concatenate([np.ravel(tangent_of(o, k)[..., c]) for o in outs])
        directions = [None if t is None else t[..., c] for t in tangents]
        assert_close(got, finite_difference(mp_f, args, directions, one_sided), rel)
    return out


def general(n, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n)) + n * np.eye(n)


def spd(n, seed):
    b = np.random.default_rng(seed).standard_normal((n, n))
    return b @ b.T + n * np.eye(n)


def symmetric(n, seed):
    """Symmetric, its eigenvalues 0.7 apart at least (so F in the eigenvector rule is small)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    w = np.cumsum(0.7 + rng.random(n)) - n
    a = (q * w) @ q.T
    return (a + a.T) / 2


def tall(m, n, seed):
    return np.random.default_rng(seed).standard_normal((m, n)) + np.eye(m, n) * 2


# -- mpmath's versions, outputs in numpy's order and (where unique up to signs) numpy's signs --
def _columns_like(q, ref):
    """q's columns with the signs of numpy's reference ones."""
    q = q.copy()
    for j in range(q.cols):
        if sum(q[i, j] * ref[i, j] for i in range(q.rows)) < 0:
            q[:, j] = -q[:, j]
    return q


def mp_eigh(ref_v):
    def f(a):
        e, q = MP.eigsy(a)
        order = sorted(range(len(e)), key=lambda i: e[i])
        q = MP.matrix([[q[i, j] for j in order] for i in range(q.rows)])
        return [MP.matrix([e[i] for i in order]), _columns_like(q, ref_v)]

    return f


def mp_svd(ref_u, values_only=False):
    def f(a):
        u, s, vh = MP.svd_r(a, full_matrices=False, compute_uv=True)
        if values_only:
            return s
        flips = [
            -1 if sum(u[i, j] * ref_u[i, j] for i in range(u.rows)) < 0 else 1
            for j in range(u.cols)
        ]
        for j, sign in enumerate(flips):
            u[:, j], vh[j, :] = sign * u[:, j], sign * vh[j, :]
        return [u, s, vh]

    return f


def mp_qr(ref_r):
    def f(a):
        p = min(a.rows, a.cols)
        q, r = MP.qr(a[:, :p], mode="skinny")  # wide: [X Y] = Q [R_X, Qᵀ Y]
        r = MP.matrix([[*r[j, :], *(q.T * a[:, p:])[j, :]] for j in range(p)])
        for j in range(p):  # numpy's signs on the diagonal of R
            if (r[j, j] < 0) != (ref_r[j, j] < 0):
                q[:, j], r[j, :] = -q[:, j], -r[j, :]
        return [q, r]

    return f


def mp_pinv(a):
    at = a.T
    return (at * a) ** -1 * at if a.rows >= a.cols else at * (a * at) ** -1


def mirrored(a, lower=True):
    """The symmetric matrix numpy's cholesky and eigh read from one triangle of a."""
    n = a.rows
    return MP.matrix(
        [[a[max(i, j), min(i, j)] if lower else a[min(i, j), max(i, j)] for j in range(n)]
         for i in range(n)]
    )  # fmt: skip


def _solve_mp(a, b):
    return MP.matrix([list(MP.lu_solve(a, b[:, j])) for j in range(b.cols)]).T


# -- solve, inv, det, slogdet -----------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("dual", [(0, 1), (0,), (1,)])
def test_solve_matrix_and_vector(k, dual):
    a, b = general(4, 1), np.random.default_rng(2).standard_normal((4, 2))
    out = check(LA.solve, _solve_mp, [a, b], dual, k)
    assert np.array_equal(out.value, LA.solve(a, b))
    check(LA.solve, lambda a, b: MP.lu_solve(a, b), [a, b[:, 0]], dual, k)


@pytest.mark.parametrize("k", [1, 3])
def test_inv_det_slogdet(k):
    a = general(4, 3)
    assert np.array_equal(check(LA.inv, MP.inverse, [a], (0,), k).value, LA.inv(a))
    assert check(LA.det, MP.det, [a], (0,), k).value == LA.det(a)
    sign, logabs = check(LA.slogdet, lambda a: [0, MP.log(abs(MP.det(a)))], [a], (0,), k)
    assert (sign, logabs.value) == tuple(LA.slogdet(a))


def test_det_closed_form_and_singular():
    """d det = det(A) tr(A⁻¹ dA); at a singular A, tr(adj(A) dA) (still exact)."""
    a, da = general(3, 4), np.random.default_rng(5).standard_normal((3, 3))
    d = LA.det(DualArray(a, da[..., None]))
    assert_close(d.tangent, LA.det(a) * np.trace(LA.solve(a, da)), 1e-13)
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    check(LA.det, MP.det, [singular], (0,))
    with pytest.raises(LA.LinAlgError):
        LA.inv(DualArray(np.ones((2, 2)), np.ones((2, 2, 1))))
    with pytest.raises(LA.LinAlgError):
        LA.solve(DualArray(np.ones((2, 2)), np.ones((2, 2, 1))), np.ones(2))
    sign, logabs = LA.slogdet(DualArray(np.ones((2, 2)), np.ones((2, 2, 1))))
    assert sign == 0 and logabs.value == -np.inf and np.isnan(logabs.tangent).all()


# -- decompositions ---------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 3])
def test_cholesky(k):
    a = spd(4, 6)
    low = check(LA.cholesky, lambda x: MP.cholesky(mirrored(x)), [a], (0,), k)
    assert np.array_equal(low.value, LA.cholesky(a))
    up = lambda x: MP.cholesky(mirrored(x, lower=False)).T
    check(lambda a: LA.cholesky(a, upper=True), up, [a], (0,), k)
    with pytest.raises(LA.LinAlgError):
        LA.cholesky(DualArray(-np.eye(2), np.ones((2, 2, 1))))


def test_symmetric_rules_read_one_triangle_as_numpy_does():
    """numpy's cholesky/eigh read one triangle: the tangent of the other does not count."""
    a = spd(3, 7)
    upper_only = np.triu(np.ones((3, 3)), 1)[..., None]
    assert not np.any(LA.cholesky(DualArray(a, upper_only)).tangent)
    assert not np.any(LA.eigvalsh(DualArray(a, upper_only)).tangent)
    assert not np.any(
        LA.eigvalsh(DualArray(a, np.tril(np.ones((3, 3)), -1)[..., None]), "U").tangent
    )


@pytest.mark.parametrize("k", [1, 3])
def test_eigh_and_eigvalsh(k):
    a = symmetric(4, 8)
    w, v = LA.eigh(a)
    out = check(LA.eigh, lambda x: mp_eigh(_mp(v))(mirrored(x)), [a], (0,), k)
    assert np.array_equal(out.eigenvalues.value, w) and np.array_equal(out.eigenvectors.value, v)
    v_upper = _mp(LA.eigh(a, "U")[1])  # (LAPACK may choose other signs)
    upper = lambda x: mp_eigh(v_upper)(mirrored(x, lower=False))
    check(lambda x: LA.eigh(x, "U"), upper, [a], (0,), k)
    out = check(LA.eigvalsh, lambda x: MP.eigsy(mirrored(x))[0], [a], (0,), k)
    assert np.array_equal(out.value, LA.eigvalsh(a))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_svd(shape):
    a = tall(*shape, 9)
    u, s, _vh = LA.svd(a, full_matrices=False)
    out = check(lambda x: LA.svd(x, full_matrices=False), mp_svd(_mp(u)), [a], (0,))
    assert np.array_equal(out.S.value, s)
    check(lambda x: LA.svd(x, compute_uv=False), mp_svd(None, True), [a], (0,))
    check(LA.svdvals, mp_svd(None, True), [a], (0,))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_qr(shape):
    a = tall(*shape, 10)
    _q, r = LA.qr(a)
    check(LA.qr, mp_qr(_mp(r)), [a], (0,))
    check(lambda x: LA.qr(x, mode="r"), lambda x: mp_qr(_mp(r))(x)[1], [a], (0,))


# -- pseudo-inverse, least squares, powers, chains --------------------------------------------
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_pinv(shape):
    check(LA.pinv, mp_pinv, [tall(*shape, 11)], (0,))


def test_pinv_rank_deficient_along_rank_keeping_directions():
    """A = B C of rank 2: along dA = dB C + B dC (the rank kept) the rule is exact."""
    rng = np.random.default_rng(12)
    b, c = rng.standard_normal((5, 2)), rng.standard_normal((2, 4))
    db, dc = rng.standard_normal((5, 2)), rng.standard_normal((2, 4))
    out = LA.pinv(DualArray(b @ c, (db @ c + b @ dc)[..., None]))

    def closed(b, c):  # (BC)⁺ = C⁺ B⁺ for B of full column rank, C of full row rank
        return mp_pinv(c) * mp_pinv(b)

    want = finite_difference(closed, [b, c], [db, dc])
    assert_close(out.tangent[..., 0].ravel(), want)


@pytest.mark.parametrize("dual", [(0, 1), (0,), (1,)])
@pytest.mark.parametrize("columns", [None, 2])
def test_lstsq(dual, columns):
    a = tall(6, 3, 13)
    b = np.random.default_rng(14).standard_normal(6 if columns is None else (6, columns))
    b2 = b.reshape(6, -1)

    def mp_lstsq(a, b):
        x = mp_pinv(a) * b
        r = b - a * x
        return [x, [sum(r[i, j] ** 2 for i in range(r.rows)) for j in range(r.cols)]]

    x, _res = check(lambda a, b: LA.lstsq(a, b)[:2], mp_lstsq, [a, b], dual)
    assert np.array_equal(x.value, LA.lstsq(a, b2 if columns else b)[0])
    out = LA.lstsq(DualArray(a, np.ones((6, 3, 1))), b)
    assert out[2] == 3 and isinstance(out[3], DualArray)


def test_lstsq_rank_deficient_is_the_minimum_norm_solution():
    """rank 2 of 5 x 4: x = A⁺ b, exact along rank-keeping directions; no residuals."""
    rng = np.random.default_rng(28)
    b, c, y = rng.standard_normal((5, 2)), rng.standard_normal((2, 4)), rng.standard_normal(5)
    db, dc, dy = rng.standard_normal((5, 2)), rng.standard_normal((2, 4)), rng.standard_normal(5)
    x, res, rank, _sv = LA.lstsq(
        DualArray(b @ c, (db @ c + b @ dc)[..., None]), DualArray(y, dy[:, None])
    )
    assert rank == 2 and res.size == 0
    want = finite_difference(lambda b, c, y: mp_pinv(c) * mp_pinv(b) * y, [b, c, y], [db, dc, dy])
    assert_close(x.tangent[:, 0], want)


@pytest.mark.parametrize("n", [0, 1, 2, 5, -1, -3])
def test_matrix_power(n):
    a = general(3, 15) / 3
    out = check(lambda x: LA.matrix_power(x, n), lambda x: x**n, [a], (0,))
    assert np.array_equal(out.value, LA.matrix_power(a, n))


def test_multi_dot_and_spellings():
    rng = np.random.default_rng(16)
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    check(lambda a, b, c: LA.multi_dot([a, b, c]), lambda a, b, c: a * b * c, [a, b, c], (0, 2))
    x = DualArray(a[:, :3], rng.standard_normal((3, 3, 2)))
    assert_close(LA.trace(x).tangent, np.trace(x.tangent), 1e-15)
    assert_close(LA.matrix_transpose(x).tangent, np.swapaxes(x.tangent, 0, 1), 0)
    assert LA.matrix_rank(x) == LA.matrix_rank(x.value)


# -- norms ------------------------------------------------------------------------------------
def _mp_vector_norm(p):
    def f(x):
        entries = [abs(e) for e in x]
        if p == np.inf:
            return max(entries)
        if p == -np.inf:
            return min(entries)
        return sum(e**p for e in entries) ** (MP.mpf(1) / p)

    return f


@pytest.mark.parametrize("order", [None, 2, 1, 3, 0.5, np.inf, -np.inf])
def test_vector_norms(order):
    x = np.array([0.3, -1.7, 2.2, -0.4])
    check(lambda v: LA.norm(v, order), _mp_vector_norm(2 if order is None else order), [x], (0,))


def _mp_matrix_norm(order):
    def f(a):
        if order in ("nuc", 2, -2):
            s = MP.svd_r(a, compute_uv=False)
            return sum(s) if order == "nuc" else (max(s) if order == 2 else min(s))
        if order == "fro":
            return MP.sqrt(sum(e**2 for e in a))
        sums = [sum(abs(a[i, j]) for i in range(a.rows)) for j in range(a.cols)]
        if order in (np.inf, -np.inf):
            sums = [sum(abs(a[i, j]) for j in range(a.cols)) for i in range(a.rows)]
        return max(sums) if order in (1, np.inf) else min(sums)

    return f


@pytest.mark.parametrize("order", ["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
def test_matrix_norms(order):
    a = tall(4, 3, 17)
    check(lambda x: LA.norm(x, order), _mp_matrix_norm(order), [a], (0,))
    check(lambda x: LA.matrix_norm(x, ord=order), _mp_matrix_norm(order), [a], (0,))


def test_norms_over_axes_and_cond():
    rng = np.random.default_rng(18)
    x = DualArray(rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4, 2)))
    for order, axis in [(None, 1), (1, (0, 2)), ("nuc", (2, 1)), (np.inf, None)]:
        if axis is None:
            x = x[0]
        got = LA.norm(x, order, axis, keepdims=True)
        assert got.shape == LA.norm(x.value, order, axis, keepdims=True).shape
    v = LA.vector_norm(x, axis=(0, 1))
    assert_close(v.tangent, LA.norm(np.reshape(x, -1)).tangent, 1e-14)
    a = general(3, 19)
    for p in (None, 1, "fro"):
        norm = _mp_matrix_norm(2 if p is None else p)
        check(lambda x, p=p: LA.cond(x, p), lambda x, f=norm: f(x) * f(x**-1), [a], (0,))


def test_norm_at_zero_is_zero_as_hypot():
    zero = DualArray(np.zeros(3), np.eye(3))
    assert LA.norm(zero).tangent.tolist() == [0.0, 0.0, 0.0]
    assert not np.any(LA.norm(DualArray(np.zeros((2, 2)), np.ones((2, 2, 1))), "nuc").tangent)
    with np.errstate(over="ignore"):  # numpy's value overflows; the partials do not
        big = LA.norm(DualArray(np.array([3e300, 4e300]), np.eye(2)))
    assert_close(big.tangent, [0.6, 0.8], 1e-15)
    nan = LA.norm(DualArray(np.array([np.nan, 1.0]), np.eye(2)))
    assert np.isnan(nan.tangent[0])


# -- stacks: each entry equal to its own matrix's result --------------------------------------
STACKED = {
    "solve": lambda a: LA.solve(a, a[..., :, :2]),
    "inv": LA.inv,
    "det": LA.det,
    "slogdet": lambda a: LA.slogdet(a)[1],
    "cholesky": lambda a: LA.cholesky(a @ np.swapaxes(a, -1, -2)),
    "eigh": lambda a: LA.eigh(a + np.swapaxes(a, -1, -2))[1],
    "svd": lambda a: LA.svd(a)[2],
    "qr": lambda a: LA.qr(a)[0],
    "pinv": LA.pinv,
    "power": lambda a: LA.matrix_power(a, 3),
    "norm2": lambda a: LA.norm(a, 2, axis=(-2, -1)),
}


@pytest.mark.parametrize("name", list(STACKED))
def test_stacks_entry_by_entry(name):
    rng = np.random.default_rng(20)
    a = DualArray(
        rng.standard_normal((2, 3, 3, 3)) + 3 * np.eye(3), rng.standard_normal((2, 3, 3, 3, 2))
    )
    whole = STACKED[name](a)
    for i in np.ndindex(2, 3):
        alone = STACKED[name](DualArray(a.value[i], a.tangent[i]))
        assert np.allclose(tangent_of(whole)[i], tangent_of(alone), rtol=1e-12, atol=1e-12)
        assert np.allclose(whole.value[i], as_parts(alone, 0)[0], rtol=1e-14, atol=1e-14)


def test_stack_with_constant_right_hand_side():
    rng = np.random.default_rng(21)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = DualArray(rng.standard_normal(3), rng.standard_normal((3, 2)))
    x = LA.solve(a, b)
    assert_close(x.tangent, np.stack([LA.solve(m, b.tangent) for m in a]), 1e-13)


# -- closed forms -----------------------------------------------------------------------------
def test_closed_forms():
    rng = np.random.default_rng(25)
    (p, q, r, s), dp = rng.standard_normal(4), rng.standard_normal((4, 2))
    a = DualArray(np.array([[p, q], [r, s]]), dp.reshape(2, 2, 2))
    (dp_, dq, dr, ds) = dp
    assert_close(LA.det(a).tangent, dp_ * s + p * ds - dq * r - q * dr, 1e-14)  # d(ps - qr)
    diagonal = DualArray(np.diag([2.0, -4.0]), np.eye(4).reshape(2, 2, 4))
    assert_close(LA.inv(diagonal).tangent[[0, 1], [0, 1]], [[-0.25, 0, 0, 0], [0, 0, 0, -1 / 16]])
    assert_close(LA.svd(diagonal, compute_uv=False).tangent, [[0, 0, 0, -1], [1, 0, 0, 0]])
    assert_close(LA.cholesky(DualArray([[9.0]], [[[1.0]]])).tangent, [[[1 / 6]]], 1e-16)
    x = rng.standard_normal(5)
    dx = rng.standard_normal((5, 3))
    assert_close(LA.norm(DualArray(x, dx)).tangent, x @ dx / np.sqrt(x @ x), 1e-14)
    # symmetric 2x2 eigenvalues (p+s)/2 ± sqrt(((p-s)/2)² + q²), along dA = [[1, 0], [0, 0]]
    sym = np.array([[p, q], [q, s]])
    root = np.hypot((p - s) / 2, q)
    want = [0.5 - (p - s) / 4 / root, 0.5 + (p - s) / 4 / root]
    got = LA.eigvalsh(DualArray(sym, np.array([[1.0, 0], [0, 0]])[..., None])).tangent
    assert_close(got[:, 0], want, 1e-13)


def test_hermitian_svd_and_pinv_read_the_lower_triangle():
    a = symmetric(3, 26)
    magnitudes = np.sort(np.abs(LA.eigvalsh(a)))
    assert np.min(magnitudes) > 0.1 and np.min(np.diff(magnitudes)) > 0.1  # distinct s
    u = LA.svd(a, hermitian=True)[0]
    check(lambda x: LA.svd(x, hermitian=True), lambda x: mp_svd(_mp(u))(mirrored(x)), [a], (0,))

    def lower(x):
        return mp_pinv(mirrored(x))

    check(lambda x: LA.pinv(x, hermitian=True), lower, [np.tril(a) + 5 * np.triu(a, 1)], (0,))


def test_tags_are_kept_and_mixed_tags_nest():
    a = DualArray(general(2, 27), np.ones((2, 2, 1)), tag=5)
    assert LA.inv(a).tag == 5 and LA.eigh(a + a.T)[1].tag == 5
    # a newer perturbation holds an older one as a constant, as Duals do (nested derivatives)
    inner = LA.solve(a, DualArray(np.ones(2), np.ones((2, 1)), tag=6))
    assert inner.tag == 6 and type(inner.value) is DualArray and inner.value.tag == 5
    np.testing.assert_allclose(inner.value.value, np.linalg.solve(a.value, np.ones(2)))


# -- the limits: a clear error or nan, never a silent number ----------------------------------
def test_repeated_eigenvalues():
    """diag(1, 1, 2): eigenvectors of the pair nan, the single one exact; the pair's
    eigenvalues their one-sided directional derivatives (eigenvalues of the block)."""
    a = np.diag([1.0, 1.0, 2.0])
    rng = np.random.default_rng(22)
    d = rng.standard_normal((3, 3, 2))
    d = d + np.swapaxes(d, 0, 1)
    w, v = LA.eigh(DualArray(a, d))
    assert np.isnan(v.tangent[:, :2]).all() and np.isfinite(v.tangent[:, 2]).all()
    for c in range(2):
        assert_close(w.tangent[:2, c], LA.eigvalsh(d[:2, :2, c]), 1e-14)
        want = finite_difference(lambda x: MP.eigsy(x)[0], [a], [d[..., c]], one_sided=True)
        assert_close(np.sort(w.tangent[:, c]), np.sort(want), 1e-12)
    # the single eigenvector: dv_2 = sum_i v_i (v_iᵀ dA v_2) / (w_2 - w_i), V = I here
    assert_close(v.tangent[:, 2], np.concatenate([d[:2, 2], [[0.0, 0.0]]]), 1e-15)


def test_repeated_eigenvalues_in_a_stack():
    """Only the stack's entry with a repeated eigenvalue gets nan vectors and the group rule."""
    a = np.stack([np.diag([1.0, 1.0, 2.0]), np.diag([1.0, 3.0, 2.0])])
    d = np.random.default_rng(24).standard_normal((2, 3, 3, 1))
    d = d + np.swapaxes(d, 1, 2)
    w, v = LA.eigh(DualArray(a, d))
    assert np.isnan(v.tangent[0, :, :2]).all() and np.isfinite(v.tangent[1]).all()
    assert_close(w.tangent[0, :2, 0], LA.eigvalsh(d[0, :2, :2, 0]), 1e-14)
    assert_close(w.tangent[1, :, 0], np.diagonal(d[1, :, :, 0])[[0, 2, 1]], 1e-15)


def test_repeated_and_zero_singular_values():
    u, s, _vh = LA.svd(DualArray(np.eye(3)[:, :2] * 2, np.ones((3, 2, 1))), full_matrices=False)
    assert np.isnan(u.tangent).any() and np.isfinite(s.tangent).all()
    s0 = LA.svd(DualArray(np.zeros((2, 2)), np.ones((2, 2, 1))), compute_uv=False)
    assert s0.tangent.tolist() == [[0.0], [0.0]]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda x: LA.svd(x), TypeError),  # full_matrices=True on a non-square matrix
        (lambda x: LA.qr(x, mode="complete"), TypeError),
        (lambda x: LA.qr(x, mode="raw"), TypeError),
        (lambda x: LA.qr(x, mode="bogus"), ValueError),
        (lambda x: LA.eig(x[:2]), TypeError),
        (lambda x: LA.qr(x * 0), LA.LinAlgError),  # rank-deficient: R singular
    ],
)
def test_refusals(call, error):
    with pytest.raises(error):
        call(DualArray(tall(3, 2, 23), np.ones((3, 2, 1))))


# -- hypothesis: random well-conditioned matrices, any k --------------------------------------
@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 4), k=st.sampled_from([1, 3]), seed=st.integers(0, 2**31))
def test_random_matrices(n, k, seed):
    a, p, s = general(n, seed), spd(n, seed + 1), symmetric(n, seed + 2)
    check(LA.inv, MP.inverse, [a], (0,), k, seed)
    check(LA.det, MP.det, [a], (0,), k, seed)
    check(LA.cholesky, lambda x: MP.cholesky(mirrored(x)), [p], (0,), k, seed)
    _w, v = LA.eigh(s)
    check(LA.eigh, lambda x: mp_eigh(_mp(v))(mirrored(x)), [s], (0,), k, seed)
    b = np.random.default_rng(seed).standard_normal((n, 2))
    check(LA.solve, _solve_mp, [a, b], (0, 1), k, seed)


def test_scalar_results_are_duals():
    d = LA.det(DualArray(np.eye(2), np.ones((2, 2, 1))))
    assert type(d) is Dual and d.tangent == 2.0
