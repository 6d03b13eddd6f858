"""The shared script shape: quick runs go to the scratch folder, --replot needs the data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dualgrad.learn.script import Script, default_out


def _figure(data: dict) -> Any:
    from matplotlib.figure import Figure

    fig = Figure()
    fig.subplots().plot(data["xs"])
    return fig


def test_a_quick_run_never_writes_over_the_committed_plots(tmp_path: Path) -> None:
    script = tmp_path / "examples" / "demo.py"
    assert default_out(script, quick=False) == (tmp_path / "plots").resolve()
    assert default_out(script, quick=True) == (tmp_path / "plots" / "quick").resolve()
    seen = []
    main = Script(str(script), "demo", lambda a: {"xs": [1, 2]}, seen.append, _figure)
    code = main(["--quick"])
    quick = tmp_path / "plots" / "quick"
    assert code == 0 and (quick / "demo.png").is_file()
    assert json.loads((quick / "demo.json").read_text())["xs"] == [1, 2]
    assert not (tmp_path / "plots" / "demo.png").exists() and seen[0]["xs"] == [1, 2]


def test_replot_without_data_says_what_to_do(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        Script(str(tmp_path / "x" / "demo.py"), "demo", dict, print, _figure)(
            ["--replot", "--out", str(tmp_path)]
        )
    assert "run without it" in capsys.readouterr().err


def test_nothing_in_the_package_imports_matplotlib() -> None:
    """The library draws nothing itself: matplotlib is the scripts' (the examples extra)."""
    import ast

    import dualgrad

    found = []
    for path in Path(dualgrad.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "matplotlib"]
    assert not found
