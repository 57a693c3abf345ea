"""Hypothesis's profile: no per-example deadline (shared, noisy machines); 50 examples a property in the
default run, a developer's loop kept under 5 minutes, and 300 under CI=true (tests/budget.py), whose SLOW
tests are marked slow here; how many pytest-xdist workers `-n auto` (pyproject's addopts) starts; and the
fixtures `collect` (the hook tests') and `sigint` (the Ctrl-C tests')."""

import gc
import signal
from pathlib import Path

import pytest
from budget import CI, SLOW
from hypothesis import settings

settings.load_profile("ci" if CI else "default")
TESTS = Path(__file__).parent


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """A run of named test files (`pytest tests/test_x.py`, `tests/test_x.py::test_y`) stays in this process,
    where workers' start-up (some 4 s: each imports numpy, torch and hypothesis again) would outweigh its tests;
    a run of the whole suite or of a folder gets xdist's own count, one worker a core."""
    named_files = [arg for arg in config.args if Path(arg.split("::")[0]).suffix == ".py"]
    return 0 if named_files and len(named_files) == len(config.args) else None


@pytest.hookimpl(tryfirst=True)  # before `-m 'not slow'` (pyproject's addopts) deselects by marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """budget.SLOW's tests marked slow. Where whole files were collected (no test named by `file::test` or -k), a
    name in SLOW that is no test of a collected file is refused: renamed since, it would run in the default run."""
    seen: dict[str, set[str]] = {}
    for item in items:
        name = item.nodeid.partition("::")[2]
        path = Path(item.path)  # the file's place under tests/, not the node id's: that is relative to the rootdir
        file = path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else path.name
        if file in SLOW:
            seen.setdefault(file, set()).add(name)
            if name in SLOW[file]:
                item.add_marker(pytest.mark.slow)
    if config.option.keyword or any("::" in arg for arg in config.args):
        return
    missing = [f"{file}::{name}" for file, names in seen.items() for name in SLOW[file] if name not in names]
    if missing:
        raise pytest.UsageError(f"tests/budget.py's SLOW names tests that are not in their files: {missing}")


@pytest.fixture
def collect():
    """gc.collect over what the test made, the rest of the heap frozen (gc.freeze): in the default run's long
    process each full collection walked every earlier test's objects, 1-2 s of CPU. A frozen object's reference
    still keeps what it refers to alive (the hook table's, were it strong), as a full collection's would."""
    gc.freeze()
    yield gc.collect
    gc.unfreeze()


@pytest.fixture
def sigint():
    """Ctrl-C raising KeyboardInterrupt, as in a terminal, even when pytest runs with SIGINT ignored (as a
    background job); pytest's handler is put back after. The cyclic collector is off meanwhile: a signal's
    Python handler runs at the next bytecode boundary, and if a collection starts in between, that boundary
    is inside a gc callback (hypothesis registers one), where KeyboardInterrupt is swallowed as unraisable."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    collecting = gc.isenabled()
    gc.disable()
    yield
    if collecting:
        gc.enable()
    signal.signal(signal.SIGINT, previous)
