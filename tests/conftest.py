"""Shared test settings: hypothesis runs are reproducible (same examples on every run)."""

from hypothesis import settings

settings.register_profile("dualgrad", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("dualgrad")
