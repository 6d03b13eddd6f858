"""numpy.linalg on dual arrays (forward rules): filled in by the linear-algebra module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FUNCTIONS: dict[Any, Callable[..., Any]] = {}
