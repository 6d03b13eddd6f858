"""dualgrad: forward-mode automatic differentiation with dual numbers.

A :class:`Dual` carries a value and its derivative through ordinary Python arithmetic and the
:mod:`dualgrad.dmath` mirror of :mod:`math`.

>>> from dualgrad import Dual, dmath
>>> y = dmath.exp(Dual(0.0, 1.0)) * 3
>>> y.value, y.tangent
(3.0, 3.0)
"""

from dualgrad import dmath, rules
from dualgrad.dual import Dual

__version__ = "0.1.0"

__all__ = ["Dual", "__version__", "dmath", "rules"]
