"""Taylor mode: a truncated power series carried through a pass gives every derivative up to
order K at once, from the same rule table as :class:`~dualgrad.Dual`.

>>> from dualgrad.taylormode import derivatives
>>> derivatives(lambda x: x ** 3, 2.0, order=3)
[8.0, 12.0, 12.0, 6.0]
"""

from dualgrad.taylormode import lazy, rulenodes
from dualgrad.taylormode.drivers import derivatives, mixed_partial, ode_taylor, taylor
from dualgrad.taylormode.series import Taylor

# The lazy series' rule methods (x.sin(), x ** y ...) come from the rule nodes, a module built
# on the series (so the series' module cannot install them without a cycle): attached here,
# once, before any caller can reach a series.
rulenodes.attach_rules(lazy.Series)

__all__ = ["Taylor", "derivatives", "mixed_partial", "ode_taylor", "taylor"]
