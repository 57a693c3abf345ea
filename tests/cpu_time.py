"""A bound on the CPU time a block takes, for the tests that guard against a slow path coming back (a loop per
element, a series run for seconds, work begun on a size no memory holds): this thread's CPU seconds, not the
wall clock, so a loaded machine or pytest-xdist's other worker cannot fail them. Speed itself is measured by
benchmarks/, never by tests; each bound here is many times what the block takes."""

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cpu_seconds_at_most(limit: float) -> Iterator[None]:
    start = time.thread_time()
    yield
    used = time.thread_time() - start
    assert used < limit, f"the block took {used:.2f} s of CPU, over its bound of {limit} s: a slow path is back"
