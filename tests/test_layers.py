"""The tree's layers: the core loads alone, the layers above it only when used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_after(code: str) -> set[str]:
    """The modules (dualgrad's and numpy) loaded by a fresh interpreter running `code`."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('dualgrad', 'numpy'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_dualgrad_loads_the_core_only():
    loaded = loaded_after("import dualgrad")
    assert (
        "dualgrad.numbers.dual" in loaded and "dualgrad.drivers.forward" in loaded
    )  # the probe sees the core
    assert not {m for m in loaded if m == "numpy" or m.startswith("numpy.")}
    for layer in ("dualgrad.vector", "dualgrad.learn", "dualgrad.reverse"):
        assert not {m for m in loaded if m == layer or m.startswith(layer + ".")}, layer


def test_one_tangent_passes_stay_in_the_core():
    loaded = loaded_after(
        "from dualgrad import dmath, grad\n"
        "grad(lambda p: dmath.matvec([[1.0, 2.0]] * 3, p)[0] * p[0], [1.0, 2.0])"
    )
    assert "numpy" not in loaded and "dualgrad.vector.bulk" not in loaded


def test_chunked_passes_load_the_vector_layer():
    pytest.importorskip("numpy")
    loaded = loaded_after(
        "from dualgrad import dmath, grad\ngrad(lambda p: dmath.sumprod(p, p), [1.0, 2.0], chunk=2)"
    )
    assert "dualgrad.vector.bulk" in loaded


def test_layers_above_the_core_are_attributes_on_demand():
    import dualgrad

    assert dualgrad.reverse.Value(2.0).data == 2.0
    assert dualgrad.learn.__name__ == "dualgrad.learn"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dualgrad.nope
