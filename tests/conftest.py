"""Hypothesis's profile: no per-example deadline (shared, noisy machines); 50 examples a property in the
default run, a developer's loop kept under 5 minutes, and 300 under CI=true (tests/budget.py). And how many
pytest-xdist workers `-n auto` (pyproject's addopts) starts."""

from pathlib import Path

import pytest
from budget import CI
from hypothesis import settings

settings.load_profile("ci" if CI else "default")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """A run of named test files (`pytest tests/test_x.py`, `tests/test_x.py::test_y`) stays in this process,
    where workers' start-up (some 4 s: each imports numpy, torch and hypothesis again) would outweigh its tests;
    a run of the whole suite or of a folder gets xdist's own count, one worker a core."""
    named_files = [arg for arg in config.args if Path(arg.split("::")[0]).suffix == ".py"]
    return 0 if named_files and len(named_files) == len(config.args) else None
