"""Hypothesis settings: no per-example deadline (shared, noisy machines). The default run, a
developer's loop, draws 50 examples a test, which keeps it under 5 minutes; CI draws 300."""

import os

from hypothesis import settings

settings.register_profile("default", deadline=None, max_examples=50)
settings.register_profile("ci", deadline=None, max_examples=300, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
