"""Seeding shared by every driver: fresh parameters per pass, chosen parameters, clear errors."""

from __future__ import annotations

import math
from collections import namedtuple

import pytest

from dualgrad import dmath, forward_gradient, grad, hessian, jacobian, jvp, value_and_grad
from dualgrad.reverse import grad as reverse_grad

CHUNKS = [1, 2, "all"]


def doubles_first(p):
    p[0] = p[0] * 2  # a loss that changes its parameters
    return p[0] * p[1] * p[2]


def normalises(p):
    total = p[0] + p[1] + p[2]
    for i in range(3):
        p[i] = p[i] / total  # weights normalised in place
    return p[0] * p[1] * p[2]


@pytest.mark.parametrize("chunk", CHUNKS)
def test_every_pass_sees_exactly_the_callers_parameters(chunk):
    assert grad(doubles_first, [1.0, 1.0, 1.0], chunk=chunk) == [2.0, 2.0, 2.0]
    truth = reverse_grad(normalises, [1.0, 2.0, 3.0])
    got = grad(normalises, [1.0, 2.0, 3.0], chunk=chunk)
    assert got == pytest.approx(truth, rel=1e-12)
    assert len(set(got)) == 3  # not the one-copy bug, which gave three equal partials


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_loss_that_grows_its_parameters_cannot_break_the_next_pass(chunk):
    def appends(p):
        p.append(1.0)
        return p[0] * p[1]

    assert grad(appends, [3.0, 4.0, 5.0], chunk=chunk) == [4.0, 3.0, 0.0]


def test_jacobian_rows_of_a_function_that_changes_its_input():
    def f(v):
        v[0] = v[0] + v[1]
        return [v[0] * 2, v[1]]

    assert jacobian(f, [1.0, 2.0]) == [[2.0, 2.0], [0.0, 1.0]]


@pytest.mark.parametrize("chunk", CHUNKS)
def test_gradient_over_chosen_parameters(chunk):
    params = {"w": [1.0, 2.0, 3.0], "b": 4.0}

    def f(p):
        return p["w"][0] * p["w"][1] * p["w"][2] + p["b"] ** 2

    full = value_and_grad(f, params, chunk=chunk)
    part = value_and_grad(f, params, chunk=chunk, wrt=["['w'][1]", 0])
    assert part.grad == {"w": [None, full.grad["w"][1], None], "b": full.grad["b"]}
    assert part.value == full.value
    assert part.passes == (2 if chunk == 1 else 1)
    assert value_and_grad(f, params, wrt=[]).grad == {"w": [None] * 3, "b": None}


@pytest.mark.parametrize(
    ("wrt", "error", "shown"),
    [
        ([7], ValueError, "wrt names 7"),
        (["['x']"], ValueError, "paths such as \\['b'\\]"),
        ([0, 0], ValueError, "twice"),
        ("['b']", TypeError, "sequence"),
        ([1.0], ValueError, "wrt names 1.0"),
    ],
)
def test_wrong_wrt_is_named(wrt, error, shown):
    with pytest.raises(error, match=shown):
        grad(lambda p: p["b"] * p["w"][0], {"w": [1.0], "b": 2.0}, wrt=wrt)


def test_a_namedtuple_of_parameters_reaches_f_as_itself():
    Params = namedtuple("Params", "w b")
    seen = []

    def f(p):
        seen.append(type(p))
        return p.w * p.b

    assert grad(f, Params(2.0, 3.0)) == Params(3.0, 2.0)
    assert grad(f, Params(2.0, 3.0), chunk=2) == Params(3.0, 2.0)
    assert set(seen) == {Params}


def test_self_referencing_parameters_are_a_value_error():
    p: list = [1.0]
    p.append(p)
    with pytest.raises(ValueError, match=r"params\[1\] is a container that holds it"):
        grad(lambda q: q[0], p)


def test_a_jacobian_whose_output_changes_length_raises():
    def f(v):
        return [v[0] * v[1]] * (2 if hasattr(v[0], "tangent") else 3)

    with pytest.raises(ValueError, match="output changed shape between passes"):
        jacobian(f, [1.0, 2.0])


def test_chunked_jacobian_entries_are_floats():
    for chunk in CHUNKS:
        rows = jacobian(lambda v: [v[0] * v[1], dmath.exp(v[1])], [1.0, 2.0], chunk=chunk)
        assert {type(x) for row in rows for x in row} == {float}
        assert rows == [[2.0, 1.0], [0.0, math.exp(2.0)]]


@pytest.mark.parametrize("tasks", [0, -5, "x", 1.5, True])
def test_tasks_must_be_a_positive_int(tasks):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool, pytest.raises(ValueError, match="tasks must be"):
        grad(lambda p: p[0], [1.0], executor=pool, tasks=tasks)


def test_an_executor_without_submit_is_named():
    with pytest.raises(TypeError, match=r"executor must be a concurrent\.futures\.Executor"):
        grad(lambda p: p[0], [1.0], executor=object())


def test_hessian_errors_name_hessian():
    with pytest.raises(TypeError, match=r"^hessian:"):
        hessian(lambda p: [p[0]], [1.0])
    with pytest.raises(TypeError, match=r"^hessian: params"):
        hessian(lambda p: p[0], [1.0, "a"])


def test_forward_gradient_chunk_means_what_it_means_in_grad():
    with pytest.raises(ValueError, match="forward_gradient: chunk must be"):
        forward_gradient(lambda p: p[0], [1.0], directions=4, chunk="x")
    f = lambda p: 3 * p[0] - p[1] * p[0]
    one = forward_gradient(f, [1.0, 2.0], directions=6, rng=3, chunk=1)
    two = forward_gradient(f, [1.0, 2.0], directions=6, rng=3, chunk=4)
    assert (one.passes, two.passes) == (6, 2)
    assert two.grad == pytest.approx(one.grad, rel=1e-12)


def test_a_bad_jvp_tangent_is_named_as_a_tangent():
    with pytest.raises(TypeError, match=r"jvp: tangents\[1\] is 'x'"):
        jvp(lambda p: p[0] * p[1], [1.0, 2.0], [1.0, "x"])


def test_an_array_returned_by_f_is_described_with_what_to_do():
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError, match=r"array of shape \(2,\).*sum or mean"):
        grad(lambda p: np.array([p[0], p[0]]), [1.0])


def test_the_note_names_the_parameter_being_seeded():
    def f(p):
        if hasattr(p["b"], "tangent"):
            raise RuntimeError("boom")
        return p["a"] + p["b"]

    with pytest.raises(RuntimeError) as info:
        grad(f, {"a": 1.0, "b": 2.0})
    shown = str(info.value) + "".join(getattr(info.value, "__notes__", []))
    assert "parameter 1 (params['b'])" in shown
