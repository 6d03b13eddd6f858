"""The rule table: every derivative dualgrad knows, written once.

One row per primitive (:mod:`dualgrad.rules.table`), its longer partials as footnotes
(:mod:`dualgrad.rules.footnotes`, :mod:`dualgrad.rules.special`), and the gamma family's values
(:mod:`dualgrad.rules.gamma`). Every number type - :class:`~dualgrad.Dual`, reverse-mode
``Value``, Taylor series, sparsity tracers, dual arrays - and the :mod:`dualgrad.dmath` mirror
are built from these rows; nothing else in the package writes a derivative.

>>> from dualgrad.rules import RULES
>>> RULES["sin"].partials[0](0.0, 0.0)
1.0
"""

# The package is its table: every public name of dualgrad.rules.table, listed once there.
from dualgrad.rules.table import *  # noqa: F403
from dualgrad.rules.table import __all__ as __all__
