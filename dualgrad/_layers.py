"""The core's one door to the vector layer.

The AD core (rules, the number types, dmath, the drivers) runs on plain Python. Only a pass
whose tangents are vectors needs numpy and :mod:`dualgrad.vector`; the core reaches that layer
through :func:`vector` alone, so ``import dualgrad`` loads neither.

>>> import sys
>>> "numpy" in sys.modules or vector().__name__ == "dualgrad.vector"
True
"""

from __future__ import annotations

from types import ModuleType

__all__ = ["vector"]


def vector() -> ModuleType:
    """:mod:`dualgrad.vector`, imported on first use."""
    import dualgrad.vector

    return dualgrad.vector
