"""Jacobians and Hessians come back in the structure of their outputs and inputs, as JAX's
jacfwd and hessian return them: dicts keep their keys, arrays their shapes, lists of numbers
their lists of lists; sparse results say what they are and densify to x's kind."""

from __future__ import annotations

import math

import pytest

from dualgrad import SparseJacobian, dmath, hessian, jacobian, sparse_hessian, sparse_jacobian


def f_dict(p):
    return {"u": p["a"] * p["b"], "v": dmath.sin(p["a"])}


def test_jacobian_of_a_dict_is_a_dict_of_dicts():
    # jax.jacfwd(f)({"a": 2.0, "b": 3.0}): outputs outside, inputs inside
    want = {"u": {"a": 3.0, "b": 2.0}, "v": {"a": math.cos(2.0), "b": 0.0}}
    for chunk in (1, 2, "all"):
        assert jacobian(f_dict, {"a": 2.0, "b": 3.0}, chunk=chunk) == want
    assert jacobian(lambda p: p["a"] * p["b"], {"a": 2.0, "b": 3.0}) == {"a": 3.0, "b": 2.0}
    assert jacobian(lambda x: {"u": x * x, "v": 3 * x}, 2.0) == {"u": 4.0, "v": 3.0}
    assert jacobian(lambda v: {"u": v[0] * v[1]}, [2.0, 3.0]) == {"u": [3.0, 2.0]}
    assert jacobian(lambda p: [p["a"], p["b"] * 2], {"a": 1.0, "b": 1.0}) == [
        {"a": 1.0, "b": 0.0},
        {"a": 0.0, "b": 2.0},
    ]


def test_nested_structures_and_arrays_inside_dicts():
    np = pytest.importorskip("numpy")
    p = {"w": [1.0, 2.0], "b": 3.0}
    got = jacobian(lambda p: {"y": [p["w"][0] * p["b"], p["w"][1]]}, p)
    assert got == {"y": [{"w": [3.0, 0.0], "b": 1.0}, {"w": [0.0, 1.0], "b": 0.0}]}
    q = {"w": np.array([1.0, 2.0]), "b": 3.0}
    got = jacobian(lambda p: {"y": p["w"] * p["b"], "s": p["b"]}, q)
    # as jax.jacfwd: an array pair is one array of shape out.shape + in.shape
    assert got["y"]["w"].shape == (2, 2) and got["y"]["w"].tolist() == [[3.0, 0.0], [0.0, 3.0]]
    assert got["y"]["b"].tolist() == [1.0, 2.0] and got["s"]["w"].tolist() == [0.0, 0.0]
    assert got["s"]["b"] == 1.0


def test_hessian_of_a_dict_is_a_dict_of_dicts():
    # closed form of a**2 b + b**3 / 3: [[2b, 2a], [2a, 2b]] at (1, 2)
    def f(p):
        return p["a"] ** 2 * p["b"] + p["b"] ** 3 / 3

    want = {"a": {"a": 4.0, "b": 2.0}, "b": {"a": 2.0, "b": 4.0}}
    assert hessian(f, {"a": 1.0, "b": 2.0}) == want
    assert hessian(f, {"b": 2.0, "a": 1.0}) == want  # keys in the caller's order
    assert list(hessian(f, {"b": 2.0, "a": 1.0})) == ["b", "a"]
    got = hessian(lambda p: p["w"][0] ** 2 * p["w"][1] + p["b"], {"w": [1.0, 2.0], "b": 3.0})
    assert got == {
        "w": [{"w": [4.0, 2.0], "b": 0.0}, {"w": [2.0, 0.0], "b": 0.0}],
        "b": {"w": [0.0, 0.0], "b": 0.0},
    }


def test_lists_and_arrays_keep_their_kind():
    np = pytest.importorskip("numpy")
    assert jacobian(lambda v: [v[0] * v[1], v[0]], [2.0, 3.0]) == [[3.0, 2.0], [1.0, 0.0]]
    assert hessian(lambda v: v[0] * v[1], [1.0, 2.0]) == [[0.0, 1.0], [1.0, 0.0]]
    j = jacobian(lambda v: v * 2.0, np.array([1.0, 2.0]))
    assert isinstance(j, np.ndarray) and j.tolist() == [[2.0, 0.0], [0.0, 2.0]]


def test_sparse_jacobian_is_named_and_densifies_to_the_kind_of_x():
    np = pytest.importorskip("numpy")

    def f(x):
        return [x[0] * x[1], x[1] + x[2], x[2] ** 2]

    want = [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 6.0]]
    J = sparse_jacobian(f, np.array([1.0, 2.0, 3.0]))
    assert type(J) is SparseJacobian and repr(J).startswith("SparseJacobian(")
    dense = J.todense()
    assert isinstance(dense, np.ndarray) and dense.dtype == np.float64
    assert dense.tolist() == want
    assert sparse_jacobian(f, [1.0, 2.0, 3.0]).todense() == want  # a list for a list
    H = sparse_hessian(lambda x: x[0] * x[1] ** 2, np.array([1.0, 2.0]))
    assert isinstance(H.todense(), np.ndarray) and H.todense().tolist() == [[0.0, 4.0], [4.0, 2.0]]
