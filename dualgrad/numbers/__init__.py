"""The number types the rule table drives.

:mod:`~dualgrad.numbers.base` holds what every number type shares (operand checks, the guards
that refuse to drop a derivative, ``describe`` and ``primal``), :mod:`~dualgrad.numbers.dual`
the forward-mode :class:`~dualgrad.Dual` and :mod:`~dualgrad.numbers.dual_ops` its arithmetic,
built from the table. Reverse-mode ``Value`` lives in :mod:`dualgrad.reverse`, Taylor series in
:mod:`dualgrad.taylormode`, tracers in :mod:`dualgrad.sparsity`, dual arrays in
:mod:`dualgrad.vector.dualarray`.
"""
