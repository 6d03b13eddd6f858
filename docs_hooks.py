"""How the documentation site is built from this checkout (mkdocs.yml names this file twice).

- As mkdocs hooks: the pictures the main job writes to ``plots/`` become site files, so the
  pages show them (``![...](plots/x.png)``) with no copy kept under ``docs/``; after the
  build, every public name must have its entry in the API reference, or the build fails.
- As a griffe extension for mkdocstrings: the docstrings are written for ``help()`` and
  doctest (reST roles such as :func:`grad`, ``>>>`` examples); each is shown as Markdown
  reads it, roles as code and every doctest as a code block.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

import griffe
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent
ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")
CODE_SPAN = re.compile(r"(`+[^`]*`+)")
# The modules whose __all__ the API reference lists (and every module of dualgrad.learn).
PUBLIC = ("dualgrad", "dualgrad.dmath", "dualgrad.rules.table", "dualgrad.reverse",
          "dualgrad.taylormode", "dualgrad.sparsity", "dualgrad.testing", "dualgrad.tree",
          "dualgrad.drivers.parallel", "dualgrad.vector")  # fmt: skip
ANCHOR = re.compile(r'id="(dualgrad[\w.]*)"')
SUBSCRIPTS = re.compile(r"\b(\w+(?:\[[^\]`]*\]){2,})")  # J[i][j]: Markdown reads a link


def on_files(files: Files, config: Any) -> Files:
    """Add every plots/*.png as the site file plots/NAME.png."""
    for png in sorted((ROOT / "plots").glob("*.png")):
        files.append(File(f"plots/{png.name}", str(ROOT), config["site_dir"], False))
    return files


def on_post_build(config: Any) -> None:
    """Fail the build when a public name has no entry in the site's API reference."""
    html = "".join(p.read_text("utf-8") for p in Path(config["site_dir"], "api").rglob("*.html"))
    missing = undocumented(set(ANCHOR.findall(html)))
    if missing:
        raise PluginError(f"the API reference lacks {', '.join(missing)}: add it under docs/api/")


def public_modules() -> list[str]:
    """PUBLIC, the modules of dualgrad.learn, and any new public package of dualgrad (which
    then has to be documented too)."""
    import dualgrad
    import dualgrad.learn

    found = [f"dualgrad.{m.name}" for m in pkgutil.iter_modules(dualgrad.__path__) if m.ispkg]
    learn = [f"dualgrad.learn.{m.name}" for m in pkgutil.iter_modules(dualgrad.learn.__path__)]
    names = [*PUBLIC, *found, *learn]
    return sorted({n for n in names if not n.rsplit(".", 1)[-1].startswith("_")})


def undocumented(ids: set[str]) -> list[str]:
    """The public names with no anchor: ``M.name``, or the name re-exported by a package
    above M; a name M loads lazily from a module below it (``_MODULE_OF_NAME``) may be
    documented there (``dualgrad.vector.bulk.sumprod``).

    >>> missing = undocumented({"dualgrad.sparsity.sparse_jacobian", "dualgrad.tree.flatten"})
    >>> "dualgrad.Dual" in missing, "dualgrad.tree.flatten" in missing
    (True, False)
    """
    missing = []
    for module in public_modules():
        parents = [module.rsplit(".", k)[0] for k in range(module.count(".") + 1)]
        loaded = importlib.import_module(module)
        for name in getattr(loaded, "__all__", ()):
            # dualgrad.vector's names load lazily
            lazy = name in getattr(loaded, "_MODULE_OF_NAME", {})
            below = lazy and any(i.startswith(f"{module}.") and i.endswith(f".{name}") for i in ids)
            if not below and not any(f"{p}.{name}" in ids for p in parents):
                missing.append(f"{module}.{name}")
    return [m for m in missing if not m.endswith(".__version__")]


def markdown_docstring(text: str) -> str:
    """Roles as code spans, each run of ``>>>`` lines and their output fenced as pycon.

    >>> markdown_docstring("See :func:`~a.grad`, J[i][j]:\\n>>> 1 + 1\\n2\\n\\nDone.")
    'See `grad`, `J[i][j]`:\\n\\n```pycon\\n>>> 1 + 1\\n2\\n```\\n\\nDone.'
    """
    text = ROLE.sub(lambda m: f"`{m[2].rsplit('.', 1)[-1] if m[1] else m[2]}`", text)
    out: list[str] = []
    indent: str | None = None  # inside a doctest: its indentation
    for line in text.splitlines():
        stripped = line.lstrip()
        if indent is None and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.extend(
                ["", f"{indent}```pycon"] if out and out[-1].strip() else [f"{indent}```pycon"]
            )
        elif indent is not None and not stripped:
            out.append(f"{indent}```")
            indent = None
        out.append(line if indent is not None else _code_subscripts(line))
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


def _code_subscripts(line: str) -> str:
    parts = CODE_SPAN.split(line)  # odd parts are code spans already
    parts[::2] = [SUBSCRIPTS.sub(r"`\1`", p) for p in parts[::2]]
    return "".join(parts)


class DoctestsAsCode(griffe.Extension):
    """Rewrite every docstring with :func:`markdown_docstring` as griffe loads it, and show
    the functions a module makes at import (``exp = _mirror("exp", ...)`` in dmath, from the
    rule table) as the functions they are, with their signature and docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)

    def on_module_members(self, *, mod: griffe.Module, **kwargs: Any) -> None:
        if not mod.path.startswith("dualgrad"):
            return
        loaded = importlib.import_module(mod.path)
        for name, member in list(mod.members.items()):
            if member.is_alias:  # an import: resolved later, documented where it is defined
                continue
            value = getattr(loaded, name, None)
            if member.is_attribute and inspect.isfunction(value) and value.__name__ == name:
                mod.set_member(name, made_function(member, value))


def made_function(attribute: Any, value: Any) -> griffe.Function:
    """A griffe Function in place of the attribute `value` was assigned to."""
    params = [
        griffe.Parameter(
            p.name,
            kind=griffe.ParameterKind(p.kind.description),
            default=None if p.default is p.empty else repr(p.default),
        )
        for p in inspect.signature(value).parameters.values()
    ]
    func = griffe.Function(
        attribute.name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=griffe.Parameters(*params),
    )
    doc = inspect.getdoc(value)
    func.docstring = griffe.Docstring(markdown_docstring(doc), parent=func) if doc else None
    return func
