"""The drivers: functions that seed tangents, run the user's function and read results back.

:mod:`~dualgrad.drivers.tags` and :mod:`~dualgrad.drivers.seeding` are shared by every driver
(perturbation tags, seeds, results in the structure of the inputs); then one module per family:
:mod:`~dualgrad.drivers.forward` (derivative, grad, jvp, jacobian, hessian, forward gradient),
:mod:`~dualgrad.drivers.implicit` (root, fixed point), :mod:`~dualgrad.drivers.parallel`
(executors, Dask). Reverse mode, Taylor mode and sparse Jacobians have their own packages.
"""
