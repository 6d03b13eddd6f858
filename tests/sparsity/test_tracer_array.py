"""Traced arrays against the per-entry Tracer path and the dense Jacobian.

Two oracles: the object-array path (one :class:`Tracer` per entry, f's numpy code looping
over Python objects), whose pattern the traced arrays must equal wherever both read the rule
table the same way; and the dense jacobian (dual arrays), every nonzero of which must lie in
the pattern.
"""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dualgrad import jacobian, jacobian_sparsity, sparse_jacobian  # noqa: E402
from dualgrad.sparsity.jacobian import scalar_sparsity  # noqa: E402
from dualgrad.sparsity.tracer_array import TracerArray  # noqa: E402
from dualgrad.tree import flatten, unflatten  # noqa: E402


def both(f, x):
    """(traced-array pattern, per-entry Tracer pattern) as sets of (row, col)."""
    leaves, spec = flatten(x)
    fast = jacobian_sparsity(f, x)
    slow = scalar_sparsity(f, spec, leaves)
    assert fast.shape == slow.shape
    return set(zip(fast.rows, fast.cols, strict=True)), set(zip(slow.rows, slow.cols, strict=True))


def dense_nonzeros(f, x):
    leaves, spec = flatten(x)  # a flat matrix: outputs' leaves by the inputs' leaves

    def flat(values):
        return flatten(f(unflatten(spec, list(values))))[0]

    J = np.asarray(jacobian(flat, leaves, chunk="all"), dtype=float)
    rows, cols = np.nonzero(J.reshape(-1, len(flatten(x)[0])))
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


def fd_nonzeros(f, x, h=1e-6):
    """Nonzeros of central differences (for functions dual arrays do not run yet)."""
    flat = lambda v: np.concatenate([np.ravel(a) for a in flatten(f(v))[0]])
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        cols.append((flat(x + e.reshape(x.shape)) - flat(x - e.reshape(x.shape))) / (2 * h))
    rows, cols = np.nonzero(np.abs(np.array(cols).T) > 1e-7)
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


def check(f, x, equal=True, oracle=dense_nonzeros):
    if equal:
        fast, slow = both(f, x)
        assert fast == slow
    else:
        P = jacobian_sparsity(f, x)
        fast = set(zip(P.rows, P.cols, strict=True))
    assert oracle(f, x) <= fast
    return fast


RNG = np.random.default_rng(0)
M = RNG.uniform(0.5, 2.0, (3, 4))  # a constant without zeros: the Tracer path agrees
V = RNG.uniform(0.5, 2.0, 4)

CASES = {
    "bratu": lambda u: np.concatenate([[0.0], u, [0.0]])[:-2] - 2 * u + np.exp(u),
    "elementwise": lambda x: np.sin(x) * np.exp(x) / (1.0 + x * x) - np.sqrt(np.abs(x) + 1),
    "floor drops": lambda x: np.floor(x) * 2.0 + np.tanh(x[::-1]),
    "square log": lambda x: np.square(x) + np.log(x * x + 1.0),
    "power": lambda x: x**2.5 + 2.0**x,
    "broadcast": lambda x: x[:, None] * x[None, :],
    "reshape transpose": lambda x: np.reshape(x, (3, 4)).T @ np.ones(3),
    "swap move": lambda x: np.moveaxis(np.swapaxes(x.reshape(2, 3, 2), 0, 2), 1, 0).ravel(),
    "squeeze expand": lambda x: np.squeeze(np.expand_dims(x, 0)) * x,
    "broadcast_to": lambda x: np.broadcast_to(x[:3], (2, 3)) * 1.0,
    "stack": lambda x: np.stack([x[:6], x[6:]], axis=1),
    "hstack vstack": lambda x: np.vstack([np.hstack([x[:2], x[5:7]]), x[:4]]),
    "split": lambda x: np.split(x, 3)[1] - np.split(x, 3)[2],
    "flip roll": lambda x: np.flip(x) + np.roll(x, 2),
    "pad": lambda x: np.pad(x, 2) + np.pad(x, (1, 3), mode="edge"),
    "pad reflect wrap": lambda x: np.pad(x, 2, mode="reflect") - np.pad(x, 2, mode="wrap"),
    "tile repeat": lambda x: np.tile(x[:3], 2) * np.repeat(x[:3], 2),
    "take": lambda x: np.take(x, [3, 1, 1, 7]) * x[[0, 2, 4, 6]],
    "take_along_axis": lambda x: np.take_along_axis(x.reshape(3, 4), np.array([[1], [0], [3]]), 1),
    "diagonal trace": lambda x: np.diagonal(x.reshape(3, 4)) * np.trace(x.reshape(3, 4)),
    "sort": lambda x: np.sort(x * np.array([1.0, -1.0] * 6)),
    "where": lambda x: np.where(x > 0.3, x * x, 1.0 - x),
    "boolean index": lambda x: x[x > 0.4] * 2.0,
    "fancy index": lambda x: x.reshape(3, 4)[[0, 2], 1:3],
    "sum mean axes": lambda x: np.sum(x.reshape(3, 4), axis=0) + np.mean(x.reshape(3, 4), 1)[0],
    "prod": lambda x: np.prod(x.reshape(4, 3), axis=1),
    "cumsum": lambda x: np.cumsum(x.reshape(3, 4), axis=1),
    "cumprod": lambda x: np.cumprod(x[:5]),
    "std var": lambda x: np.std(x.reshape(2, 6), axis=1) + np.var(x[:3]),
    "diff": lambda x: np.diff(x, 2) * 3.0,
    "diff axis": lambda x: np.diff(x.reshape(3, 4), axis=0),
    "dense matvec": lambda x: M @ x[:4],
    "vecmat": lambda x: x[:3] @ M,
    "dot": lambda x: np.dot(x[:4], V) + np.dot(M, x[4:8]).sum(),
    "tensordot": lambda x: np.tensordot(x.reshape(3, 4), M, axes=([0, 1], [0, 1])),
    "inner outer": lambda x: np.inner(x[:4], V) * np.outer(x[:2], V)[1],
    "einsum": lambda x: np.einsum("ij,j->i", M, x[:4]) + np.einsum("ii->i", x[:9].reshape(3, 3)),
    "two traced": lambda x: x[:4].reshape(2, 2) @ x[4:8].reshape(2, 2),
    "setitem": lambda x: _setitem(x),
    "scalars out": lambda x: [x[0] * x[1], np.sum(x[2:5]), 3.0],
}


MORE = {  # where the Tracer path cannot run them (or prunes differently): the dense check only
    "add.reduce": lambda v: np.add.reduce(v.reshape(3, 4), axis=1),
    "multiply.outer": lambda v: np.multiply.outer(v[:2], v[2:4]),
    "out=": lambda v: np.exp(v, out=np.zeros_like(v)),
    "eigh": lambda v: np.linalg.eigh(v[:4].reshape(2, 2) + v[:4].reshape(2, 2).T)[0],
    "slogdet": lambda v: np.linalg.slogdet(v[:4].reshape(2, 2)).logabsdet,
    "inv": lambda v: np.linalg.inv(v[:4].reshape(2, 2) + np.eye(2)).ravel(),
    "norm": lambda v: np.linalg.norm(v.reshape(3, 4), axis=1),
    "average": lambda v: np.average(v.reshape(3, 4), axis=0, weights=[1.0, 2.0, 3.0]),
    "clip": lambda v: np.clip(v, 0.3, 0.9),
    "diag tril": lambda v: np.diag(v[:3]).ravel() + np.tril(v[:9].reshape(3, 3)).ravel(),
    "matmul stacks": lambda v: (np.ones((1, 2, 2)) @ v.reshape(3, 2, 2)).ravel(),
    "einsum ellipsis": lambda v: np.einsum("...ij,...j->...i", v.reshape(3, 2, 2), [1.0, 0.0]),
    "in place": lambda v: _in_place(v),
    "logaddexp": lambda v: np.logaddexp(v, v[::-1]),
    "vdot multi_dot": lambda v: (
        np.vdot(v, v) + np.linalg.multi_dot([np.ones((2, 3)), v[:9].reshape(3, 3), np.ones(3)])
    ),
    "nested output": lambda v: [v[:2], {"a": v[3], "b": np.sum(v[:0])}],
}


def _in_place(v):
    y = v.copy()
    y += v[::-1]
    y *= 2.0
    return y


BY_DIFFERENCES = {"eigh", "slogdet", "inv", "norm", "vdot multi_dot"}


@pytest.mark.parametrize("name", sorted(MORE))
def test_contains_the_dense_nonzeros(name):
    oracle = fd_nonzeros if name in BY_DIFFERENCES else dense_nonzeros
    check(MORE[name], np.linspace(0.1, 1.2, 12), equal=False, oracle=oracle)


def _setitem(x):
    out = np.zeros_like(x)
    out[1:-1] = x[:-2] - 2 * x[1:-1] + x[2:]
    out[0] = x[0] * x[5]
    out[[3, 4]] *= x[7]
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_equals_the_per_entry_tracer(name):
    x = np.linspace(0.1, 1.2, 12)
    check(CASES[name], x)


def test_bratu_is_tridiagonal():
    n = 50
    h = 1 / (n + 1)

    def F(u):
        up = np.concatenate([[0.0], u, [0.0]])
        return (up[:-2] - 2 * up[1:-1] + up[2:]) / h**2 + np.exp(u)

    P = jacobian_sparsity(F, np.linspace(0, 1, n))
    assert P.nnz == 3 * n - 2
    assert all(abs(i - j) <= 1 for i, j in zip(P.rows, P.cols, strict=True))


def test_a_constant_matrix_keeps_its_zeros():
    A = np.diag(np.ones(5)) + np.diag(np.ones(4), 1)  # upper bidiagonal
    x = np.linspace(1, 2, 5)
    fast, slow = both(lambda v: A @ v, x)
    assert fast == {(i, j) for i in range(5) for j in (i, i + 1) if j < 5}
    assert fast < slow  # the Tracer path passes sets through 0.0 * t
    fast, _ = both(lambda v: np.einsum("ij,jk->ik", A, v.reshape(5, 1) * np.ones(3)), x)
    assert fast == {(3 * i + k, j) for i in range(5) for k in range(3) for j in (i, i + 1) if j < 5}


def test_max_and_maximum_unite_their_arguments():
    # the rule table's max has function partials: both sets pass on (the Tracer path's
    # object loops compare and keep the winner, a subset)
    x = np.array([1.0, 3.0, 2.0])
    fast, slow = both(lambda v: [np.max(v), *np.maximum(v, v[::-1])], x)
    assert fast >= slow
    assert fast == {(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 1), (3, 0), (3, 2)}


def test_linalg_is_dense_in_its_arguments():
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    x = {"A": A, "b": np.array([1.0, 2.0])}
    P = jacobian_sparsity(lambda p: np.linalg.solve(p["A"], p["b"]), x)
    assert P.nnz == 2 * 6
    P = jacobian_sparsity(lambda p: np.linalg.norm(p["A"], axis=0) + np.linalg.det(p["A"]), x)
    assert P.todense() == [[True] * 4 + [False] * 2] * 2


def test_scalars_beside_arrays_and_tracers_meeting_arrays():
    x = {"s": 2.0, "u": np.array([1.0, 2.0, 3.0])}
    f = lambda p: p["s"] * p["u"][1] * p["u"] + np.sum(p["u"][:2]) * np.ones(3)
    # inputs: s = 0, u = 1, 2, 3; out_i = s u[1] u[i] + u[0] + u[1]
    assert check(f, x) == {(i, j) for i in range(3) for j in (0, 1, 2)} | {(2, 3)}


def test_entries_are_tracers_and_iteration_works():
    x = TracerArray.inputs(np.array([1.0, 2.0]))
    a, b = x
    assert sorted((a * b).deps) == [0, 1]
    assert [sorted(t.deps) for t in np.asarray(x)] == [[0], [1]]
    y = np.array([a, b * 2.0]) + x  # an object array of Tracers meets the traced array
    assert [sorted(t.deps) for t in y] == [[0], [1]]


@pytest.mark.parametrize(
    ("f", "words"),
    [
        (lambda x: np.fft.fft(x), "fft"),
        (lambda x: np.interp(0.5, x, x), "interp"),
        (lambda x: float(x[0:1]), "float()"),
        (lambda x: np.asarray(x, dtype=float), "float64"),
        (lambda x: np.arctan(x).astype(int), "astype"),
        (lambda x: np.zeros(3) + np.i0(x), "i0"),
        (lambda x: np.add.at(x, [0], 1.0), "at"),
    ],
)
def test_refusals_name_the_culprit(f, words):
    with pytest.raises(TypeError, match=words):
        jacobian_sparsity(f, np.array([0.5, 1.0, 2.0]))


def test_a_plain_work_array_refuses_traced_entries():
    def f(x):
        out = np.zeros(3)
        out[:] = x
        return out

    with pytest.raises(TypeError, match="zeros_like"):
        jacobian_sparsity(f, np.array([0.5, 1.0, 2.0]))


def test_writing_into_a_view_is_refused():
    def f(x):
        out = np.zeros_like(x)
        view = out[1:]
        view[0] = x[0]
        return out

    with pytest.raises(TypeError, match="view"):
        jacobian_sparsity(f, np.array([0.5, 1.0, 2.0]))


def test_sparse_jacobian_over_arrays_equals_the_dense_one():
    def f(x):
        return np.exp(x[1:]) * x[:-1] - np.roll(x, 1)[1:] ** 2

    x = np.linspace(0.2, 1.0, 9)
    J = sparse_jacobian(f, x)
    assert np.allclose(np.array(J.todense()), np.asarray(jacobian(f, x)))


# -- random programs ---------------------------------------------------------------------------
UNARY = [np.sin, np.exp, np.tanh, np.floor, np.square, np.abs, lambda t: t * 0.5 + 1.0]
STEPS = [
    lambda x, k: UNARY[k % len(UNARY)](x),
    lambda x, k: x * np.roll(x, k % 3 + 1, axis=k % x.ndim),
    lambda x, k: np.sum(x, axis=k % x.ndim, keepdims=True) + x,
    lambda x, k: np.cumsum(x, axis=k % x.ndim),
    lambda x, k: np.flip(x, k % x.ndim) - x,
    lambda x, k: np.where(x > 0.5, x, np.sin(x[..., ::-1])),
    lambda x, k: np.swapaxes(x, 0, -1).copy().reshape(x.shape) * x,
    lambda x, k: np.concatenate([x[..., 1:], x[..., :1]], axis=-1) / (1.0 + x * x),
    lambda x, k: (
        np.pad(x, 1)[tuple(slice(1 + k % 2 - 1, None) for _ in x.shape)][
            tuple(slice(0, n) for n in x.shape)
        ]
        + x
    ),
    lambda x, k: x @ np.full((x.shape[-1], x.shape[-1]), 0.5) if x.ndim == 2 else x * x[0],
]


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    program=st.lists(st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 5)), max_size=5),
    seed=st.integers(0, 2**16),
)
def test_random_programs(shape, program, seed):
    x = np.random.default_rng(seed).uniform(0.1, 1.0, shape)

    def f(v):
        for step, k in program:
            v = STEPS[step](v, k)
        return v

    check(f, x)
