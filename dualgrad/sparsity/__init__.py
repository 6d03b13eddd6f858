"""Sparse Jacobians and Hessians in a handful of passes.

Separate, testable steps, each driven by the rule table: sparsity detection by tracing index
sets (:mod:`~dualgrad.sparsity.tracer`), coloring (:mod:`~dualgrad.sparsity.coloring`),
compressed seeding and decompression (:mod:`~dualgrad.sparsity.jacobian`,
:mod:`~dualgrad.sparsity.hessian`). numpy is needed only by the chunked and index-value
methods, scipy only by :meth:`~dualgrad.sparsity.pattern.SparseMatrix.toscipy`.
"""

from dualgrad.sparsity.hessian import hessian_sparsity, sparse_hessian
from dualgrad.sparsity.jacobian import SparseJacobian, jacobian_sparsity, sparse_jacobian
from dualgrad.sparsity.pattern import SparseMatrix, SparsityPattern

__all__ = [
    "SparseJacobian",
    "SparseMatrix",
    "SparsityPattern",
    "hessian_sparsity",
    "jacobian_sparsity",
    "sparse_hessian",
    "sparse_jacobian",
]
