"""numpy's namespace walked: every function either works on a dual array or refuses by name.

Each callable of ``numpy`` and ``numpy.linalg`` (ufuncs included) is called on a small dual
array (3 x 3, one tangent: all ones), with the arguments of :data:`CALLS` where it needs more
than arrays, else as f(x) and then f(x, x). Its outcome must be one of:

- **works**: the result carries the derivative (a dual array, a Dual, or an object array of
  Duals by ``__array__``) and its values and tangents equal central differences of the same
  call on floats (x's values moved by +-h along the tangent);
- **refuses**: a TypeError naming the function (the dual array's own refusal);
- **reads values**: :data:`READS_VALUES`, functions whose answer is about the values, not a
  number computed from them (argmax, shape, comparisons, predicates, nonzero ...): their
  result holds no float data;
- **not an array function** (:data:`NOT_ARRAY_FUNCTIONS`: printing options, window functions
  of a length, file readers, index builders of a size) or **skipped** with a reason
  (:data:`SKIPPED`). Anything else - above all a float array computed from the values with
  the derivative dropped - fails the test.
"""

from __future__ import annotations

import inspect

import pytest

np = pytest.importorskip("numpy")

from dualgrad import Dual  # noqa: E402
from dualgrad.vector.dualarray import DualArray  # noqa: E402

READS_VALUES = {
    "all", "any", "allclose", "isclose", "array_equal", "argmax", "argmin", "argsort",
    "argwhere", "count_nonzero", "flatnonzero", "nonzero", "where", "searchsorted", "digitize",
    "iscomplexobj", "isrealobj", "isscalar", "iterable", "issubdtype", "min_scalar_type",
    "mintypecode", "promote_types", "result_type", "can_cast", "ndim", "shape", "size",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "isfinite",
    "isinf", "isnan", "signbit", "logical_and", "logical_or", "logical_xor", "logical_not",
    "printoptions", "info", "bmat", "isfortran", "matrix_rank",
}  # fmt: skip
"""Answers about the values (indices, booleans, shapes, dtypes), never a float computed from
them. (printoptions, info and bmat of a dual array do nothing numeric: a context manager, a
printout, None; isfortran reads the layout.)"""

NOT_ARRAY_FUNCTIONS = {
    "get_include", "get_printoptions", "set_printoptions", "getbufsize", "setbufsize",
    "geterr", "seterr", "geterrcall", "seterrcall", "show_config", "show_runtime", "test",
    "bartlett", "blackman", "hamming", "hanning", "kaiser", "tri", "tril_indices",
    "triu_indices", "diag_indices", "indices", "fromfile", "fromregex", "genfromtxt",
    "loadtxt", "load", "save", "savez", "savez_compressed", "savetxt", "fromiter",
    "frombuffer", "fromstring", "from_dlpack", "datetime_data", "nested_iters", "arange",
    "busday_count", "busday_offset", "is_busday", "datetime_as_string", "eye", "identity",
    "zeros", "ones", "empty", "full", "linspace", "logspace", "geomspace", "unravel_index",
    "ravel_multi_index", "typename", "base_repr", "binary_repr", "asarray_chkfinite",
    "get_state", "set_state", "add_docstring", "add_newdoc", "add_newdoc_ufunc", "deprecate",
    "deprecate_with_doc", "byte_bounds", "safe_eval", "lookfor", "who", "source",
    "disp", "format_float_positional", "format_float_scientific", "array2string",
    "array_repr", "array_str", "frompyfunc", "copyto", "broadcast_shapes", "diag_indices_from",
    "mask_indices", "tril_indices_from", "triu_indices_from", "fill_diagonal", "shares_memory",
    "may_share_memory", "histogram_bin_edges", "trim_zeros", "isdtype", "place", "putmask",
}  # fmt: skip
"""They take sizes, dtypes, files or settings, or write into a given array in place, not an
array to compute with: no derivative to keep or drop. (numpy raises its own errors on a dual
array passed there.)"""

CALLS = {
    "apply_along_axis": lambda x: np.apply_along_axis(np.sum, 0, x),
    "apply_over_axes": lambda x: np.apply_over_axes(np.sum, x, [0]),
    "insert": lambda x: np.insert(x, 1, 5.0),
    "interp": lambda x: np.interp(x, [0.0, 1.0, 2.0], [0.0, 1.0, 4.0]),
    "piecewise": lambda x: np.piecewise(x, [x < 1.0], [lambda v: v * v, lambda v: v]),
    "polyfit": lambda x: np.polyfit(x[0], x[1], 1),
    "put": lambda x: np.put(x, [0], 2.0),
    "put_along_axis": lambda x: np.put_along_axis(x, np.zeros((1, 3), int), 2.0, 0),
    "moveaxis": lambda x: np.moveaxis(x, 0, 1),
    "swapaxes": lambda x: np.swapaxes(x, 0, 1),
    "roll": lambda x: np.roll(x, 1),
    "broadcast_to": lambda x: np.broadcast_to(x, (2, 3, 3)),
    "tile": lambda x: np.tile(x, 2),
    "split": lambda x: np.split(x, 3),
    "array_split": lambda x: np.array_split(x, 2),
    "take_along_axis": lambda x: np.take_along_axis(x, np.zeros((1, 3), int), 0),
    "ldexp": lambda x: np.ldexp(x, 2),
    "searchsorted": lambda x: np.searchsorted(x[0], x[1]),
    "digitize": lambda x: np.digitize(x, [0.5, 1.0]),
    "can_cast": lambda x: np.can_cast(x, np.float32),
    "expand_dims": lambda x: np.expand_dims(x, 1),
    "pad": lambda x: np.pad(x, 1),
    "repeat": lambda x: np.repeat(x, 2),
    "reshape": lambda x: np.reshape(x, -1),
    "take": lambda x: np.take(x, [0, 4]),
    "matrix_power": lambda x: np.linalg.matrix_power(x, 3),
    "multi_dot": lambda x: np.linalg.multi_dot([x, x, x]),
    "linalg.outer": lambda x: np.linalg.outer(x[0], x[1]),
}
"""Calls of functions that need more than arrays."""

SKIPPED: dict[str, str] = {
    "asmatrix": "np.matrix is deprecated (numpy warns); it holds Duals by __array__",
    "row_stack": "a deprecated alias of np.vstack (numpy warns), walked as vstack",
    "isfortran": "reads ndarray.flags, which a dual array does not have: AttributeError",
    "fromfunction": "calls its function with index arrays of a shape, not with an array",
}
"""Functions not walked, with the reason."""


def dual():
    v = np.linspace(0.3, 0.9, 9).reshape(3, 3) + np.eye(3)
    return DualArray(v, np.ones((3, 3, 1)))


def callables():
    found = []
    for owner, prefix in ((np, ""), (np.linalg, "linalg.")):
        for name in sorted(dir(owner)):
            f = getattr(owner, name)
            if name.startswith("_") or not callable(f):
                continue
            if inspect.isclass(f) and not isinstance(f, np.ufunc):
                continue  # types and dtypes: numpy's scalars refuse (float(x) does)
            if inspect.ismodule(f):
                continue
            found.append((prefix + name, f))
    return found


def carries(r):
    if type(r) in (DualArray, Dual):
        return True
    if isinstance(r, np.ndarray) and r.dtype == object:
        return any(type(e) is Dual for e in r.reshape(-1))
    if isinstance(r, (tuple, list)):
        return any(carries(e) for e in r)
    return False


def holds_floats(r):
    if isinstance(r, (float, np.floating, complex, np.complexfloating)):
        return True
    if isinstance(r, np.ndarray):
        return r.dtype.kind in "fc" or (r.dtype == object and r.size > 0)
    if isinstance(r, (tuple, list)):
        return any(holds_floats(e) for e in r)
    return False


def parts(r):
    """(values, tangents) of a result carrying the derivative."""
    if type(r) is DualArray:
        return r.value, r.tangent[..., 0]
    if type(r) is Dual:
        return r.value, r.tangent
    arr = np.asarray(r, dtype=object)
    v = [e.value if type(e) is Dual else e for e in arr.reshape(-1)]
    t = [e.tangent if type(e) is Dual else 0.0 for e in arr.reshape(-1)]
    return np.array(v, float).reshape(arr.shape), np.array(t, float).reshape(arr.shape)


def call_plain(call, shift):
    return call(dual().value + shift)


def check_against_differences(name, call, result):
    h = 1e-6
    with np.errstate(all="ignore"):
        up, down = call_plain(call, h), call_plain(call, -h)
    many = isinstance(result, (tuple, list))
    for r, u, d in zip(*((result, up, down) if many else ((result,), (up,), (down,))),
                       strict=True):  # fmt: skip
        if not carries(r):
            continue
        value, tangent = parts(r)
        u, d = np.asarray(u, float), np.asarray(d, float)
        np.testing.assert_allclose(value, (u + d) / 2, rtol=1e-6, atol=1e-9, err_msg=name)
        # outside a function's domain (arctanh(1.3)) the value is nan and the tangent the
        # rule's formula there, as in JAX and PyTorch: compared where the value is a number
        tangent, fd = np.atleast_1d(tangent), np.atleast_1d((u - d) / (2 * h))
        inside = ~np.isnan(np.broadcast_to(value, np.shape(tangent)))
        np.testing.assert_allclose(tangent[inside], fd[inside], rtol=1e-5, atol=1e-6, err_msg=name)


def outcome(name, f):
    """('works' | 'refuses' | 'reads values' | 'error', result or message)."""
    plain = name.split(".")[-1]
    key = name if name in CALLS else plain  # (np.outer and np.linalg.outer differ)
    attempts = [CALLS[key]] if key in CALLS else [lambda x: f(x), lambda x: f(x, x)]
    last = None
    for call in attempts:
        try:
            with np.errstate(all="ignore"):
                result = call(dual())
        except TypeError as exc:
            if "dual array" in str(exc) and f.__name__ in str(exc):
                return "refuses", str(exc)
            last = exc
            continue
        except Exception as exc:
            last = exc
            continue
        if carries(result):
            return "works", (call, result)
        return "reads values", result
    return "error", repr(last)


WALKED = [(n, f) for n, f in callables() if n.split(".")[-1] not in NOT_ARRAY_FUNCTIONS]


@pytest.mark.parametrize(("name", "f"), WALKED, ids=[n for n, _ in WALKED])
def test_each_numpy_function_works_or_refuses_by_name(name, f):
    plain = name.split(".")[-1]
    if plain in SKIPPED:
        pytest.skip(SKIPPED[plain])
    kind, found = outcome(name, f)
    if kind == "works":
        call, result = found
        if plain == "empty_like":
            assert not parts(result)[1].any()  # garbage values, a constant's zero tangent
            return
        check_against_differences(name, call, result)
    elif kind == "reads values":
        assert plain in READS_VALUES, f"np.{name} returned {found!r} without the derivative"
        assert not holds_floats(found), f"np.{name} returned float data: {found!r}"
    elif kind == "error":
        pytest.fail(f"np.{name} neither works nor refuses by name: {found}")


def test_the_lists_name_real_numpy_functions():
    names = {n.split(".")[-1] for n, _ in callables()} | {n for n, _ in callables()}
    assert set(CALLS) <= names and set(READS_VALUES) <= names
    assert not set(SKIPPED) - names
