"""The tree's layers: the core loads alone, the layers above it only when used."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

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


# -- the house's shape, read off the source --------------------------------------------------
PACKAGE = Path(__file__).resolve().parent.parent / "dualgrad"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `path` imports when it is imported: statements at module level
    (a function's import runs when called, a TYPE_CHECKING block never)."""
    found: set[str] = set()
    body = ast.parse(path.read_text(encoding="utf-8")).body
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                break
            if isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names}
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                modules = {f"{inner.module}.{a.name}" for a in inner.names} & known
                found |= modules  # `from package import module`: that module
                if len(modules) < len(inner.names):  # other names: the package's own
                    found.add(inner.module)
    return {m for m in found if m in known}


def _import_graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {m: _module_level_imports(p, known) for m, p in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module: modules that import
    each other, directly or round a loop (a package's __init__ counts as a module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            component = []
            while True:
                n = stack.pop()
                component.append(n)
                if n == m:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return found


def test_no_import_cycles():
    graph = _import_graph()
    assert graph["dualgrad.numbers.dual"], "the probe sees imports"
    assert _cycles(graph) == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    # a package whose __init__ imports a module that needs another module importing it back
    graph = {"p": {"p.x"}, "p.x": {"q.y"}, "q": set(), "q.y": {"p"}}
    assert _cycles(graph) == [["p", "p.x", "q.y"]]


def test_few_modules_loose_at_the_top_and_none_too_long():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(loose) <= 8, loose
    too_long = [
        f"{p.relative_to(PACKAGE.parent)}: {n} lines"
        for p in PACKAGE.rglob("*.py")
        if (n := p.read_text(encoding="utf-8").count("\n")) > 450
    ]
    assert not too_long


def test_no_function_over_80_lines():
    long = [
        f"{p.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
        for p in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno >= 80
    ]
    assert not long
