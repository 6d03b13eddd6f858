"""dualgrad: forward-mode automatic differentiation with dual numbers.

A :class:`Dual` carries a value and its derivative through ordinary Python arithmetic and the
:mod:`dualgrad.dmath` mirror of :mod:`math`; the drivers seed parameters and read the
derivatives out.

>>> from dualgrad import Dual, dmath, derivative
>>> y = dmath.exp(Dual(0.0, 1.0)) * 3
>>> y.value, y.tangent
(3.0, 3.0)
>>> derivative(lambda x: x * dmath.sin(x), 0.0)
0.0
"""

from dualgrad import dmath, rules
from dualgrad.custom.jvp import custom_jvp
from dualgrad.custom.primitive import Primitive, primitive
from dualgrad.drivers.forward import (
    GradResult,
    derivative,
    forward_gradient,
    grad,
    hessian,
    jacobian,
    jvp,
    value_and_grad,
)
from dualgrad.drivers.implicit import ConvergenceError, fixed_point, root
from dualgrad.numbers.dual import Dual
from dualgrad.sparsity import (
    SparseJacobian,
    hessian_sparsity,
    jacobian_sparsity,
    sparse_hessian,
    sparse_jacobian,
)
from dualgrad.taylormode import Taylor, derivatives, taylor

__version__ = "0.1.0"

# Layers above the core load when first used, so `import dualgrad` stays free of numpy, the
# reverse-mode baseline and the tutorial's demo: `dualgrad.reverse.Value` works after a plain
# `import dualgrad` all the same.
_LAZY = ("learn", "reverse", "testing", "vector")


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"dualgrad.{name}")
    raise AttributeError(f"module 'dualgrad' has no attribute {name!r}")


__all__ = [
    "ConvergenceError",
    "Dual",
    "GradResult",
    "Primitive",
    "SparseJacobian",
    "Taylor",
    "__version__",
    "derivative",
    "custom_jvp",
    "derivatives",
    "dmath",
    "fixed_point",
    "forward_gradient",
    "grad",
    "hessian",
    "hessian_sparsity",
    "jacobian",
    "jacobian_sparsity",
    "jvp",
    "primitive",
    "root",
    "rules",
    "sparse_hessian",
    "sparse_jacobian",
    "taylor",
    "value_and_grad",
]
