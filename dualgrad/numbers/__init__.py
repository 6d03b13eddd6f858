"""The number types the rule table drives.

:mod:`~dualgrad.numbers.base` holds what every number type shares (operand checks, the guards
that refuse to drop a derivative, ``describe`` and ``primal``), :mod:`~dualgrad.numbers.building`
what their arithmetic's builders share, :mod:`~dualgrad.numbers.dual` the forward-mode
:class:`~dualgrad.Dual`, :mod:`~dualgrad.numbers.dual_ops` its arithmetic, built from the table,
and :mod:`~dualgrad.numbers.tangents` what that arithmetic does to tangents (zero-wins scaling,
fused products). Reverse-mode ``Value`` lives in :mod:`dualgrad.reverse`, Taylor series in
:mod:`dualgrad.taylormode`, tracers in :mod:`dualgrad.sparsity`, dual arrays in
:mod:`dualgrad.vector.dualarray`.
"""
