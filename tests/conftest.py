"""Hypothesis's profile: no per-example deadline (shared, noisy machines); 50 examples a property in the
default run, a developer's loop kept under 5 minutes, and 300 under CI=true (tests/budget.py)."""

from budget import CI
from hypothesis import settings

settings.load_profile("ci" if CI else "default")
